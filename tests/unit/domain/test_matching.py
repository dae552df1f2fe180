from __future__ import annotations

import pytest

from nexus_gw.domain.matching import Match, MatchingEngine, Quote, WorkingOrder
from nexus_gw.protocol.constants import OrderType, Side


def order(leg: str, side: Side, kind: OrderType, limit: float | None = None, stop: float | None = None) -> WorkingOrder:
    return WorkingOrder(leg, "NQ", side, 1, kind, limit, stop)


def test_market_orders_fill_at_the_touch() -> None:
    engine = MatchingEngine()
    engine.on_quote("NQ", Quote(100.0, 100.25, 100.0))
    assert engine.submit(order("b", Side.BUY, OrderType.MARKET)) == [Match("b", "NQ", 1, 100.25)]
    assert engine.submit(order("s", Side.SELL, OrderType.MARKET)) == [Match("s", "NQ", 1, 100.0)]


def test_market_order_without_a_quote_waits_for_one() -> None:
    engine = MatchingEngine()
    assert engine.submit(order("b", Side.BUY, OrderType.MARKET)) == []
    assert engine.on_quote("NQ", Quote(1, 2, 1)) == [Match("b", "NQ", 1, 2)]


def test_limit_buy_fills_only_when_ask_crosses() -> None:
    engine = MatchingEngine()
    engine.on_quote("NQ", Quote(100.0, 100.5, 100.0))
    assert engine.submit(order("b", Side.BUY, OrderType.LIMIT, limit=100.25)) == []
    assert engine.on_quote("NQ", Quote(99.75, 100.25, 100.0)) == [Match("b", "NQ", 1, 100.25)]
    assert engine.working == {}


def test_limit_sell_fills_at_better_bid() -> None:
    engine = MatchingEngine()
    engine.on_quote("NQ", Quote(101.0, 101.25, 101.0))
    assert engine.submit(order("s", Side.SELL, OrderType.LIMIT, limit=100.5)) == [Match("s", "NQ", 1, 101.0)]


def test_stop_buy_triggers_on_last_at_or_above_stop() -> None:
    engine = MatchingEngine()
    engine.on_quote("NQ", Quote(100.0, 100.25, 100.0))
    assert engine.submit(order("b", Side.BUY, OrderType.STOP, stop=101.0)) == []
    assert engine.on_quote("NQ", Quote(100.5, 100.75, 100.75)) == []
    assert engine.on_quote("NQ", Quote(101.0, 101.25, 101.0)) == [Match("b", "NQ", 1, 101.25)]


def test_cancel_removes_working_order() -> None:
    engine = MatchingEngine()
    engine.submit(order("b", Side.BUY, OrderType.LIMIT, limit=1))
    assert engine.cancel("b") is not None
    assert engine.cancel("b") is None


def test_limit_without_price_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs limit_price"):
        MatchingEngine().submit(order("b", Side.BUY, OrderType.LIMIT))
