"""Hostile numbers and malformed messages at the gateway's edge, over real sockets (issue 9)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import msgspec
import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]
NAN, INF = math.nan, math.inf


def expect_error(peer: RawPeer, code: ErrorCode, timeout_s: float = 3.0) -> m.Error:
    msg_type, msg = peer.recv(timeout_s)
    assert msg_type is MsgType.ERROR, msg
    assert msg.code == code, msg
    return msg


def no_order_reaches(platform: RawPeer) -> None:
    with pytest.raises(TimeoutError):
        platform.recv(0.5, skip=(MsgType.HEARTBEAT, MsgType.MARKET_DATA, MsgType.ACK))


def good(cid: str, **kw: object) -> m.Signal:
    fields: dict[str, object] = {"symbol": "NQ", "signal": 1.0, "confidence": 0.85, "qty": 1.0}
    fields.update(kw)
    return m.Signal(client_id=cid, **fields)  # type: ignore[arg-type]


def test_nan_direction_is_refused_naming_the_field_and_never_becomes_a_sell(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, good("nan-dir", signal=NAN))
    error = expect_error(nexus_peer, ErrorCode.INVALID_FIELD)
    assert error.ref == "nan-dir" and "signal is nan" in error.message
    no_order_reaches(nt8)
    nexus_peer.send(MsgType.SIGNAL, good("after-nan"))
    assert nexus_peer.recv()[1].status is OrderStatus.SENT


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"order_type": "LIMIT", "limit_price": INF}, "limit_price is inf"),
        ({"order_type": "LIMIT", "limit_price": NAN}, "limit_price is nan"),
        ({"order_type": "LIMIT", "limit_price": -5.0}, "limit_price is -5.0"),
        ({"order_type": "STOP", "stop_price": INF}, "stop_price is inf"),
        ({"order_type": "STOP", "stop_price": -1.0}, "stop_price is -1.0"),
        ({"qty": NAN}, "qty is nan"),
        ({"qty": INF}, "qty is inf"),
        ({"qty": -INF}, "qty is -inf"),
        ({"confidence": NAN}, "confidence is nan"),
        ({"signal": -INF}, "signal is -inf"),
        ({"mqscore": m.MQScore(composite=0.5, noise=NAN)}, "mqscore.noise is nan"),
        ({"mqscore": m.MQScore(composite=INF)}, "mqscore.composite is inf"),
    ],
)
def test_non_finite_and_negative_numbers_are_refused_with_the_field_and_the_client_id(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, fields: dict[str, object], named: str
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, good("bad-number", **fields))
    error = expect_error(nexus_peer, ErrorCode.INVALID_FIELD)
    assert named in error.message and error.ref == "bad-number", error
    no_order_reaches(nt8)


def test_an_absurd_quantity_is_refused_with_the_maximum_not_scaled(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, good("huge", qty=1e308))
    error = expect_error(nexus_peer, ErrorCode.INVALID_FIELD)
    assert error.ref == "huge" and "qty 1e+308 exceeds" in error.message
    assert "send qty <= 20" in error.message  # dev: position limit 10, a full reversal is 20
    no_order_reaches(nt8)


def test_errors_carry_the_signals_client_id_even_when_the_payload_is_invalid(nexus_peer: RawPeer) -> None:
    nexus_peer.send_raw(b"SIGNAL/1", msgspec.msgpack.encode({"client_id": "no-conf", "symbol": "NQ", "signal": 1}))
    error = expect_error(nexus_peer, ErrorCode.INVALID_FIELD)
    assert error.ref == "no-conf" and "confidence" in error.message
    nexus_peer.send_raw(b"SIGNAL/9", msgspec.msgpack.encode({"client_id": "v9", "symbol": "NQ"}))
    assert expect_error(nexus_peer, ErrorCode.UNSUPPORTED_VERSION).ref == "v9"


def test_a_float_ts_ns_gets_a_clear_error_on_a_signal(nexus_peer: RawPeer) -> None:
    nexus_peer.send_raw(b"SIGNAL/1", msgspec.msgpack.encode(msgspec.to_builtins(good("f-ts")) | {"ts_ns": 1.7e18}))
    error = expect_error(nexus_peer, ErrorCode.INVALID_FIELD)
    assert "ts_ns must be a 64-bit integer" in error.message and error.ref == "f-ts"


def _heartbeat_only_engine(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, name: str, beat: dict[str, object]
) -> RawPeer:
    """An engine that says HELLO and then only sends ``beat`` every 0.1 s for 1.5 s (liveness is 0.6 s)."""
    peer = RawPeer(zctx, endpoints.nexus, name, codec.GATEWAY_TO_NEXUS)
    peer.send(MsgType.HELLO, m.Hello(role="nexus", name=name))
    assert peer.recv()[0] is MsgType.WELCOME
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        peer.send_raw(b"HEARTBEAT/1", msgspec.msgpack.encode(beat))
        time.sleep(0.1)
    return peer


def test_a_javascript_engine_heartbeating_float_ts_ns_stays_connected(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    peer = _heartbeat_only_engine(zctx, endpoints, "js-engine", {"ts_ns": float(time.time_ns())})
    assert "js-engine" in admin_request(endpoints.admin, "status")["nexus_clients"]
    with pytest.raises(TimeoutError):  # accepted: no ERROR came back
        peer.recv(0.3, skip=(MsgType.HEARTBEAT, MsgType.MARKET_DATA, MsgType.WELCOME))
    peer.close()


def test_a_refused_heartbeat_still_counts_as_life(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    peer = _heartbeat_only_engine(zctx, endpoints, "odd-engine", {"ts_ns": "now"})
    assert expect_error(peer, ErrorCode.INVALID_FIELD).message.startswith("HEARTBEAT")
    assert "odd-engine" in admin_request(endpoints.admin, "status")["nexus_clients"]
    peer.close()


def test_deep_nesting_gets_an_error_and_no_traceback(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, caplog: pytest.LogCaptureFixture
) -> None:
    nexus_peer.send_raw(b"SIGNAL/1", b"\x81\xa1x" + b"\x91" * 50_000 + b"\xc0")  # under the 64 KiB cap
    assert "nests too deeply" in expect_error(nexus_peer, ErrorCode.BAD_PAYLOAD).message
    nexus_peer.send_raw(b"HEARTBEAT/1", b"\x81\xa1x" + b"\x91" * 50_000 + b"\xc0")
    expect_error(nexus_peer, ErrorCode.BAD_PAYLOAD)
    nt8, _ = platform_peer_factory("nt8")
    nt8.send_raw(b"POSITION/1", b"\x81\xa1x" + b"\x91" * 100_000 + b"\xc0")
    expect_error(nt8, ErrorCode.BAD_PAYLOAD)
    assert not [r for r in caplog.records if r.exc_info]


def _order_for(nexus_peer: RawPeer, nt8: RawPeer, cid: str) -> m.Order:
    nexus_peer.send(MsgType.SIGNAL, good(cid))
    assert nexus_peer.recv()[1].status is OrderStatus.SENT
    msg_type, order = nt8.recv(skip=(MsgType.HEARTBEAT, MsgType.MARKET_DATA, MsgType.ACK))
    assert msg_type is MsgType.ORDER
    return order


@pytest.mark.parametrize(("qty", "price"), [(1.0, NAN), (1.0, -21000.0), (NAN, 21000.0), (-1.0, 21000.0)])
def test_a_platform_fill_with_a_bad_number_is_refused_and_not_applied(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints, qty: float, price: float
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    order = _order_for(nexus_peer, nt8, "bad-fill")
    nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="F1", qty=qty, price=price, seq=1))
    error = expect_error(nt8, ErrorCode.INVALID_FIELD)
    assert error.message.startswith("FILL: ") and ("qty is" in error.message or "price is" in error.message)
    status = admin_request(endpoints.admin, "status")
    assert status["counts"].get("leg_fills", 0) == 0
    assert [o["filled_qty"] for o in status["active_orders"] if o["client_id"] == "bad-fill"] == [0]


def test_a_tick_with_a_nan_price_is_refused_and_not_forwarded(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, welcome = platform_peer_factory("nt8")
    symbol = welcome.subscriptions[0].symbol
    nt8.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(symbol, NAN, 1.0, 1.0, 1.0, time.time_ns())]))
    assert "ticks[0].bid is nan" in expect_error(nt8, ErrorCode.INVALID_FIELD).message
    nt8.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(symbol, 5.0, 5.25, INF, 1.0, time.time_ns())]))
    expect_error(nt8, ErrorCode.INVALID_FIELD)
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # nothing non-finite reaches the engine
        if nexus_peer.sock.poll(50):
            header, payload = nexus_peer.sock.recv_multipart()
            if header.startswith(b"MARKET_DATA"):
                ticks = msgspec.msgpack.decode(payload)["ticks"]
                assert all(math.isfinite(x) for t in ticks for x in t[1:5])


class AdminDealer:
    """A DEALER on the admin socket: it can send what a REQ never would."""

    def __init__(self, zctx: zmq.Context[zmq.Socket[bytes]], endpoint: str) -> None:
        self.sock = zctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)

    def ask(self, *frames: bytes, timeout_s: float = 3.0) -> m.Status:
        self.sock.send_multipart(list(frames))
        assert self.sock.poll(int(timeout_s * 1000)), f"no reply to {frames!r:.80}"
        reply = self.sock.recv_multipart()
        header, body = reply[-2:]
        msg_type, status = codec.Decoder(codec.GATEWAY_TO_OPERATOR).decode(header, body)
        assert msg_type is MsgType.STATUS
        return status


def _admin(command: str, args: object) -> bytes:
    return msgspec.msgpack.encode({"command": command, "args": args})


@pytest.mark.parametrize(
    ("frames", "says"),
    [
        ((b"ADMIN/1", _admin("status", {})), "BAD_FRAME"),
        ((b"", b"ADMIN/1"), "BAD_FRAME"),
        ((b"", b"ADMIN/1", _admin("status", {}), b"extra"), "BAD_FRAME"),
        ((b"", b"ADMIN/1", b"\xc1"), "BAD_PAYLOAD"),
        ((b"", b"ADMIN/1", _admin("status", [1, 2])), "INVALID_FIELD"),
        ((b"", b"ADMIN/7", _admin("status", {})), "UNSUPPORTED_VERSION"),
        ((b"", b"SIGNAL/1", _admin("status", {})), "not accepted on this socket"),
        ((b"", b"ADMIN/1", _admin("approvals.approve", {"id": 5})), "'id' must be a string"),
        ((b"", b"ADMIN/1", _admin("approvals.approve", {})), "'id' is required"),
        ((b"", b"ADMIN/1", _admin("trading.state", {"state": "PAUSED", "value": [1]})), "'value' must be"),
        ((b"", b"ADMIN/1", _admin("trading.state", {"state": "NOPE"})), "trading.state: "),
        ((b"", b"ADMIN/1", _admin("killswitch.activate", {"flatten": "yes"})), "'flatten' must be true or false"),
        ((b"", b"ADMIN/1", _admin("no.such", {})), "unknown command"),
    ],
)
def test_every_malformed_admin_request_gets_a_status_reply(
    zctx: zmq.Context[zmq.Socket[bytes]],
    endpoints: Endpoints,
    running_gateway: Gateway,
    caplog: pytest.LogCaptureFixture,
    frames: tuple[bytes, ...],
    says: str,
) -> None:
    status = AdminDealer(zctx, endpoints.admin).ask(*frames)
    assert not status.ok and says in status.message, status
    assert not running_gateway.risk.engine.kill_switch.active
    assert admin_request(endpoints.admin, "status")["counts"]["admin_errors"] >= 1
    assert not [r for r in caplog.records if r.exc_info]
