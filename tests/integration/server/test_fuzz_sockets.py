"""A bounded, seeded fuzz of every gateway socket with hostile frames (issue 9, "a fuzz of every socket").

Each case is a message the gateway must refuse: wrong frame counts, garbage MessagePack, unknown types and
versions, huge integers, deep nesting, NaN/inf, wrong types, frames above the socket's size cap. Asserted:
every refusable message gets its reply (ERROR on the platform and NEXUS sockets, STATUS ok:false on admin),
an oversized frame only costs its sender the connection, no traceback reaches the log, and a well-formed
signal is served afterwards.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Iterator

import msgspec
import pytest
import zmq

from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server import limits
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]
SEED = int(os.environ.get("NEXUSGW_FUZZ_SEED", "9"))
CASES_PER_SOCKET = 150
BUDGET_S = 30.0
Case = tuple[list[bytes], bool]  # frames, whether a reply must come


def _hostile_value(rng: random.Random) -> object:
    return rng.choice(
        [
            math.nan,
            math.inf,
            -math.inf,
            -1.0,
            0.0,
            2**64 - 1,
            -(2**63),
            "x" * rng.randint(0, 300),
            b"\x00\xff",
            [],
            {"k": [1, {"z": None}]},
            None,
            True,
        ]
    )


def _nested(depth: int) -> bytes:
    return b"\x81\xa1x" + b"\x91" * depth + b"\xc0"


def _payload(rng: random.Random, fields: dict[str, object]) -> bytes:
    """A payload that is wrong somehow: garbage bytes, deep nesting, or ``fields`` with a hostile value."""
    kind = rng.randrange(5)
    if kind == 0:
        return b"\xc1" + rng.randbytes(rng.randint(0, 200))  # 0xc1 is never valid MessagePack
    if kind == 1:
        return _nested(rng.choice([2_000, 30_000]))
    if kind == 2:
        return msgspec.msgpack.encode(rng.choice([[1, 2], "str", 7, None, math.nan]))
    broken = dict(fields)
    for _ in range(rng.randint(1, 3)):
        broken[rng.choice(list(fields))] = _hostile_value(rng)
    return msgspec.msgpack.encode(broken)


# Bases missing a required field, so that no hostile change can make them valid by chance.
SIGNAL = {"client_id": "fz", "symbol": "NQ", "signal": math.nan, "qty": 1.0}  # no confidence
FILL = {"fill_id": "F", "qty": math.nan, "price": 1.0}  # no leg_id
TICKS = {"platform": "x"}  # no ticks


def _frames_case(rng: random.Random, header_payloads: list[tuple[bytes, dict[str, object]]], cap: int) -> Case:
    """One hostile message for a DEALER on the platform or NEXUS socket."""
    header, fields = rng.choice(header_payloads)
    kind = rng.randrange(9)
    if kind == 0:
        return [header], True  # one frame
    if kind == 1:
        return [header, msgspec.msgpack.encode(fields), b"extra"], True  # three frames
    if kind == 2:
        return [rng.randbytes(rng.randint(1, 40)), msgspec.msgpack.encode(fields)], True  # garbage header
    if kind == 3:
        return [b"NOPE/1", msgspec.msgpack.encode(fields)], True
    if kind == 4:
        return [header.split(b"/")[0] + b"/" + str(rng.randint(2, 10**6)).encode(), b"\x80"], True
    if kind == 5 and rng.random() < 0.3:
        return [header, b"\x80" * (cap + 1)], False  # above MAXMSGSIZE: the connection is dropped
    return [header, _payload(rng, fields)], True


def _admin_case(rng: random.Random) -> Case:
    cap = limits.ADMIN.max_message_bytes
    request = {
        "command": rng.choice(["status", "approvals.approve", "approvals.reject", "trading.state", "x" * 50, ""]),
        "args": {rng.choice(["id", "state", "scope", "value", "note"]): _hostile_value(rng)},
    }
    kind = rng.randrange(7)
    if kind == 0:
        return [b"ADMIN/1", msgspec.msgpack.encode(request)], True  # no empty delimiter
    if kind == 1:
        return [b"", b"ADMIN/1"], True
    if kind == 2:
        return [b"", b"ADMIN/1", b"\x80", b"more", b"frames"], True
    if kind == 3:
        return [b"", rng.randbytes(10), msgspec.msgpack.encode(request)], True
    if kind == 4 and rng.random() < 0.3:
        return [b"", b"ADMIN/1", b"\x80" * (cap + 1)], False
    if kind == 5:
        return [b"", b"ADMIN/1", _payload(rng, {"command": "status", "args": {}})], True
    request["args"] = rng.choice([request["args"], [1], "args", 5])
    if request["command"] == "status" and isinstance(request["args"], dict):
        request["command"] = "approvals.approve"  # status itself would rightly answer ok
    return [b"", b"ADMIN/1", msgspec.msgpack.encode(request)], True


class Keepalive:
    """Heartbeats from the well-behaved peers while the fuzz runs, so the gateway keeps them online."""

    def __init__(self, peers: list[RawPeer]) -> None:
        self.peers = peers
        self.last = 0.0

    def __call__(self) -> None:
        if time.monotonic() - self.last > 0.1:
            for peer in self.peers:
                peer.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))
            self.last = time.monotonic()


QUIET = (b"HEARTBEAT/", b"MARKET_DATA/", b"WELCOME/")


def _reply(sock: zmq.Socket[bytes], deadline: float, alive: Keepalive) -> list[bytes] | None:
    while time.monotonic() < deadline:
        alive()
        if sock.poll(50):
            frames = sock.recv_multipart()
            if len(frames) < 2 or not frames[-2].startswith(QUIET):
                return frames
    return None


def _reconnected(sock: zmq.Socket[bytes], probe: list[bytes], alive: Keepalive) -> None:
    """After an oversized frame the gateway dropped the connection (and what was queued behind it): wait
    until ZeroMQ has reconnected, i.e. a probe is answered, then drain the answers to earlier probes."""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        sock.send_multipart(probe)
        if _reply(sock, time.monotonic() + 0.3, alive) is not None:
            while _reply(sock, time.monotonic() + 0.3, alive) is not None:
                pass
            return
    raise AssertionError("the peer could not reconnect after an oversized frame")


def _fuzz(
    sock: zmq.Socket[bytes],
    cases: Iterator[Case],
    reply_prefix: bytes,
    started: float,
    alive: Keepalive,
    probe: list[bytes],
) -> int:
    answered = 0
    for frames, must_reply in cases:
        assert time.monotonic() - started < BUDGET_S, "fuzz took too long"
        sock.send_multipart(frames)
        if not must_reply:
            _reconnected(sock, probe, alive)
            continue
        reply = _reply(sock, time.monotonic() + 5.0, alive)
        assert reply is not None, f"no reply to {[f[:40] for f in frames]}"
        assert reply[-2].startswith(reply_prefix), reply
        answered += 1
    return answered


def _dealer(zctx: zmq.Context[zmq.Socket[bytes]], endpoint: str, identity: bytes | None) -> zmq.Socket[bytes]:
    sock = zctx.socket(zmq.DEALER)
    if identity:
        sock.setsockopt(zmq.IDENTITY, identity)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    return sock


def test_every_socket_answers_hostile_frames_and_keeps_serving(
    zctx: zmq.Context[zmq.Socket[bytes]],
    endpoints: Endpoints,
    running_gateway: Gateway,
    nexus_peer: RawPeer,
    platform_peer_factory: PlatformFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rng = random.Random(SEED)
    started = time.monotonic()
    nt8, nt8_welcome = platform_peer_factory("nt8")
    alive = Keepalive([nexus_peer, nt8])

    engine = _dealer(zctx, endpoints.nexus, b"fuzz-engine")
    engine.send_multipart([b"HELLO/1", msgspec.msgpack.encode({"role": "nexus", "name": "fuzz-engine"})])
    assert engine.poll(3000) and engine.recv_multipart()[0].startswith(b"WELCOME/")
    nexus_kinds = [(b"SIGNAL/1", SIGNAL), (b"CANCEL/1", {"order_id": 5}), (b"HELLO/1", {"role": 5})]
    cap = limits.NEXUS.max_message_bytes
    n_nexus = _fuzz(
        engine,
        (_frames_case(rng, nexus_kinds, cap) for _ in range(CASES_PER_SOCKET)),
        b"ERROR/",
        started,
        alive,
        [b"SIGNAL/1"],
    )

    adapter = _dealer(zctx, endpoints.platform, b"sierra")
    adapter.send_multipart([b"HELLO/1", msgspec.msgpack.encode({"role": "platform", "name": "sierra"})])
    assert adapter.poll(3000) and adapter.recv_multipart()[0].startswith(b"WELCOME/")
    platform_kinds = [(b"FILL/1", FILL), (b"MARKET_DATA/1", TICKS), (b"POSITION/1", {"positions": {"NQ": math.inf}})]
    cap = limits.PLATFORM.max_message_bytes
    n_platform = _fuzz(
        adapter,
        (_frames_case(rng, platform_kinds, cap) for _ in range(CASES_PER_SOCKET)),
        b"ERROR/",
        started,
        alive,
        [b"FILL/1"],
    )

    admin = _dealer(zctx, endpoints.admin, None)
    n_admin = _fuzz(
        admin, (_admin_case(rng) for _ in range(CASES_PER_SOCKET)), b"STATUS/", started, alive, [b"", b"ADMIN/1"]
    )
    assert min(n_nexus, n_platform, n_admin) > CASES_PER_SOCKET * 0.8

    assert not running_gateway.risk.engine.kill_switch.active
    nt8.quote(nt8_welcome)  # a fresh quote: a slow fuzz on a busy machine outlasts the first one's freshness
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="after-fuzz", symbol="NQ", signal=1, confidence=0.9, qty=1))
    msg_type, update = nexus_peer.recv(5.0)
    assert msg_type is MsgType.ORDER_UPDATE and update.status is OrderStatus.SENT, update
    assert nt8.recv(5.0, skip=(MsgType.HEARTBEAT, MsgType.MARKET_DATA, MsgType.ACK))[0] is MsgType.ORDER
    assert running_gateway.counters["unexpected_errors"] == 0
    assert not [r for r in caplog.records if r.exc_info], "a traceback reached the log"
    for sock in (engine, adapter, admin):
        sock.close(linger=0)
