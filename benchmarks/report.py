"""The benchmark's table: each figure beside its same-run baseline and the issue's target, plus the machine it ran on.

``rows(results)`` turns what ``benchmarks/measures.py`` measured into rows; ``markdown(...)`` renders them;
``write_section(path, text)`` replaces the marked section of docs/performance.md (or appends it).
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BEGIN = "<!-- benchmarks/run.py: begin (generated; edits inside are replaced) -->"
END = "<!-- benchmarks/run.py: end -->"


@dataclass
class Row:
    measure: str
    target: str
    gateway: float | None
    baseline: float | None = None
    compare: str = ""  # ratio or difference to the baseline, as text
    verdict: str = ""  # met / missed by how much
    spread: str = ""  # [min..max] over repetitions
    digits: int = 0


def machine() -> dict[str, str]:
    import msgspec
    import zmq

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "pyzmq": zmq.__version__,
        "libzmq": zmq.zmq_version(),
        "msgspec": msgspec.__version__,
        "commit": commit,
    }


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float], digits: int) -> str:
    return f"[{min(values):,.{digits}f}..{max(values):,.{digits}f}]" if len(values) > 1 else ""


def _floor(target: float, value: float, unit: str) -> str:
    return (
        "met" if value >= target else f"missed: {value / target:.2g}× the target ({target - value:,.0f} {unit} short)"
    )


def _ceiling(target: float, value: float, unit: str) -> str:
    return "met" if value <= target else f"missed: {value / target:.1f}× the target (+{value - target:,.1f} {unit})"


def rows(results: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    reps = results["market_data"]

    def series(kind: str, path: str, key: str) -> list[float]:
        return [rep[kind][path][key] for rep in reps]

    rate = series("batch", "gateway", "rate")
    prate = series("batch", "proxy", "rate")
    ratio = [g / p for g, p in zip(rate, prate, strict=True)]
    verdict = _floor(1_000_000, _median(rate), "ticks/s")
    verdict += "; " + ("ratio met" if _median(ratio) >= 0.5 else f"ratio {_median(ratio):.2f} of 0.5")
    out.append(
        Row(
            "1. market data, 100-tick batches, ticks/s",
            "≥ 1,000,000 and ≥ 0.5× proxy",
            _median(rate),
            _median(prate),
            f"{_median(ratio):.2f}×",
            verdict,
            _spread(rate, 0),
        )
    )
    srate, sprate = series("single", "gateway", "rate"), series("single", "proxy", "rate")
    sratio = [g / p for g, p in zip(srate, sprate, strict=True)]
    out.append(
        Row(
            "1. market data, single ticks, ticks/s",
            "–",
            _median(srate),
            _median(sprate),
            f"{_median(sratio):.2f}×",
            "",
            _spread(srate, 0),
        )
    )
    for kind, label in (("batch", "100-tick batches"), ("single", "single ticks")):
        cpu, pcpu = series(kind, "gateway", "cpu_us"), series(kind, "proxy", "cpu_us")
        times = f"{_median(cpu) / _median(pcpu):.1f}×" if _median(pcpu) > 0 else "proxy CPU below clock resolution"
        out.append(
            Row(f"1. relay CPU per tick, {label}, µs", "–", _median(cpu), _median(pcpu), times, "", _spread(cpu, 2), 2)
        )
    share = [100 * v for v in series("batch", "gateway", "delivered")]
    out.append(
        Row(
            "1. ticks delivered to the engine (flat-out Python reader), 100-tick batches, %",
            "–",
            _median(share),
            100 * _median(series("batch", "proxy", "delivered")),
            "",
            "the gateway conflates per root (latest wins) when the engine lags",
            _spread(share, 0),
        )
    )
    rate_hz = results["sizes"]["latency_rate"]
    for q, target in (("p50", 15.0), ("p99", 100.0), ("p99.9", None)):
        g, p = series("latency", "gateway", q), series("latency", "proxy", q)
        added = [a - b for a, b in zip(g, p, strict=True)]
        verdict = "" if target is None else _ceiling(target, _median(added), "µs")
        if target is not None and _median(added) < 0:
            verdict = "met, within noise (the proxy's tail was the worse one in this run)"
        out.append(
            Row(
                f"2. latency producer→engine at {rate_hz:,.0f} msg/s, {q}, µs (added over proxy in compare)",
                "–" if target is None else f"added ≤ {target:.0f} µs",
                _median(g),
                _median(p),
                f"{_median(added):+,.0f} µs",
                verdict,
                _spread(g, 0),
            )
        )
    orders = results["orders"]
    lat, tput = orders["latency"], orders["throughput"]
    out.append(Row("3. signal → aggregated FILL, 6 platforms, one at a time, p50 ms", "–", lat.get("p50"), digits=2))
    out.append(
        Row(
            "3. signal → aggregated FILL, one at a time, p99 ms",
            "≤ 2 ms",
            lat.get("p99"),
            verdict=(_ceiling(2.0, lat["p99"], "ms") if "p99" in lat else "no fill"),
            digits=2,
        )
    )
    signals = tput["filled"] / tput["seconds"] if tput["seconds"] else 0.0
    out.append(
        Row(
            "3. sustained signals/s (closed loop, one per root in flight)",
            "≥ 5,000",
            signals,
            verdict=_floor(5000, signals, "signals/s"),
            digits=1,
        )
    )
    out.append(Row("3. signal → FILL at that load, p50 ms", "–", tput.get("p50"), digits=1))
    out.append(
        Row(
            "3. signal → FILL at that load, p99 ms",
            "≤ 2 ms",
            tput.get("p99"),
            verdict=(_ceiling(2.0, tput["p99"], "ms") if "p99" in tput else "no fill"),
            digits=1,
        )
    )
    out.append(Row("3. gateway CPU per order, one at a time, ms", "–", lat["cpu_ms_per_order"], digits=2))
    out.append(Row("3. gateway CPU per order at that load, ms", "–", tput["cpu_ms_per_order"], digits=2))
    fsync = orders["fsync_per_order"]
    out.append(
        Row(
            "3. fsync + fdatasync per order (strace on the gateway)",
            "–",
            fsync,
            digits=1,
            verdict="" if fsync is not None else "n/a: strace not installed or not allowed to attach",
        )
    )
    fsync_ms = orders["fsync_ms_per_order"]
    out.append(
        Row(
            "3. time inside fsync + fdatasync per order, ms (strace -T)",
            "–",
            fsync_ms,
            digits=2,
            verdict="" if fsync_ms is not None else "n/a: strace not installed or not allowed to attach",
        )
    )
    unfinished = float(tput["unfinished"])
    out.append(
        Row(
            "3. orders still in flight when the closed loop ended (after a grace)",
            "0",
            unfinished,
            verdict=f"the engine was dropped as silent and said HELLO again ×{tput['rehellos']}"
            if tput.get("rehellos")
            else "",
        )
    )
    rejected = sum(lat["rejected"].values()) + sum(tput["rejected"].values())
    out.append(
        Row(
            "3. signals refused during the run",
            "0",
            float(rejected),
            verdict="; ".join(f"{k} ×{v}" for k, v in {**lat["rejected"], **tput["rejected"]}.items()),
        )
    )
    sc = results["scale"]
    out.append(Row(f"4. {sc['symbols']} symbols over 6 platforms with bursts, ticks/s", "–", sc["rate"]))
    out.append(Row(f"4. relay CPU per tick at {sc['symbols']} symbols, µs", "–", sc["cpu_us"], digits=2))
    out.append(
        Row(
            f"4. gateway RSS over {sc['ticks']:,} ticks, peak MB",
            "flat",
            sc["rss_peak"],
            compare=f"start {sc['rss_start']:,.0f}, end {sc['rss_end']:,.0f}",
        )
    )
    growth = sc["growth_mb"]
    out.append(
        Row(
            "4. RSS growth from the first quarter of the run to its end, MB",
            "flat (≤ 5 %)",
            growth,
            verdict="met"
            if growth <= 0.05 * max(sc["rss_quarter"], 1)
            else f"missed: +{growth:,.1f} MB ({100 * growth / max(sc['rss_quarter'], 1):.0f} %)",
            digits=1,
        )
    )
    return out


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def markdown(table: list[Row], info: dict[str, str], command: str, sizes: dict[str, Any]) -> str:
    lines = [
        BEGIN,
        f"Measured {info['date']} with `{command}` (commit {info['commit']}): {info['cpu']}, {info['cores']} cores, "
        f"{info['os']}, Python {info['python']}, pyzmq {info['pyzmq']} (libzmq {info['libzmq']}), "
        f"msgspec {info['msgspec']}. The machine is shared and noisy: other work ran beside the benchmark, so "
        "trust the same-run ratios more than absolute rates. Every process is separate (gateway, producer, "
        f"consumer, `zmq.proxy`, adapters, engine) on loopback TCP. Repetitions of measures 1–2: "
        f"{sizes['repetitions']} (median, [min..max] of the gateway figure).",
        "",
        "| measure | target | gateway | baseline, same run | compare | verdict | spread |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for row in table:
        lines.append(
            f"| {row.measure} | {row.target} | {_fmt(row.gateway, row.digits)} | {_fmt(row.baseline, row.digits)} "
            f"| {row.compare} | {row.verdict} | {row.spread} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace the generated section of ``path`` (between the markers), or append it."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        current = head + text + tail
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current, encoding="utf-8")
