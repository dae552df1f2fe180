from __future__ import annotations

import pytest

from nexus_gw.domain.book import LegSpec, OrderBook, UnknownLeg
from nexus_gw.domain.orders import Execution
from nexus_gw.protocol.constants import OrderStatus, Side

S = OrderStatus


def _book_with_order(legs: int = 3, one_per_root: bool = True) -> OrderBook:
    book = OrderBook(one_per_root)
    specs = [LegSpec(p, f"NQ-{p}", 1) for p in ("nt8", "sierra", "mt5_global")[:legs]]
    book.create("o1", "c1", "NQ", Side.BUY, 1, specs)
    return book


def test_three_platform_fills_aggregate_to_quantity_weighted_average() -> None:
    book = _book_with_order()
    for platform, price in (("nt8", 16250.50), ("sierra", 16250.75), ("mt5_global", 16251.00)):
        order, new = book.apply_fill(f"o1.{platform}", Execution(f"{platform}-1", 1, price))
        assert new
    assert order.status is S.FILLED
    assert order.is_terminal
    assert order.filled_qty == 3
    assert order.avg_price == pytest.approx(16250.75)


def test_partial_fills_weight_by_quantity_not_by_leg() -> None:
    book = OrderBook()
    book.create("o1", "c1", "NQ", Side.BUY, 3, [LegSpec("nt8", "a", 3), LegSpec("sierra", "b", 1)])
    book.apply_fill("o1.nt8", Execution("e1", 2, 100.0))
    order, _ = book.apply_fill("o1.sierra", Execution("e2", 1, 104.0))
    assert order.status is S.PARTIALLY_FILLED and not order.is_terminal
    assert order.avg_price == pytest.approx((2 * 100 + 104) / 3)
    order, _ = book.apply_fill("o1.nt8", Execution("e3", 1, 108.0))
    assert order.status is S.FILLED
    assert order.avg_price == pytest.approx((200 + 104 + 108) / 4)


def test_repeated_execution_is_counted_once() -> None:
    book = _book_with_order(1)
    assert book.apply_fill("o1.nt8", Execution("e1", 1, 10.0))[1]
    order, new = book.apply_fill("o1.nt8", Execution("e1", 1, 10.0))
    assert not new
    assert order.filled_qty == 1


def test_over_fill_is_refused_not_counted() -> None:
    book = _book_with_order(1)
    with pytest.raises(ValueError, match="over-reported"):
        book.apply_fill("o1.nt8", Execution("e1", 2, 10.0))
    assert book.orders["o1"].filled_qty == 0


def test_stale_status_after_fill_does_not_move_leg_backwards() -> None:
    book = _book_with_order(1)
    book.apply_fill("o1.nt8", Execution("e1", 1, 10.0))
    order, changed = book.apply_status("o1.nt8", S.ACCEPTED)
    assert not changed
    assert order.legs["o1.nt8"].status is S.FILLED


def test_filled_status_without_executions_does_not_claim_a_fill() -> None:
    book = _book_with_order(1)
    order, changed = book.apply_status("o1.nt8", S.FILLED)
    assert not changed
    assert order.filled_qty == 0 and not order.is_terminal


def test_one_leg_rejected_others_filled_is_final_partial() -> None:
    book = _book_with_order(2)
    book.apply_status("o1.nt8", S.REJECTED, "no margin")
    order, _ = book.apply_fill("o1.sierra", Execution("e", 1, 5.0))
    assert order.is_terminal
    assert order.status is S.PARTIALLY_FILLED
    assert order.legs["o1.nt8"].reason == "no margin"


def test_all_legs_rejected_is_rejected_and_releases_the_root() -> None:
    book = _book_with_order(2)
    assert book.busy_with("NQ") is not None
    book.apply_status("o1.nt8", S.REJECTED)
    order, _ = book.apply_status("o1.sierra", S.REJECTED)
    assert order.status is S.REJECTED
    assert book.busy_with("NQ") is None


def test_cancelled_legs_without_fills_make_a_cancelled_order() -> None:
    book = _book_with_order(2)
    book.apply_status("o1.nt8", S.CANCELLED)
    order, _ = book.apply_status("o1.sierra", S.EXPIRED)
    assert order.status is S.EXPIRED
    book2 = _book_with_order(1)
    assert book2.apply_status("o1.nt8", S.CANCELLED)[0].status is S.CANCELLED


def test_working_order_blocks_the_root_until_terminal() -> None:
    book = _book_with_order(1)
    assert book.busy_with("NQ").order_id == "o1"
    book.apply_fill("o1.nt8", Execution("e", 1, 1.0))
    assert book.busy_with("NQ") is None
    assert book.working() == []


def test_without_one_order_per_root_nothing_blocks() -> None:
    assert _book_with_order(1, one_per_root=False).busy_with("NQ") is None


def test_client_id_maps_to_existing_order_and_refusals_are_remembered() -> None:
    book = _book_with_order(1)
    assert book.existing("c1").order_id == "o1"
    refused = book.refuse("o2", "c2", "ES", Side.SELL, 1, "NO_ROUTE")
    assert book.existing("c2") is refused
    assert refused.status is S.REJECTED and refused.is_terminal


def test_report_for_unknown_leg_raises_unknown_leg() -> None:
    with pytest.raises(UnknownLeg):
        OrderBook().apply_status("nope", S.ACCEPTED)


def test_aggregate_status_while_working_follows_least_advanced_leg() -> None:
    book = _book_with_order(2)
    order = book.orders["o1"]
    assert order.status is S.NEW
    book.mark_sent(order)
    assert order.status is S.SENT
    book.apply_status("o1.nt8", S.ACCEPTED)
    assert order.status is S.SENT
    book.apply_status("o1.sierra", S.ACCEPTED)
    assert order.status is S.ACCEPTED


def test_cfd_lots_aggregate_in_contracts_of_the_root() -> None:
    book = OrderBook()
    book.create(
        "o1", "c1", "NQ", Side.BUY, 1, [LegSpec("nt8", "NQ 03-25", 1), LegSpec("mt5", "NAS100", 20, multiplier=20)]
    )
    book.apply_fill("o1.nt8", Execution("a", 1, 100.0))
    book.apply_fill("o1.mt5", Execution("b", 12, 104.0))
    order, _ = book.apply_fill("o1.mt5", Execution("c", 8, 106.0))
    assert order.status is S.FILLED
    assert order.filled_qty == pytest.approx(2.0)
    assert order.total_leg_qty == pytest.approx(2.0)
    assert order.avg_price == pytest.approx((100.0 + 0.6 * 104.0 + 0.4 * 106.0) / 2)
