"""A market-data batch is applied once, as if tick by tick: marks, reference quote, risk freshness and FX come from
each root's last tick; every known tick reaches the engines under its root, in order; unknown ones are counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def test_a_batch_marks_quotes_and_rates_from_each_roots_last_tick_and_forwards_every_known_tick(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    brazil, welcome = platform_peer_factory("mt5_brazil")
    symbol = {s.root: s.symbol for s in welcome.subscriptions}
    brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(symbol["WDO"], 5493.5, 5494.5, 5494.0, 1, 0)]))
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="hold", symbol="WIN", signal=1.0, confidence=0.9, qty=1))
    _, order = brazil.recv()
    brazil.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="hold-1", qty=1, price=128000.0))
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)  # a WIN position is held: it is marked
    unknown_before = running_gateway.counters["market_data_unknown_symbol"]

    batch = [
        m.Tick(symbol["WIN"], 128005.0, 128015.0, 128010.0, 1, 1),
        m.Tick("NOT-SUBSCRIBED", 1.0, 2.0, 1.5, 1, 2),
        m.Tick(symbol["WDO"], 5499.5, 5500.5, 5500.0, 1, 3),
        m.Tick(symbol["WDO"], 5509.5, 5510.5, 5510.0, 1, 4),
        m.Tick(symbol["WIN"], 128015.0, 128025.0, 128020.0, 1, 5),
        m.Tick(symbol["WIN"], 128020.0, 128030.0, 0.0, 0, 6),  # a quote without a trade price
    ]
    brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=batch))
    forwarded = nexus_peer.recv_until(
        lambda t, msg: t is MsgType.MARKET_DATA and any(tick.ts_ns == 6 for tick in msg.ticks), skip=()
    )[-1][1]

    assert forwarded.platform == "mt5_brazil"
    assert [(t.symbol, t.last, t.ts_ns) for t in forwarded.ticks] == [
        ("WIN", 128010.0, 1),
        ("WDO", 5500.0, 3),
        ("WDO", 5510.0, 4),
        ("WIN", 128020.0, 5),
        ("WIN", 0.0, 6),
    ]
    assert running_gateway.counters["market_data_unknown_symbol"] == unknown_before + 1
    view = running_gateway.ledger.positions.position("mt5_brazil", "WIN")
    assert view.mark == 128020.0  # the last trade price: a quote without one leaves the mark where it was
    quote = running_gateway.ledger.quotes["WIN"]
    assert (quote.platform, quote.bid, quote.ask, quote.last) == ("mt5_brazil", 128020.0, 128030.0, 0.0)
    assert running_gateway.risk.last_prices["WIN"] == 0.0 and running_gateway.risk.last_prices["WDO"] == 5510.0
    assert {"WIN", "WDO"} <= set(running_gateway.risk.engine.ctx.market_data_seen)
    rate = running_gateway.fx.rate("USD", "BRL", datetime.now(UTC))
    assert rate.rate == Decimal("5.51")  # the batch's last WDO price
