"""Held legs: a leg routed to an adapter that has just died waits for its return instead of being rejected
(issue 9). Real in-process gateway, real DEALER peers; the gateway's heartbeat is slow so that it has not yet
noticed the dead adapter when the order is routed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

SLOW_HEARTBEAT = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "5"}


def connect(zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, name: str) -> RawPeer:
    peer = RawPeer(zctx, endpoints.platform, name, codec.GATEWAY_TO_PLATFORM, keepalive=True)
    peer.send(MsgType.HELLO, m.Hello(role="platform", name=name, session=f"{name}-{time.monotonic_ns()}"))
    msg_type, welcome = peer.recv()
    assert msg_type is MsgType.WELCOME, welcome
    peer.quote(welcome)
    return peer


def route_while_nt8_just_died(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, nexus: RawPeer, client_id: str
) -> tuple[RawPeer, m.OrderUpdate]:
    """nt8 and mt5_global are online; nt8's adapter dies; an NQ signal is routed to both before the gateway
    notices. Returns the live mt5_global peer and the order's first update."""
    nt8 = connect(zctx, endpoints, "nt8")
    mt5 = connect(zctx, endpoints, "mt5_global")
    nt8.close()
    time.sleep(0.5)  # precondition, not an assertion: the TCP close reaches the gateway's socket
    nexus.send(MsgType.SIGNAL, m.Signal(client_id=client_id, symbol="NQ", signal=1, confidence=0.9, qty=1))
    _, update = nexus.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.client_id == client_id)[-1]
    assert mt5.recv_until(lambda t, _: t is MsgType.ORDER)[-1][1].order_id == update.order_id
    return mt5, update


def leg_on(update: m.OrderUpdate, platform: str) -> m.LegReport:
    return next(leg for leg in update.legs if leg.platform == platform)


def until_nt8_leg(nexus: RawPeer, order_id: str, test: Callable[[m.LegReport], bool]) -> m.LegReport:
    seen = nexus.recv_until(
        lambda t, msg: t is MsgType.ORDER_UPDATE and msg.order_id == order_id and test(leg_on(msg, "nt8")),
        timeout_s=10,
    )
    return leg_on(seen[-1][1], "nt8")


@pytest.mark.parametrize("gateway_env", [{**SLOW_HEARTBEAT, "NEXUSGW_TRADING__ORDER_TIMEOUT_S": "30"}], indirect=True)
def test_leg_for_a_platform_that_just_died_is_held_and_sent_when_it_comes_back(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    mt5, update = route_while_nt8_just_died(zctx, endpoints, nexus_peer, "held-then-sent")
    nt8_leg = leg_on(update, "nt8")
    # held, not rejected: the ORDER waited for its pass's commit and its write failed then (the journal says SENT,
    # the leg is held; reconciliation and the adapter's answer by leg id make the later send safe)
    assert nt8_leg.status is not OrderStatus.REJECTED, nt8_leg.reason
    held = admin_request(endpoints.admin, "status")["held_legs"]
    assert [h["leg_id"] for h in held] == [nt8_leg.leg_id] and held[0]["platform"] == "nt8"

    nt8 = connect(zctx, endpoints, "nt8")  # the adapter is back: the held leg goes out after WELCOME
    _, order = nt8.recv_until(lambda t, _: t is MsgType.ORDER)[-1]
    assert order.leg_id == nt8_leg.leg_id
    with pytest.raises(TimeoutError):  # once
        nt8.recv_until(lambda t, _: t is MsgType.ORDER, timeout_s=1.0)
    assert admin_request(endpoints.admin, "status")["held_legs"] == []
    assert running_gateway.counters["held_legs_sent"] == 1
    nt8.close()
    mt5.close()


@pytest.mark.parametrize("gateway_env", [{**SLOW_HEARTBEAT, "NEXUSGW_TRADING__ORDER_TIMEOUT_S": "1"}], indirect=True)
def test_held_leg_is_rejected_when_its_platform_does_not_come_back_within_the_order_timeout(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    mt5, update = route_while_nt8_just_died(zctx, endpoints, nexus_peer, "held-then-rejected")
    leg = until_nt8_leg(nexus_peer, update.order_id, lambda leg: leg.status is OrderStatus.REJECTED)
    assert leg.reason == "platform nt8 did not come back within 1s"
    assert admin_request(endpoints.admin, "status")["held_legs"] == []
    mt5.close()


@pytest.mark.parametrize("gateway_env", [{**SLOW_HEARTBEAT, "NEXUSGW_TRADING__ORDER_TIMEOUT_S": "30"}], indirect=True)
def test_kill_switch_cancels_a_held_leg_at_once_and_it_is_never_sent(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    mt5, update = route_while_nt8_just_died(zctx, endpoints, nexus_peer, "held-then-killed")
    admin_request(endpoints.admin, "killswitch.activate", {"who": "test", "reason": "held legs"})
    leg = until_nt8_leg(nexus_peer, update.order_id, lambda leg: leg.status is OrderStatus.CANCELLED)
    assert "never sent" in leg.reason
    assert admin_request(endpoints.admin, "status")["held_legs"] == []

    nt8 = connect(zctx, endpoints, "nt8")
    with pytest.raises(TimeoutError):  # nothing for nt8 but what a reconnect brings (no ORDER)
        nt8.recv_until(lambda t, _: t is MsgType.ORDER, timeout_s=1.0)
    assert running_gateway.counters["held_legs_sent"] == 0
    nt8.close()
    mt5.close()
