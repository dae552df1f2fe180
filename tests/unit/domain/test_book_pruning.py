"""The in-memory book forgets finished orders after a retention (the journal keeps them)."""

from __future__ import annotations

from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.protocol.constants import OrderStatus, Side


def order(book: OrderBook, n: int, root: str = "NQ") -> str:
    book.create(f"o{n}", f"c{n}", root, Side.BUY, 1, [LegSpec("nt8", "NQH6", 1)])
    return f"o{n}"


def test_finished_orders_leave_after_the_retention_working_ones_stay() -> None:
    book = OrderBook()
    done, working = order(book, 1), order(book, 2, "ES")
    book.apply_status(f"{done}.nt8", OrderStatus.CANCELLED)
    assert book.prune(now=0.0, retention_s=600, max_finished=100) == []
    assert book.prune(now=599.0, retention_s=600, max_finished=100) == []
    dropped = book.prune(now=600.0, retention_s=600, max_finished=100)
    assert [o.order_id for o in dropped] == [done]
    assert set(book.orders) == {working} and "c1" not in book.by_client and f"{done}.nt8" not in book.by_leg
    assert book.existing("c2") is not None


def test_at_most_max_finished_orders_are_kept_oldest_first() -> None:
    book = OrderBook(one_order_per_root=False)
    for n in range(5):
        book.apply_status(f"{order(book, n)}.nt8", OrderStatus.REJECTED)
        book.prune(now=float(n), retention_s=600, max_finished=3)
    assert sorted(book.orders) == ["o2", "o3", "o4"]


def test_discard_frees_the_root() -> None:
    book = OrderBook()
    order(book, 1)
    assert book.busy_with("NQ") is not None
    book.discard("o1")
    assert book.busy_with("NQ") is None and book.existing("c1") is None and not book.by_leg
