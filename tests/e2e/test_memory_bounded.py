"""One hostile local peer per socket cannot make the gateway process grow without bound (issue 9).

A real ``nexusgw serve`` process is flooded for a few seconds on each socket with frames just under and
above that socket's size cap, from a real ZeroMQ peer; its peak resident memory (``VmHWM`` in
/proc/<pid>/status) must stay within what the socket limits allow, and it must still answer afterwards.
Before the limits, 1 MB messages took it from 63 MB to 3.5 GB in 20 s.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import msgspec
import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.server import limits
from nexus_gw.stack import LocalStack

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status (Linux only)"),
]

MIB = 1024 * 1024
FLOOD_S = 8.0
SLACK = 200 * MIB  # interpreter, journal, decode buffers and allocator fragmentation


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} missing from /proc/{pid}/status")


def _flood(
    ctx: zmq.Context[zmq.Socket[bytes]],
    endpoint: str,
    identity: bytes,
    first: list[bytes],
    frames: list[bytes],
    stop: threading.Event,
) -> int:
    """Say ``first`` (a HELLO), then send ``frames`` as fast as ZeroMQ takes them (zero-copy: one buffer, many
    sends) until ``stop``."""
    sock = ctx.socket(zmq.DEALER)
    if identity:
        sock.setsockopt(zmq.IDENTITY, identity)
    sock.setsockopt(zmq.SNDHWM, 4)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    if first:
        sock.send_multipart(first)
    sent = 0
    try:
        while not stop.is_set():
            try:
                for frame in frames[:-1]:
                    sock.send(frame, zmq.SNDMORE | zmq.NOBLOCK, copy=False)
                sock.send(frames[-1], zmq.NOBLOCK, copy=False)
                sent += 1
            except zmq.Again:
                time.sleep(0.001)
    finally:
        sock.close(linger=0)
    return sent


def test_flooding_every_socket_keeps_the_gateway_memory_bounded_and_it_still_answers(tmp_path: Path) -> None:
    stack = LocalStack("dev", Path(__file__).resolve().parents[2] / "config", tmp_path / "run")
    stack.start_gateway()
    try:
        pid = stack.status()["pid"]
        before = _kib(pid, "VmHWM")
        eps = stack.endpoints
        junk = b"\xc1"  # never valid MessagePack: refused at once
        cap = limits.PLATFORM.max_message_bytes
        # The heavy kind: valid market data just under the cap, ~130k ticks the gateway must look at one by one.
        tick = ["NOT-SUBSCRIBED", 1.0, 1.25, 1.25, 1.0, 1]
        per_tick = len(msgspec.msgpack.encode(tick))
        heavy = msgspec.msgpack.encode({"ticks": [tick] * ((cap - 64) // per_tick)})
        assert len(heavy) <= cap
        hello = [b"HELLO/1", msgspec.msgpack.encode({"role": "platform", "name": "nt8"})]
        engine = [b"HELLO/1", msgspec.msgpack.encode({"role": "nexus", "name": "flood"})]
        padded_status = msgspec.msgpack.encode({"command": "status", "pad": "x" * (60 * 1024)})
        floods = [
            (eps.platform, b"nt8", hello, [b"MARKET_DATA/1", heavy]),
            (eps.platform, b"mt5_global", [], [b"HEARTBEAT/1", junk * (cap + 1)]),
            (eps.nexus, b"flood", engine, [b"HEARTBEAT/1", msgspec.msgpack.encode({"pad": "x" * (60 * 1024)})]),
            (eps.nexus, b"", [], [b"SIGNAL/1", junk * MIB]),
            (eps.admin, b"", [], [b"", b"ADMIN/1", padded_status]),
            (eps.admin, b"", [], [b"", b"ADMIN/1", junk * (8 * MIB)]),
        ]
        allowed = (
            limits.PLATFORM.inbound_bytes_per_peer * 2
            + limits.NEXUS.inbound_bytes_per_peer * 2
            + limits.ADMIN.inbound_bytes_per_peer * 2
            + SLACK
        )
        ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        stop = threading.Event()
        threads = [threading.Thread(target=_flood, args=(ctx, *flood, stop), daemon=True) for flood in floods]
        for t in threads:
            t.start()
        deadline = time.monotonic() + FLOOD_S
        while time.monotonic() < deadline:
            assert _kib(pid, "VmRSS") - before < allowed, "gateway memory grew past its socket limits"
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=10)
        ctx.destroy(linger=0)
        grown = _kib(pid, "VmHWM") - before
        print(f"peak RSS grew by {grown / MIB:.0f} MiB (allowed {allowed / MIB:.0f} MiB)")
        assert grown < allowed, f"peak RSS grew by {grown / MIB:.0f} MiB (allowed {allowed / MIB:.0f} MiB)"

        status = admin_request(eps.admin, "status", timeout_s=10.0)  # it still answers
        assert status["pid"] == pid and status["counts"]["market_data_unknown_symbol"] > 0
        log = stack.log_path("gateway").read_text(errors="replace")
        assert "Traceback" not in log
        assert len(log) < 2 * MIB, "the log grew with the flood: repeated lines are not rate-limited"
    finally:
        codes = stack.stop_all()
    assert codes.get("gateway") in (None, 0), stack.tail("gateway")
