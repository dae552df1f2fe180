"""The gateway over real ZeroMQ sockets, with peers that speak the wire protocol by hand."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgpack
import pytest

from nexus_gw.client.admin import admin_request
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus, Side
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def signal(cid: str, symbol: str = "NQ", direction: float = 1.0, qty: float | None = 1) -> m.Signal:
    return m.Signal(client_id=cid, symbol=symbol, signal=direction, confidence=0.85, qty=qty)


def expect_error(peer: RawPeer, code: ErrorCode) -> m.Error:
    msg_type, msg = peer.recv()
    assert msg_type is MsgType.ERROR, msg
    assert msg.code == code, msg
    return msg


def test_welcome_lists_each_platforms_own_symbols(platform_peer_factory: PlatformFactory) -> None:
    _, nt8 = platform_peer_factory("nt8")
    _, brazil = platform_peer_factory("mt5_brazil")
    nt8_symbols = {s.root: s.symbol for s in nt8.subscriptions}
    assert set(nt8_symbols) == {"NQ", "ES"}
    assert nt8_symbols["NQ"].startswith("NQ ") and "-" in nt8_symbols["NQ"]
    assert {s.root for s in brazil.subscriptions} == {"WIN", "WDO"}
    assert all(s.tick_size > 0 for s in nt8.subscriptions)


def test_signal_routes_one_leg_per_platform_and_one_aggregated_fill_returns(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    platforms = {name: platform_peer_factory(name)[0] for name in ("nt8", "sierra", "mt5_global", "mt5_brazil")}
    nexus_peer.send(MsgType.SIGNAL, signal("sig-1"))
    msg_type, first = nexus_peer.recv()
    assert msg_type is MsgType.ORDER_UPDATE and first.status is OrderStatus.SENT
    assert {leg.platform for leg in first.legs} == {"nt8", "sierra", "mt5_global"}
    orders = {}
    for name in ("nt8", "sierra", "mt5_global"):
        msg_type, order = platforms[name].recv()
        assert msg_type is MsgType.ORDER and order.side is Side.BUY
        assert order.qty == (20 if name == "mt5_global" else 1)  # NAS100 lots: exposure-equivalent to 1 NQ
        orders[name] = order
    assert orders["mt5_global"].symbol == "NAS100"
    assert len({o.symbol for o in orders.values()}) == 3
    with pytest.raises(TimeoutError):
        platforms["mt5_brazil"].recv(timeout_s=0.3)
    prices = {"nt8": 16250.50, "sierra": 16250.75, "mt5_global": 16251.00}
    for name, order in orders.items():
        platforms[name].send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status=OrderStatus.ACCEPTED))
        platforms[name].send(
            MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="x1", qty=order.qty, price=prices[name])
        )
    seen = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    fills = [msg for t, msg in seen if t is MsgType.FILL]
    assert len(fills) == 1
    fill = fills[0]
    assert fill.client_id == "sig-1" and fill.status is OrderStatus.FILLED
    assert fill.filled_qty == 3 and fill.avg_price == pytest.approx(16250.75)
    assert {leg.platform: leg.avg_price for leg in fill.legs} == prices
    assert {leg.platform: leg.multiplier for leg in fill.legs}["mt5_global"] == 20
    finals = [msg for t, msg in seen if t is MsgType.ORDER_UPDATE and msg.final]
    assert len(finals) == 1


def test_duplicate_and_late_fills_are_counted_once(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("sig-dup", symbol="ES", qty=2))
    nexus_peer.recv()
    _, order = nt8.recv()
    for fill_id in ("a", "a", "b", "b"):
        nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id=fill_id, qty=1, price=5000.0))
    seen = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    assert seen[-1][1].filled_qty == 2
    with pytest.raises(TimeoutError):
        nexus_peer.recv(timeout_s=0.4)
    assert running_gateway.counters["duplicate_fills"] == 2


def test_resent_client_id_returns_the_existing_order(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("same"))
    _, first = nexus_peer.recv()
    for _ in range(20):
        nexus_peer.send(MsgType.SIGNAL, signal("same"))
    answers = [nexus_peer.recv()[1] for _ in range(20)]
    assert {a.order_id for a in answers} == {first.order_id}
    nt8.recv()
    with pytest.raises(TimeoutError):
        nt8.recv(timeout_s=0.3)
    assert running_gateway.counters["orders"] == 1


def test_second_signal_for_working_symbol_is_refused_with_reason(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("first"))
    nexus_peer.recv()
    _, order = nt8.recv()
    nexus_peer.send(MsgType.SIGNAL, signal("second"))
    _, refused = nexus_peer.recv()
    assert refused.status is OrderStatus.REJECTED and refused.final
    assert refused.reason.startswith("DUPLICATE_SYMBOL") and order.order_id in refused.reason
    nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="1", qty=1, price=1.0))
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    nexus_peer.send(MsgType.SIGNAL, signal("third", direction=-1))
    _, allowed = nexus_peer.recv()
    assert allowed.status is OrderStatus.SENT and allowed.side is Side.SELL


def test_signal_with_no_online_platform_is_refused(nexus_peer: RawPeer) -> None:
    nexus_peer.send(MsgType.SIGNAL, signal("lonely"))
    _, refused = nexus_peer.recv()
    assert refused.status is OrderStatus.REJECTED and "NO_ROUTE" in refused.reason


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ((b"SIGNAL/1",), ErrorCode.BAD_FRAME),
        ((b"SIGNAL/1", b"\xc1"), ErrorCode.BAD_PAYLOAD),
        ((b"LAUNCH/1", b"\x80"), ErrorCode.UNKNOWN_TYPE),
        ((b"SIGNAL/2", b"\x80"), ErrorCode.UNSUPPORTED_VERSION),
        ((b"SIGNAL/1", msgpack.packb({"client_id": "c", "symbol": "NQ", "signal": 1.0})), ErrorCode.INVALID_FIELD),
        ((b"SIGNAL/1", b"\x80", b"extra"), ErrorCode.BAD_FRAME),
    ],
)
def test_malformed_input_gets_an_error_and_the_gateway_keeps_serving(
    nexus_peer: RawPeer, frames: tuple[bytes, ...], code: ErrorCode, endpoints: Endpoints
) -> None:
    nexus_peer.send_raw(*frames)
    error = expect_error(nexus_peer, code)
    assert error.message
    assert admin_request(endpoints.admin, "status")["counts"]["errors"] >= 1


def test_unknown_symbol_error_names_the_client_id_and_known_roots(nexus_peer: RawPeer) -> None:
    nexus_peer.send(MsgType.SIGNAL, signal("u1", symbol="ZZ"))
    error = expect_error(nexus_peer, ErrorCode.UNKNOWN_SYMBOL)
    assert error.ref == "u1" and "NQ" in error.message
    nexus_peer.send(MsgType.SIGNAL, signal("u2", symbol="YM"))
    assert "not traded by profile dev" in expect_error(nexus_peer, ErrorCode.UNKNOWN_SYMBOL).message


@pytest.mark.parametrize(
    ("bad", "text"),
    [
        (m.Signal(client_id="z", symbol="NQ", signal=0.0, confidence=0.9), "signal is 0"),
        (m.Signal(client_id="z", symbol="NQ", signal=1.0, confidence=1.5), "outside 0..1"),
        (m.Signal(client_id="z", symbol="NQ", signal=1.0, confidence=0.9, qty=-1), "must be positive"),
        (m.Signal(client_id="z", symbol="NQ", signal=1.0, confidence=0.9, order_type="LIMIT"), "needs limit_price"),
    ],
)
def test_invalid_signal_values_get_invalid_field_errors(nexus_peer: RawPeer, bad: m.Signal, text: str) -> None:
    nexus_peer.send(MsgType.SIGNAL, bad)
    assert text in expect_error(nexus_peer, ErrorCode.INVALID_FIELD).message


def test_unknown_platform_hello_is_refused_listing_enabled_platforms(
    zctx, endpoints: Endpoints, running_gateway: Gateway
) -> None:
    from nexus_gw.protocol import codec

    peer = RawPeer(zctx, endpoints.platform, "ib_tws", codec.GATEWAY_TO_PLATFORM)
    peer.send(MsgType.HELLO, m.Hello(role="platform", name="ib_tws"))
    error = expect_error(peer, ErrorCode.UNKNOWN_PLATFORM)
    assert "nt8" in error.message
    peer.send(MsgType.HEARTBEAT, m.Heartbeat())
    expect_error(peer, ErrorCode.UNKNOWN_PEER)
    peer.close()


def test_signal_before_hello_is_refused(zctx, endpoints: Endpoints, running_gateway: Gateway) -> None:
    from nexus_gw.protocol import codec

    peer = RawPeer(zctx, endpoints.nexus, "rude", codec.GATEWAY_TO_NEXUS)
    peer.send(MsgType.SIGNAL, signal("r1"))
    assert expect_error(peer, ErrorCode.UNKNOWN_PEER).ref == "r1"
    peer.close()


def test_market_data_reaches_nexus_with_canonical_roots(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    sierra, welcome = platform_peer_factory("sierra")
    nq = next(s.symbol for s in welcome.subscriptions if s.root == "NQ")
    sierra.send(
        MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(nq, 1.0, 1.25, 1.25, 1, 5), m.Tick("GARBAGE", 1, 1, 1, 1, 5)])
    )
    _, md = nexus_peer.recv_until(
        lambda t, msg: t is MsgType.MARKET_DATA and msg.ticks[0].last == 1.25, skip=(MsgType.HEARTBEAT,)
    )[-1]
    assert md.platform == "sierra"
    assert [(t.symbol, t.last) for t in md.ticks] == [("NQ", 1.25)]


def test_silent_platform_goes_offline_and_heartbeat_brings_it_back(
    platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    assert admin_request(endpoints.admin, "status")["platforms"]["nt8"]["online"]
    time.sleep(1.0)  # heartbeat 0.2 s x liveness 3
    status = admin_request(endpoints.admin, "status")["platforms"]["nt8"]
    assert not status["online"] and status["last_message_age_s"] > 0.6
    nt8.send(MsgType.HEARTBEAT, m.Heartbeat())
    time.sleep(0.3)
    assert admin_request(endpoints.admin, "status")["platforms"]["nt8"]["online"]


def test_platform_reporting_its_connection_down_is_offline(
    platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nt8.send(MsgType.HEARTBEAT, m.Heartbeat(connected=False))
    time.sleep(0.2)
    status = admin_request(endpoints.admin, "status")["platforms"]["nt8"]
    assert status["link_alive"] and not status["online"]


def test_status_reports_uptime_platforms_counts_and_active_orders(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("st1"))
    nexus_peer.recv()
    data = admin_request(endpoints.admin, "status")
    assert data["profile"] == "dev" and data["uptime_s"] >= 0
    assert data["platforms"]["nt8"]["online"] and not data["platforms"]["sierra"]["online"]
    assert data["counts"]["signals"] == 1 and data["counts"]["orders"] == 1
    assert [o["client_id"] for o in data["active_orders"]] == ["st1"]
    assert data["nexus_clients"] == ["test-engine"]


def test_unknown_admin_command_is_refused_with_known_commands(running_gateway: Gateway, endpoints: Endpoints) -> None:
    from nexus_gw.errors import Refused

    with pytest.raises(Refused, match=r"known: .*killswitch\.activate.*status"):
        admin_request(endpoints.admin, "launch_rockets")


def test_cancel_reaches_working_legs_and_unknown_cancel_is_an_error(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(
        MsgType.SIGNAL,
        m.Signal(client_id="lim", symbol="NQ", signal=1, confidence=0.9, order_type="LIMIT", limit_price=1.0),
    )
    _, update = nexus_peer.recv()
    _, order = nt8.recv()
    nexus_peer.send(MsgType.CANCEL, m.Cancel(client_id="lim"))
    msg_type, cancel = nt8.recv()
    assert msg_type is MsgType.CANCEL and cancel.leg_id == order.leg_id
    nt8.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status=OrderStatus.CANCELLED))
    _, final = nexus_peer.recv()
    assert final.status is OrderStatus.CANCELLED and final.final and final.order_id == update.order_id
    nexus_peer.send(MsgType.CANCEL, m.Cancel(order_id="nope"))
    expect_error(nexus_peer, ErrorCode.UNKNOWN_ORDER)


def test_wdo_quotes_become_the_gateways_usd_brl_rate(
    platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    assert "no USD/BRL rate" in admin_request(endpoints.admin, "status")["fx"]["unavailable"]
    brazil, welcome = platform_peer_factory("mt5_brazil")
    wdo = next(s.symbol for s in welcome.subscriptions if s.root == "WDO")
    brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(wdo, 5493.5, 5494.5, 5494.0, 1, 5)]))
    time.sleep(0.2)
    fx = admin_request(endpoints.admin, "status")["fx"]
    assert fx["rate"] == pytest.approx(5.494)
    assert fx["source"] == "wdo"


def test_cancel_all_reaches_every_working_leg_of_the_symbol_only(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    sierra, _ = platform_peer_factory("sierra")
    for cid, root in (("n", "NQ"), ("e", "ES")):
        nexus_peer.send(
            MsgType.SIGNAL,
            m.Signal(client_id=cid, symbol=root, signal=1, confidence=0.9, order_type="LIMIT", limit_price=1.0),
        )
        nexus_peer.recv()
    legs = {p: [peer.recv()[1].leg_id for _ in range(2)] for p, peer in (("nt8", nt8), ("sierra", sierra))}
    nexus_peer.send(MsgType.CANCEL, m.Cancel(all=True, symbol="NQ"))
    for platform, peer in (("nt8", nt8), ("sierra", sierra)):
        msg_type, cancel = peer.recv()
        assert msg_type is MsgType.CANCEL and cancel.leg_id in legs[platform] and ".NQ" not in cancel.leg_id
        with pytest.raises(TimeoutError):
            peer.recv(timeout_s=0.3)
