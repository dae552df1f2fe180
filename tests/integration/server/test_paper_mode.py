"""paper: true — live market data from the platform, fills from the gateway's simulator, labelled paper."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus, Side
from nexus_gw.server.gateway import Gateway
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration
PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]
PAPER_NT8 = {"NEXUSGW_PLATFORMS__NT8__PAPER": "true"}


@pytest.mark.parametrize("gateway_env", [PAPER_NT8], indirect=True)
def test_paper_platform_fills_at_the_live_touch_and_never_sees_the_order(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    sierra, _ = platform_peer_factory("sierra")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="p1", symbol="NQ", signal=1, confidence=0.9, qty=1))
    _, live_order = sierra.recv()
    sierra.send(MsgType.FILL, m.LegFill(leg_id=live_order.leg_id, fill_id="s", qty=1, price=100.5))
    fill = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
    legs = {leg.platform: leg for leg in fill.legs}
    assert legs["nt8"].paper and not legs["sierra"].paper
    assert legs["nt8"].avg_price == 100.25  # the ask nt8 quoted
    with pytest.raises(TimeoutError):
        nt8.recv(timeout_s=0.3)
    assert running_gateway.ledger.positions.position("nt8", "NQ").qty == 1


@pytest.mark.parametrize("gateway_env", [PAPER_NT8], indirect=True)
def test_paper_limit_order_rests_until_the_live_quote_crosses_it(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    nt8, welcome = platform_peer_factory("nt8")
    nexus_peer.send(
        MsgType.SIGNAL,
        m.Signal(client_id="lim", symbol="ES", signal=-1, confidence=0.9, qty=1, order_type="LIMIT", limit_price=101.0),
    )
    updates = nexus_peer.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.status is OrderStatus.ACCEPTED)
    assert updates[-1][1].side is Side.SELL
    nt8.quote(welcome, price=101.5)  # bid 101.5 >= 101: crosses
    fill = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
    assert fill.legs[0].paper and fill.avg_price == 101.5


@pytest.mark.parametrize("gateway_env", [PAPER_NT8], indirect=True)
@pytest.mark.parametrize("named_by", ["platform symbol", "root"])
def test_paper_sees_every_quote_of_a_batch_not_only_each_roots_last(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, named_by: str
) -> None:
    nt8, welcome = platform_peer_factory("nt8")
    nexus_peer.send(
        MsgType.SIGNAL,
        m.Signal(client_id="mid", symbol="ES", signal=-1, confidence=0.9, qty=1, order_type="LIMIT", limit_price=101.0),
    )
    nexus_peer.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.status is OrderStatus.ACCEPTED)
    es = next(s.symbol for s in welcome.subscriptions if s.root == "ES")
    name, key = (es, "") if named_by == "platform symbol" else ("ES", welcome.roots_key)
    crossing_then_not = [m.Tick(name, 101.5, 101.75, 101.5, 1, 1), m.Tick(name, 100.0, 100.25, 100.0, 1, 2)]
    nt8.send(MsgType.MARKET_DATA, m.MarketData(ticks=crossing_then_not, roots_key=key))
    fill = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
    assert fill.legs[0].paper and fill.avg_price == 101.5  # the first tick of the batch crossed the limit
