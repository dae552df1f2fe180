"""Two adapters that leave HELLO's optional ``session`` empty, each numbering its reports from 1: the gateway
counts each platform's reports on their own, so neither's fill is taken for a duplicate of the other's."""

from __future__ import annotations

import pytest
import zmq

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration


def sessionless(zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, name: str) -> RawPeer:
    peer = RawPeer(zctx, endpoints.platform, name, codec.GATEWAY_TO_PLATFORM, keepalive=True)
    peer.send(MsgType.HELLO, m.Hello(role="platform", name=name))  # no session
    msg_type, welcome = peer.recv()
    assert msg_type is MsgType.WELCOME, welcome
    peer.quote(welcome)
    return peer


def test_reports_of_two_sessionless_adapters_both_count(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    peers = {name: sessionless(zctx, endpoints, name) for name in ("nt8", "sierra")}
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="two-sessionless", symbol="ES", signal=1, confidence=0.9, qty=1))
    for peer in peers.values():
        _, leg = peer.recv_until(lambda t, _: t is MsgType.ORDER)[-1]
        peer.send(MsgType.FILL, m.LegFill(leg_id=leg.leg_id, fill_id="f1", qty=1, price=5900.0, seq=1))
    _, fill = nexus_peer.recv_until(lambda t, msg: t is MsgType.FILL and msg.status == "FILLED", timeout_s=10)[-1]
    assert sorted(leg.platform for leg in fill.legs if leg.filled_qty == 1) == ["nt8", "sierra"]
    assert running_gateway.counters["duplicate_reports"] == 0
