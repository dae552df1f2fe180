"""Reconciliation over the wire: the adapter's report in HELLO and on request."""

from __future__ import annotations

import time

import pytest
import zmq

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("gateway_env", [{"NEXUSGW_TRADING__ORDER_TIMEOUT_S": "0.5"}], indirect=True)
def test_reconnect_report_applies_missed_fills_once_and_settles_unknown_legs(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    def connect() -> tuple[RawPeer, m.Welcome]:
        peer = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM, keepalive=True)
        peer.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", report=report))
        return peer, peer.recv()[1]

    report = None
    nt8, welcome = connect()
    nt8.quote(welcome)
    for cid, root in (("filled-while-down", "NQ"), ("never-arrived", "ES")):
        nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id=cid, symbol=root, signal=1, confidence=0.9, qty=1))
        nexus_peer.recv()
    symbols = {sub.root: sub.symbol for sub in welcome.subscriptions}
    orders = {o.symbol: o for o in (nt8.recv()[1], nt8.recv()[1])}
    nq_leg = orders[symbols["NQ"]].leg_id
    for order in orders.values():  # the adapter has both; the platform will have lost ES's
        nt8.send(MsgType.ACK, m.Ack(kind="ORDER", ref=order.leg_id))

    msg_type, request = nt8.recv(timeout_s=10)  # the stuck-order check asks the platform
    assert msg_type is MsgType.STATUS and "stuck" in request.reason
    nt8.close()
    report = m.PlatformReport(  # what the platform says after the reconnect: NQ filled, ES unknown
        executions=[m.ReportedFill(leg_id=nq_leg, fill_id="E1", qty=1, price=21000.0)],
        positions={symbols["NQ"]: 1.0},
    )
    nt8, _ = connect()
    seen = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    assert seen[-1][1].filled_qty == 1 and seen[-1][1].client_id == "filled-while-down"
    es = nexus_peer.recv_until(
        lambda t, msg: t is MsgType.ORDER_UPDATE and msg.client_id == "never-arrived" and msg.final
    )
    assert es[-1][1].status is OrderStatus.REJECTED and "never received" in es[-1][1].legs[0].reason
    nt8.send(MsgType.POSITION, report)  # the same report again: nothing is counted twice
    time.sleep(0.3)
    assert running_gateway.counters["reconciled_fills"] == 1
    assert running_gateway.ledger.positions.position("nt8", "NQ").qty == 1
    assert "ORDER_STUCK" in {a["code"] for a in running_gateway.risk.alerts}
    nt8.close()


def test_a_leg_reported_in_doubt_raises_one_alert_naming_it_and_stays_open(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    def connect(report: m.PlatformReport | None) -> tuple[RawPeer, m.Welcome]:
        peer = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM, keepalive=True)
        peer.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", report=report))
        return peer, peer.recv()[1]

    nt8, welcome = connect(None)
    nt8.quote(welcome)
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="in-doubt", symbol="NQ", signal=1, confidence=0.9, qty=1))
    nexus_peer.recv()
    leg = nt8.recv()[1].leg_id
    nt8.send(MsgType.ACK, m.Ack(kind="ORDER", ref=leg))
    nt8.close()
    report = m.PlatformReport(open_orders=[m.ReportedOrder(leg_id=leg, in_doubt=True)])
    for _ in range(2):  # the adapter reconnects twice with the leg still in doubt
        nt8, _ = connect(report)
        time.sleep(0.3)
        nt8.close()
    in_doubt = [a for a in running_gateway.risk.alerts if a["code"] == "LEG_IN_DOUBT"]
    assert len(in_doubt) == 1 and leg in in_doubt[0]["message"] and "never sent again" in in_doubt[0]["message"]
    order = running_gateway.desk.book.existing("in-doubt")
    assert order is not None and not order.is_terminal
