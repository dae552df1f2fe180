"""The four measures of issue 16, each gateway figure beside its baseline in the same run.

Every function returns a dict of named figures (floats, or None where the figure could not be taken) and leaves
no process running. The orchestration (sizes, repetitions, the table) is in ``benchmarks/run.py``.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.config import PLATFORMS
from benchmarks.harness import Gateway, Peer, Proxy, RssSampler, cpu_seconds


@dataclass(frozen=True)
class Sizes:
    md_batch_ticks: int  # ticks sent in 100-tick messages, per path and repetition
    md_single_ticks: int  # ticks sent one per message
    latency_messages: int  # single-tick messages at latency_rate
    latency_rate: float
    order_signals: int  # closed loop, one at a time: latency
    order_seconds: float  # closed loop, one signal per root in flight: throughput
    fsync_orders: int
    scale_ticks: int  # 500 symbols over six platforms, with bursts
    scale_burst: int  # messages per burst per platform
    repetitions: int
    idle_s: float = 1.5  # seconds without market data after which a consumer says it is done
    scale_symbols: int = 500


def _flow(
    producer_endpoint: str,
    consumer_endpoint: str,
    symbols: str,
    ticks: int,
    batch: int,
    pid: int,
    logs: Path,
    **kw: Any,
) -> dict[str, float]:
    """One producer → (gateway or proxy) → one consumer run: rate, relay CPU per tick, share delivered."""
    bare = ["--no-hello"] if symbols else []
    timing = ["--latency"] if kw.get("rate") else []
    idle = ["--idle", str(kw.get("idle", 1.5))]
    consumer = Peer("consume", "--endpoint", consumer_endpoint, *bare, *timing, *idle, log=logs / "consumer.log")
    extra = ["--symbols", symbols, "--roots-key", kw.get("roots_key", "")] if symbols else []
    if kw.get("rate"):
        extra += ["--rate", str(kw["rate"]), "--latency"]
    producer = Peer(
        "platform",
        *["--endpoint", producer_endpoint, "--name", PLATFORMS[0], *bare, *extra],
        *["--ticks", str(ticks), "--batch", str(batch), "--wait-go"],
        log=logs / "producer.log",
    )
    try:
        consumer.wait("ready", 60)
        ready = producer.wait("ready", 60)
        cpu0 = cpu_seconds(pid)
        producer.go()
        sent = producer.wait("result", 600)
        got = consumer.wait("result", 600)
        cpu1 = cpu_seconds(pid)
    finally:
        consumer.stop()
        producer.stop()
    elapsed = max(got["last_ns"] - sent["first_ns"], 1) / 1e9
    out = {
        "rate": sent["ticks"] / elapsed,
        "cpu_us": (cpu1 - cpu0) / sent["ticks"] * 1e6,
        "delivered": got["ticks"] / sent["ticks"],
        "symbols": ",".join(ready["symbols"]),
        "roots_key": ready.get("roots_key", ""),
    }
    for q in ("p50", "p99", "p99.9"):
        if q in got:
            out[q] = got[q]
    return out


def market_data(gateway: Gateway, sizes: Sizes, logs: Path) -> list[dict[str, Any]]:
    """Measures 1 and 2: per repetition, gateway then proxy, for batches, single ticks and paced latency."""
    reps = []
    ep = gateway.endpoints
    for _ in range(sizes.repetitions):
        rep: dict[str, Any] = {}
        for key, ticks, batch, rate in (
            ("batch", sizes.md_batch_ticks, 100, 0.0),
            ("single", sizes.md_single_ticks, 1, 0.0),
            ("latency", sizes.latency_messages, 1, sizes.latency_rate),
        ):
            gw = _flow(ep.platform, ep.nexus, "", ticks, batch, gateway.pid, logs, rate=rate, idle=sizes.idle_s)
            proxy = Proxy(logs / "proxy.log")
            try:
                symbols, roots_key = gw.pop("symbols"), gw.pop("roots_key")
                px = _flow(
                    proxy.front,
                    proxy.back,
                    symbols,
                    ticks,
                    batch,
                    proxy.pid,
                    logs,
                    rate=rate,
                    idle=sizes.idle_s,
                    roots_key=roots_key,
                )
            finally:
                proxy.stop()
            px.pop("symbols")
            px.pop("roots_key")
            rep[key] = {"gateway": gw, "proxy": px}
        reps.append(rep)
    return reps


def _platforms(gateway: Gateway, logs: Path, stream: list[str], **kw: str) -> list[Peer]:
    """Six fake adapters that fill every leg at once; those in ``stream`` also stream market data."""
    peers = []
    for name in PLATFORMS:
        args = ["--endpoint", gateway.endpoints.platform, "--name", name, "--fill"]
        if name in stream:
            args += [f"--{k.replace('_', '-')}" if v == "" else f"--{k.replace('_', '-')}={v}" for k, v in kw.items()]
        peers.append(Peer("platform", *args, log=logs / f"{name}.log"))
    for peer in peers:
        peer.wait("ready", 60)
    gateway.stack.wait_online(list(PLATFORMS), timeout_s=60)
    return peers


def _engine(gateway: Gateway, roots: list[str], logs: Path, name: str, *args: str) -> dict[str, Any]:
    engine = Peer(
        "engine",
        "--endpoint",
        gateway.endpoints.nexus,
        "--name",
        name,
        "--roots",
        ",".join(roots),
        *args,
        log=logs / f"{name}.log",
    )
    try:
        engine.wait("ready", 60)
        return engine.wait("result", 900)
    finally:
        engine.stop()


def _strace_fsyncs(pid: int, run: Any, logs: Path) -> tuple[tuple[int, float] | None, Any]:
    """fsync/fdatasync calls of every thread of ``pid`` while ``run()`` runs, and their seconds (None: no strace)."""
    strace = shutil.which("strace")
    if strace is None:
        return None, run()
    out = logs / "strace.txt"
    tracer = subprocess.Popen(
        [strace, "-f", "-qq", "-T", "-e", "trace=fsync,fdatasync", "-o", str(out), "-p", str(pid)],
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # attached to every thread
    if tracer.poll() is not None:  # not allowed to trace (no CAP_SYS_PTRACE, yama): measure without it
        return None, run()
    try:
        result = run()
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(10)
    calls, seconds = 0, 0.0
    for line in out.read_text(errors="replace").splitlines() if out.exists() else []:
        if "fsync(" in line or "fdatasync(" in line or "resumed>" in line:
            calls += "resumed>" not in line
            if line.rstrip().endswith(">") and "<unfinished" not in line:  # "... = 0 <0.000071>"
                seconds += float(line.rsplit("<", 1)[1].rstrip(">"))
    return (calls, seconds), result


def orders(gateway: Gateway, roots: list[str], sizes: Sizes, logs: Path) -> dict[str, Any]:
    """Measure 3: signal → six legs → six fills → one FILL; latency, sustained rate, fsyncs and CPU per order."""
    # one platform streams every root: one tick per symbol, 20 times a second
    peers = _platforms(gateway, logs, [PLATFORMS[0]], batch=str(len(roots)), rate="20")
    try:
        time.sleep(1.0)  # every root has a fresh quote
        out: dict[str, Any] = {}
        cpu0 = cpu_seconds(gateway.pid)
        lat = _engine(gateway, roots, logs, "bench-lat", "--signals", str(sizes.order_signals))
        out["latency"] = {**lat, "cpu_ms_per_order": (cpu_seconds(gateway.pid) - cpu0) / max(lat["filled"], 1) * 1e3}
        cpu0 = cpu_seconds(gateway.pid)
        tput = _engine(
            gateway,
            roots,
            logs,
            "bench-tput",
            "--duration",
            str(sizes.order_seconds),
            "--concurrency",
            str(len(roots)),
        )
        cpu1 = cpu_seconds(gateway.pid)
        out["throughput"] = {**tput, "cpu_ms_per_order": (cpu1 - cpu0) / max(tput["filled"], 1) * 1e3}
        fsyncs, traced = _strace_fsyncs(
            gateway.pid,
            lambda: _engine(gateway, roots, logs, "bench-fsync", "--signals", str(sizes.fsync_orders)),
            logs,
        )
        done = max(traced["filled"], 1)
        out["fsync_per_order"] = None if fsyncs is None else fsyncs[0] / done
        out["fsync_ms_per_order"] = None if fsyncs is None else fsyncs[1] / done * 1e3
        return out
    finally:
        for peer in peers:
            peer.stop()


def scale(gateway: Gateway, sizes: Sizes, logs: Path) -> dict[str, Any]:
    """Measure 4: 500 symbols from six platforms, paced with bursts; engine reads flat out; gateway RSS sampled."""
    per_platform = sizes.scale_ticks // len(PLATFORMS)
    consumer = Peer(
        "consume",
        "--endpoint",
        gateway.endpoints.nexus,
        "--idle",
        str(2 * sizes.idle_s),
        log=logs / "scale-consumer.log",
    )
    consumer.wait("ready", 60)
    sampler = RssSampler(gateway.pid)
    peers = []
    try:
        for name in PLATFORMS:
            peers.append(
                Peer(
                    "platform",
                    *["--endpoint", gateway.endpoints.platform, "--name", name, "--ticks", str(per_platform)],
                    *["--batch", "100", "--rate", "400", "--burst", str(sizes.scale_burst), "--burst-every", "3"],
                    *["--wait-go"],
                    log=logs / f"scale-{name}.log",
                )
            )
        symbols = len(peers[0].wait("ready", 60)["symbols"])
        for peer in peers[1:]:
            peer.wait("ready", 60)
        cpu0 = cpu_seconds(gateway.pid)
        for peer in peers:
            peer.go()
        sent = [peer.wait("result", 1800) for peer in peers]
        got = consumer.wait("result", 1800)
        cpu1 = cpu_seconds(gateway.pid)
        time.sleep(1.0)
    finally:
        samples = sampler.stop()
        consumer.stop()
        for peer in peers:
            peer.stop()
    ticks = sum(s["ticks"] for s in sent)
    first = min(s["first_ns"] for s in sent)
    rss = [mb for _, mb in samples]
    quarter = rss[len(rss) // 4] if rss else 0.0
    return {
        "symbols": symbols,
        "ticks": ticks,
        "rate": ticks / max(got["last_ns"] - first, 1) * 1e9,
        "cpu_us": (cpu1 - cpu0) / ticks * 1e6,
        "delivered": got["ticks"] / ticks,
        "rss_start": rss[0] if rss else 0.0,
        "rss_quarter": quarter,
        "rss_peak": max(rss, default=0.0),
        "rss_end": rss[-1] if rss else 0.0,
        "growth_mb": (rss[-1] - quarter) if rss else 0.0,
    }
