"""The simulated exchange: acceptance, rejects, partial fills, averages, positions and request answers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.constants import (
    DBL_MAX,
    BuySell,
    OpenClose,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
)
from nexus_gw.adapters.sierra.simulator.exchange import ExchangeSettings, SimExchange


def exchange(**kw: object) -> SimExchange:
    settings = ExchangeSettings(symbols={"NQH25": 21000.0}, **kw)  # type: ignore[arg-type]
    return SimExchange(settings, rng=random.Random(1), wall_clock=lambda: 1_700_000_000.0)


def order(
    qty: float = 3, side: BuySell = BuySell.BUY, kind: OrderType = OrderType.MARKET, **kw: object
) -> m.SubmitNewSingleOrder:
    fields: dict[str, object] = {
        "Symbol": "NQH25",
        "TradeAccount": "Sim1",
        "ClientOrderID": f"c{random.random()}",
        "OrderType": kind,
        "BuySell": side,
        "Quantity": float(qty),
    }
    fields.update(kw)
    return m.SubmitNewSingleOrder(**fields)  # type: ignore[arg-type]


def fill_all(ex: SimExchange, sid: str) -> list[m.OrderUpdate | m.PositionUpdate]:
    out: list[m.OrderUpdate | m.PositionUpdate] = []
    for _ in range(10):
        outcome = ex.try_fill(sid)
        out += outcome.messages
        if not outcome.working:
            break
    return out


def test_market_order_is_accepted_then_filled_in_slices_with_weighted_average() -> None:
    ex = exchange(partial_fill_slices=2)
    update, sid = ex.submit(order(5), "trader")
    assert sid is not None
    assert (update.OrderUpdateReason, update.OrderStatus) == (OrderUpdateReason.NEW_ORDER_ACCEPTED, OrderStatus.OPEN)
    assert update.AverageFillPrice == DBL_MAX and update.FilledQuantity == 0.0
    first = ex.try_fill(sid)
    assert first.working and first.executed
    ex.set_price("NQH25", 21010.0)
    second = ex.try_fill(sid)
    assert not second.working
    u1, p1 = first.messages
    u2, p2 = second.messages
    assert isinstance(u1, m.OrderUpdate) and isinstance(u2, m.OrderUpdate)
    assert (u1.OrderUpdateReason, u1.OrderStatus) == (
        OrderUpdateReason.ORDER_FILLED_PARTIALLY,
        OrderStatus.PARTIALLY_FILLED,
    )
    assert (u1.LastFillQuantity, u1.LastFillPrice, u1.FilledQuantity, u1.RemainingQuantity) == (3.0, 21000.25, 3.0, 2.0)
    assert (u2.OrderUpdateReason, u2.OrderStatus) == (OrderUpdateReason.ORDER_FILLED, OrderStatus.FILLED)
    assert (u2.LastFillQuantity, u2.LastFillPrice, u2.FilledQuantity, u2.RemainingQuantity) == (2.0, 21010.25, 5.0, 0.0)
    assert u2.AverageFillPrice == pytest.approx((3 * 21000.25 + 2 * 21010.25) / 5)
    assert u1.LastFillExecutionID != u2.LastFillExecutionID
    assert u1.LastFillDateTime == 1_700_000_000_000
    assert isinstance(p2, m.PositionUpdate) and p2.Unsolicited == 1 and p2.RequestID == 0
    assert (p1.Quantity, p2.Quantity) == (3.0, 5.0)  # type: ignore[union-attr]
    assert p2.AveragePrice == pytest.approx(u2.AverageFillPrice)


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"Symbol": "YMH25"}, "Symbol 'YMH25' is not known"),
        ({"TradeAccount": "Nope"}, "Trade account 'Nope' does not exist"),
        ({"Quantity": 0.0}, "Quantity must be positive"),
        ({"OrderType": OrderType.LIMIT}, "LIMIT order needs positive Price1"),
        ({"OrderType": OrderType.MARKET_IF_TOUCHED}, "not supported"),
        ({"BuySell": 0}, "BuySell must be"),
    ],
)
def test_invalid_orders_are_rejected_with_text(kw: dict[str, Any], fragment: str) -> None:
    update, sid = exchange().submit(order(**kw), "trader")
    assert sid is None
    assert (update.OrderUpdateReason, update.OrderStatus) == (
        OrderUpdateReason.NEW_ORDER_REJECTED,
        OrderStatus.REJECTED,
    )
    assert fragment in update.InfoText


def test_trading_disabled_rejects_everything() -> None:
    update, sid = exchange(allow_trading=False).submit(order(), "t")
    assert sid is None and "Allow Trading" in update.InfoText


def test_duplicate_client_order_id_is_rejected() -> None:
    ex = exchange()
    ex.submit(order(ClientOrderID="same"), "t")
    update, sid = ex.submit(order(ClientOrderID="same"), "t")
    assert sid is None and "Duplicate ClientOrderID" in update.InfoText


def test_limit_order_rests_until_the_market_reaches_it_and_fills_at_that_price_or_better() -> None:
    ex = exchange(partial_fill_slices=1)
    _, sid = ex.submit(order(1, kind=OrderType.LIMIT, Price1=20990.0), "t")
    assert sid is not None
    assert ex.try_fill(sid).messages == [] and ex.working_orders("NQH25") == [sid]
    ex.set_price("NQH25", 20980.0)
    update = ex.try_fill(sid).messages[0]
    assert isinstance(update, m.OrderUpdate)
    assert update.OrderStatus == OrderStatus.FILLED and update.LastFillPrice == 20980.25 <= 20990.0


def test_stop_order_triggers_on_the_stop_then_fills_like_market() -> None:
    ex = exchange(partial_fill_slices=1)
    _, sid = ex.submit(order(1, side=BuySell.SELL, kind=OrderType.STOP, Price1=20950.0), "t")
    assert sid is not None and ex.try_fill(sid).messages == []
    ex.set_price("NQH25", 20949.0)
    update = ex.try_fill(sid).messages[0]
    assert isinstance(update, m.OrderUpdate) and update.LastFillPrice == 20949.0


def test_cancel_working_terminal_and_unknown_orders() -> None:
    ex = exchange()
    _, sid = ex.submit(order(1, kind=OrderType.LIMIT, Price1=1.0), "t")
    assert sid is not None
    canceled = ex.cancel(m.CancelOrder(ServerOrderID=sid))
    assert (canceled.OrderUpdateReason, canceled.OrderStatus) == (
        OrderUpdateReason.ORDER_CANCELED,
        OrderStatus.CANCELED,
    )
    again = ex.cancel(m.CancelOrder(ServerOrderID=sid))
    assert again.OrderUpdateReason == OrderUpdateReason.ORDER_CANCEL_REJECTED and "already CANCELED" in again.InfoText
    missing = ex.cancel(m.CancelOrder(ServerOrderID="nope"))
    assert missing.OrderUpdateReason == OrderUpdateReason.ORDER_CANCEL_REJECTED and "not found" in missing.InfoText
    assert ex.try_fill(sid).messages == []


def test_open_orders_answer_has_counters_or_the_no_orders_sentinel() -> None:
    ex = exchange()
    empty = ex.open_orders(m.OpenOrdersRequest(RequestID=7, TradeAccount="Sim1"))
    assert isinstance(empty, list) and len(empty) == 1
    assert (empty[0].NoOrders, empty[0].RequestID, empty[0].TotalNumMessages, empty[0].MessageNumber) == (1, 7, 1, 1)
    for price in (1.0, 2.0):
        ex.submit(order(1, kind=OrderType.LIMIT, Price1=price), "t")
    answer = ex.open_orders(m.OpenOrdersRequest(RequestID=8, TradeAccount="Sim1"))
    assert isinstance(answer, list)
    assert [(u.MessageNumber, u.TotalNumMessages, u.RequestID) for u in answer] == [(1, 2, 8), (2, 2, 8)]
    assert all(u.OrderUpdateReason == OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE for u in answer)
    reject = ex.open_orders(m.OpenOrdersRequest(RequestID=9, TradeAccount="Other"))
    assert isinstance(reject, m.OpenOrdersReject) and "Other" in reject.RejectText


def test_positions_and_historical_fills_answers() -> None:
    ex = exchange(partial_fill_slices=1)
    none = ex.positions(m.CurrentPositionsRequest(RequestID=3, TradeAccount="Sim1"))
    assert isinstance(none, list) and none[0].NoPositions == 1
    no_fills = ex.historical_fills(m.HistoricalOrderFillsRequest(RequestID=4, NumberOfDays=1, TradeAccount="Sim1"))
    assert isinstance(no_fills, list) and no_fills[0].NoOrderFills == 1
    _, sid = ex.submit(order(2), "t")
    assert sid is not None
    fill_all(ex, sid)
    _, sid2 = ex.submit(order(3, side=BuySell.SELL), "t")
    assert sid2 is not None
    fill_all(ex, sid2)
    positions = ex.positions(m.CurrentPositionsRequest(RequestID=5, TradeAccount="Sim1"))
    assert isinstance(positions, list) and len(positions) == 1
    assert (positions[0].Quantity, positions[0].RequestID, positions[0].Unsolicited) == (-1.0, 5, 0)
    assert positions[0].AveragePrice == 21000.0  # flipped short at the sell price
    fills = ex.historical_fills(m.HistoricalOrderFillsRequest(RequestID=6, NumberOfDays=1, TradeAccount="Sim1"))
    assert isinstance(fills, list)
    assert [(f.MessageNumber, f.TotalNumberMessages, f.Quantity) for f in fills] == [(1, 2, 2.0), (2, 2, 3.0)]
    assert [f.OpenClose for f in fills] == [OpenClose.OPEN, OpenClose.CLOSE]
    assert len({f.UniqueExecutionID for f in fills}) == 2


def test_trade_accounts_answer() -> None:
    answer = exchange(trade_accounts=("Sim1", "Sim2")).trade_accounts(m.TradeAccountsRequest(RequestID=2))
    assert [(a.TradeAccount, a.MessageNumber, a.TotalNumberMessages, a.RequestID) for a in answer] == [
        ("Sim1", 1, 2, 2),
        ("Sim2", 2, 2, 2),
    ]
    empty = exchange(trade_accounts=()).trade_accounts(m.TradeAccountsRequest(RequestID=3))
    assert empty[0].TotalNumberMessages == 0


def test_random_walk_stays_on_the_tick_grid_and_sends_both_sides() -> None:
    ex = exchange()
    for _ in range(50):
        trade, quote = ex.step("NQH25")
        assert quote.AskPrice - quote.BidPrice == 0.25
        assert (trade.Price / 0.25).is_integer()
        assert trade.Price in (quote.BidPrice, quote.AskPrice)
    snap = ex.snapshot("NQH25", 9)
    assert snap.SymbolID == 9 and snap.SessionNumTrades == 50
