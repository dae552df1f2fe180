"""Order building and validation, order tracking, fill derivation and de-duplication."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.constants import (
    DBL_MAX,
    BuySell,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
    TimeInForce,
)
from nexus_gw.adapters.sierra.dtc.execution import OrderRequest, OrderTracker, build_submit, order_report
from nexus_gw.errors import OrderRejected


def submit(request: OrderRequest) -> m.SubmitNewSingleOrder:
    return build_submit(request, client_order_id="c-1", exchange="", trade_account="Sim1")


def test_market_order_has_no_prices_and_is_marked_automated() -> None:
    msg = submit(OrderRequest("NQH25", BuySell.BUY, 2))
    assert (msg.OrderType, msg.BuySell, msg.Quantity, msg.Price1, msg.Price2) == (1, 1, 2.0, 0.0, 0.0)
    assert (msg.TradeAccount, msg.ClientOrderID, msg.IsAutomatedOrder) == ("Sim1", "c-1", 1)


@pytest.mark.parametrize(
    ("request_", "price1", "price2"),
    [
        (OrderRequest("NQH25", BuySell.SELL, 1, OrderType.LIMIT, limit_price=21010.0), 21010.0, 0.0),
        (OrderRequest("NQH25", BuySell.SELL, 1, OrderType.STOP, stop_price=20990.0), 20990.0, 0.0),
        (
            OrderRequest("NQH25", BuySell.SELL, 1, OrderType.STOP_LIMIT, limit_price=20989.0, stop_price=20990.0),
            20990.0,
            20989.0,
        ),
    ],
    ids=["limit", "stop", "stop-limit"],
)
def test_price1_price2_follow_the_dtc_convention(request_: OrderRequest, price1: float, price2: float) -> None:
    msg = submit(request_)
    assert (msg.Price1, msg.Price2) == (price1, price2)


@pytest.mark.parametrize(
    ("request_", "fragment"),
    [
        (OrderRequest("NQH25", BuySell.UNSET, 1), "side must be BUY or SELL"),
        (OrderRequest("NQH25", BuySell.BUY, 0), "quantity must be a positive"),
        (OrderRequest("NQH25", BuySell.BUY, float("nan")), "quantity must be a positive"),
        (OrderRequest("NQH25", BuySell.BUY, 1, OrderType.LIMIT), "needs a finite limit_price"),
        (OrderRequest("NQH25", BuySell.BUY, 1, OrderType.STOP, limit_price=5.0, stop_price=6.0), "takes no limit"),
        (OrderRequest("NQH25", BuySell.BUY, 1, limit_price=5.0), "MARKET order takes no limit_price"),
        (OrderRequest("NQH25", BuySell.BUY, 1, OrderType.MARKET_IF_TOUCHED), "not supported"),
        (OrderRequest("", BuySell.BUY, 1), "symbol is empty"),
        (OrderRequest("NQH25", BuySell.BUY, 1, time_in_force=TimeInForce.GOOD_TILL_DATE_TIME), "GOOD_TILL_DATE"),
    ],
)
def test_invalid_orders_are_refused_before_sending(request_: OrderRequest, fragment: str) -> None:
    with pytest.raises(OrderRejected, match=fragment):
        submit(request_)


def test_missing_account_and_bad_client_id_are_refused() -> None:
    with pytest.raises(OrderRejected, match="no trade account"):
        build_submit(OrderRequest("NQH25", BuySell.BUY, 1), client_order_id="c", exchange="", trade_account="")
    with pytest.raises(OrderRejected, match="client order id"):
        build_submit(OrderRequest("NQH25", BuySell.BUY, 1), client_order_id="x" * 32, exchange="", trade_account="A")


def fill_update(
    filled: float, avg: float, last_qty: float, last_px: float, exec_id: str, *, done: bool
) -> m.OrderUpdate:
    return m.OrderUpdate(
        Symbol="NQH25",
        ServerOrderID="S-1",
        ClientOrderID="c-1",
        TradeAccount="Sim1",
        OrderStatus=OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED,
        OrderUpdateReason=OrderUpdateReason.ORDER_FILLED if done else OrderUpdateReason.ORDER_FILLED_PARTIALLY,
        OrderType=OrderType.MARKET,
        BuySell=BuySell.BUY,
        OrderQuantity=3.0,
        FilledQuantity=filled,
        RemainingQuantity=3.0 - filled,
        AverageFillPrice=avg,
        LastFillPrice=last_px,
        LastFillQuantity=last_qty,
        LastFillDateTime=1_700_000_000_500,
        LastFillExecutionID=exec_id,
    )


def test_fills_come_from_last_fill_fields_and_are_deduplicated() -> None:
    tracker = OrderTracker(now=lambda: 0.0)
    report, fill = tracker.apply(fill_update(2.0, 100.0, 2.0, 100.0, "E1", done=False))
    assert report.status is OrderStatus.PARTIALLY_FILLED and report.filled_quantity == 2.0
    assert fill is not None
    assert (fill.execution_id, fill.quantity, fill.price, fill.time) == ("E1", 2.0, 100.0, 1_700_000_000.5)
    assert (fill.order_filled_quantity, fill.order_average_price) == (2.0, 100.0)
    _, again = tracker.apply(fill_update(2.0, 100.0, 2.0, 100.0, "E1", done=False))
    assert again is None  # the same execution reported twice is one fill
    report, fill = tracker.apply(fill_update(3.0, 100.5 * 1 / 3 + 200 / 3, 1.0, 100.5, "E2", done=True))
    assert fill is not None and fill.execution_id == "E2" and report.is_terminal
    assert tracker.server_order_id("c-1") == "S-1"
    assert tracker.working_orders() == []


def test_fill_is_derived_from_cumulative_totals_when_last_fill_fields_are_missing() -> None:
    tracker = OrderTracker(now=lambda: 42.0)
    first = fill_update(2.0, 100.0, DBL_MAX, DBL_MAX, "", done=False)
    _, fill1 = tracker.apply(first)
    assert fill1 is not None and (fill1.quantity, fill1.price, fill1.time) == (2.0, 100.0, 1_700_000_000.5)
    assert fill1.execution_id == "S-1:2"
    second = fill_update(3.0, (2 * 100.0 + 103.0) / 3, DBL_MAX, DBL_MAX, "", done=True)
    _, fill2 = tracker.apply(second)
    assert fill2 is not None and fill2.quantity == pytest.approx(1.0) and fill2.price == pytest.approx(103.0)


def test_non_fill_updates_produce_no_fill() -> None:
    tracker = OrderTracker()
    accepted = m.OrderUpdate(
        ServerOrderID="S-2",
        ClientOrderID="c-2",
        OrderStatus=OrderStatus.OPEN,
        OrderUpdateReason=OrderUpdateReason.NEW_ORDER_ACCEPTED,
        LastFillQuantity=1.0,
        LastFillPrice=5.0,
        LastFillExecutionID="stale",
    )
    report, fill = tracker.apply(accepted)
    assert fill is None and report.filled_quantity == 0.0 and report.average_fill_price is None
    assert [r.server_order_id for r in tracker.working_orders()] == ["S-2"]


def test_client_order_ids_are_unique_and_reuse_is_refused() -> None:
    tracker = OrderTracker(id_prefix="t")
    ids = {tracker.new_client_order_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) <= 31 for i in ids)
    tracker.register_submit("mine")
    with pytest.raises(OrderRejected, match="already used"):
        tracker.register_submit("mine")


def test_order_report_keeps_unknown_enum_values_as_unset() -> None:
    report = order_report(m.OrderUpdate(OrderStatus=99, BuySell=7))
    assert report.status is OrderStatus.UNSPECIFIED and report.side is BuySell.UNSET


def test_overlong_symbol_is_an_order_rejection_not_a_wire_error() -> None:
    with pytest.raises(OrderRejected, match="Symbol is 70 bytes"):
        submit(OrderRequest("N" * 70, BuySell.BUY, 1))
