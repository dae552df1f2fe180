"""Measure the gateway against its physical baseline in one run, as separate processes, and write the table.

    python -m benchmarks.run [--quick | --smoke] [--write docs/performance.md] [--json results.json]

1. market data platform → gateway → engine (ticks/s, 100-tick batches and single ticks, relay CPU per tick),
   beside a ``zmq.proxy`` process moving the same frames between the same producer and consumer processes;
2. the latency the gateway adds at a steady low rate (p50/p99/p99.9), beside the proxy's;
3. the order path with six platforms and 50 symbols streaming: signal → aggregated FILL p50/p99, sustained
   signals/s (closed loop), gateway CPU and fsyncs per order (``strace``, when installed);
4. scale: 500 symbols over six platforms with bursts, and the gateway's RSS over the run.

The configuration (generated roots, six ``bench*`` platform instances) is written to a temporary directory; the
platform and engine peers are the processes of ``benchmarks/peers.py``, not the real adapters, so what is
measured is the gateway. The full run takes about five minutes; ``--quick`` about two; ``--smoke`` (the
tests) runs every measure at a tiny size. Linux only (CPU and RSS come from /proc). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks import measures
from benchmarks.config import write_config
from benchmarks.harness import Gateway
from benchmarks.report import machine, markdown, rows, write_section

SIZES = {
    "full": measures.Sizes(3_000_000, 300_000, 20_000, 2000.0, 500, 20.0, 100, 10_000_000, 2000, 3),
    "quick": measures.Sizes(1_000_000, 100_000, 6_000, 2000.0, 300, 8.0, 100, 2_000_000, 1000, 1),
    "smoke": measures.Sizes(20_000, 4_000, 400, 2000.0, 10, 1.5, 5, 60_000, 20, 1, idle_s=0.5, scale_symbols=60),
}


def _say(text: str, started: float = time.monotonic()) -> None:
    print(f"[{time.monotonic() - started:5.0f} s] {text}", file=sys.stderr, flush=True)


def run(sizes: measures.Sizes, work: Path, say: object = _say) -> dict[str, object]:
    results: dict[str, object] = {"sizes": asdict(sizes)}
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    roots = write_config(work / "config-50", 50)
    gateway = Gateway(work / "config-50", work / "run-50")
    try:
        say("1–2. market data and latency: gateway and zmq.proxy")  # type: ignore[operator]
        results["market_data"] = measures.market_data(gateway, sizes, logs)
        say("3. order path: six platforms, 50 symbols streaming")  # type: ignore[operator]
        results["orders"] = measures.orders(gateway, roots, sizes, logs)
    finally:
        gateway.stop()
    write_config(work / "config-500", sizes.scale_symbols)
    gateway = Gateway(work / "config-500", work / "run-500")
    try:
        say(f"4. scale: {sizes.scale_symbols} symbols over six platforms, memory")  # type: ignore[operator]
        results["scale"] = measures.scale(gateway, sizes, logs)
    finally:
        gateway.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes, one repetition (about two minutes)")
    size.add_argument("--smoke", action="store_true", help="tiny sizes: checks the harness, measures nothing")
    parser.add_argument("--write", type=Path, help="replace the generated section of this file (docs/performance.md)")
    parser.add_argument("--json", type=Path, help="also write the raw results and the table rows as JSON")
    parser.add_argument("--from-json", type=Path, help="render the table from a --json file instead of measuring")
    parser.add_argument("--keep", type=Path, help="work directory to keep (config, logs) instead of a temporary one")
    args = parser.parse_args(argv)
    name = "smoke" if args.smoke else "quick" if args.quick else "full"
    command = "python -m benchmarks.run" + {"full": "", "quick": " --quick", "smoke": " --smoke"}[name]
    started = time.monotonic()
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        results, info = saved["results"], saved["machine"]
        command = saved.get("command", command)
    else:
        with tempfile.TemporaryDirectory(prefix="nexusgw-bench-") as tmp:
            results = run(SIZES[name], args.keep or Path(tmp))
        info = machine()
    table = rows(results)
    text = markdown(table, info, command, results["sizes"])  # type: ignore[arg-type]
    print(text)
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    if args.write:
        write_section(args.write, text)
    if args.json:
        saved = {"results": results, "machine": info, "command": command, "rows": [asdict(r) for r in table]}
        args.json.write_text(json.dumps(saved, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
