"""The gateway journals each order's signal-time price: the last quote of its root when the signal arrived."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nexus_gw.journal import Journal
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def test_an_order_is_journaled_with_the_quote_the_gateway_held_when_the_signal_arrived(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    peers = {name: platform_peer_factory(name) for name in ("nt8", "sierra", "mt5_global")}
    sierra, welcome = peers["sierra"]
    nq = next(s.symbol for s in welcome.subscriptions if s.root == "NQ")
    sierra.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(nq, 16250.25, 16250.75, 16250.50, 1, 5)]))
    nexus_peer.recv_until(lambda t, msg: t is MsgType.MARKET_DATA and msg.ticks[0].last == 16250.50, skip=())
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="ref-1", symbol="NQ", signal=1.0, confidence=0.9, qty=1))
    msg_type, update = nexus_peer.recv()
    assert msg_type is MsgType.ORDER_UPDATE and update.status is OrderStatus.SENT
    with Journal.open(running_gateway.ledger.journal.path, readonly=True) as journal:
        refs = journal.order_references()
        order = journal.order_for_client("ref-1")
    assert order is not None
    quote = refs[order.order_id]
    assert (quote.platform, quote.bid, quote.ask, quote.last) == ("sierra", 16250.25, 16250.75, 16250.50)
    assert quote.price == 16250.50 and 0 < quote.ts_ns <= order.created_ns
