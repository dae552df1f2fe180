"""Only the order path of ``benchmarks.run`` (measure 3), with the gateway's CPU split into user and system time,
and optionally a sampling profile of the gateway process: for comparing two versions back to back.

    python -m benchmarks.order_path [--signals 300] [--seconds 8] [--data-dir /dev/shm] [--profile out.txt]

The same processes as measure 3: a gateway with the generated ``bench`` profile (50 roots), six fake platforms that
fill every leg at once (one streams a tick of every root 20 times a second), and an engine that sends ``--signals``
signals one at a time, then keeps one signal per root in flight for ``--seconds``. ``--data-dir`` puts the run (and
the journal) under that directory: a tmpfs there (``/dev/shm``) leaves fsync out, so what remains is the gateway's
CPU. ``--profile`` records the gateway with ``py-spy`` (``pip install py-spy``) in its raw (collapsed stack)
format while the engines run. Prints one JSON object; Linux only (CPU from ``/proc``). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import measures
from benchmarks.config import PLATFORMS, write_config
from benchmarks.harness import Gateway

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def user_system(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of every thread of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / _TICK, int(fields[12]) / _TICK


def _per_order(before: tuple[float, float], after: tuple[float, float], orders: int) -> dict[str, float]:
    user, system = ((b - a) / max(orders, 1) * 1e3 for a, b in zip(before, after, strict=True))
    return {"cpu_ms_per_order": user + system, "user_ms_per_order": user, "system_ms_per_order": system}


def _profiler(pid: int, out: Path, rate: int) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy on PATH: pip install py-spy")
    command = [spy, "record", "--nonblocking", "-r", str(rate), "-f", "raw", "-o", str(out), "--pid", str(pid)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # attached
    return proc


def run(work: Path, signals: int, seconds: float, profile: Path | None = None, rate: int = 200) -> dict[str, Any]:
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    roots = write_config(work / "config-50", 50)
    gateway = Gateway(work / "config-50", work / "run-50")
    out: dict[str, Any] = {"signals": signals, "seconds": seconds, "data_dir": str(work)}
    try:
        peers = measures._platforms(gateway, logs, [PLATFORMS[0]], batch=str(len(roots)), rate="20")
        try:
            time.sleep(1.0)  # every root has a fresh quote
            spy = _profiler(gateway.pid, profile, rate) if profile is not None else None
            start = user_system(gateway.pid)
            lat = measures._engine(gateway, roots, logs, "bench-lat", "--signals", str(signals))
            middle = user_system(gateway.pid)
            loop = measures._engine(
                gateway, roots, logs, "bench-tput", "--duration", str(seconds), "--concurrency", str(len(roots))
            )
            end = user_system(gateway.pid)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(60)
        finally:
            for peer in peers:
                peer.stop()
    finally:
        gateway.stop()
    out["one_at_a_time"] = {
        "filled": lat["filled"],
        "p50_ms": lat["p50"],
        "p99_ms": lat["p99"],
        **_per_order(start, middle, lat["filled"]),
    }
    out["closed_loop"] = {
        "filled": loop["filled"],
        "signals_per_s": loop["filled"] / loop["seconds"],
        "p50_ms": loop["p50"],
        "p99_ms": loop["p99"],
        **_per_order(middle, end, loop["filled"]),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=300, help="signals one at a time (latency, CPU per order)")
    parser.add_argument("--seconds", type=float, default=8.0, help="closed loop, one signal per root in flight")
    parser.add_argument("--data-dir", type=Path, help="run (and journal) under this directory, e.g. a tmpfs")
    parser.add_argument("--profile", type=Path, help="write a py-spy profile of the gateway (raw format) here")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nexusgw-orders-", dir=args.data_dir) as tmp:
        result = run(Path(tmp), args.signals, args.seconds, args.profile, args.rate)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
