"""Legs ↔ Bookmap orders: binding by client id, executions once, in-doubt legs, the report."""

from __future__ import annotations

from nexus_gw.adapters.bookmap.book import DepthBook
from nexus_gw.adapters.bookmap.legs import Leg, LegBook
from nexus_gw.protocol.constants import OrderStatus

NQ = "NQZ6.CME@RITHMIC"


def update(order_id: str, client: str, status: str) -> dict[str, object]:
    return {"orderId": order_id, "clientId": client, "status": status, "isBuy": True, "type": "MKT"}


def execution(order_id: str, exec_id: str, price: float = 21000.0) -> dict[str, object]:
    return {"orderId": order_id, "executionId": exec_id, "size": 1, "price": price, "time": 1_700_000_000_000}


def test_an_execution_before_the_binding_waits_for_it_and_each_execution_counts_once() -> None:
    book = LegBook("bookmap")
    book.add(Leg("a.bookmap", NQ, 2.0, sent_at=1.0))
    assert book.on_execution(NQ, execution("bm1", "e1"), 1.0) is None  # not bound yet: kept
    updates, waiting = book.on_update(update("bm1", "a.bookmap", "WORKING"))
    assert [(u.status, u.platform_order_id) for u in updates] == [(OrderStatus.ACCEPTED, "bm1")]
    assert [book.on_execution(*w) is not None for w in waiting] == [True]
    assert book.on_execution(NQ, execution("bm1", "e1"), 1.0) is None  # the replay of a known execution
    fill = book.on_execution(NQ, execution("bm1", "e2"), 1.0)
    assert fill is not None and fill.ts_ns == 1_700_000_000_000_000_000
    assert book.legs["a.bookmap"].finished and book.report(str).open_orders == []


def test_reject_and_cancel_finish_the_leg_once() -> None:
    book = LegBook("bookmap")
    book.add(Leg("r.bookmap", NQ, 2.0, sent_at=1.0))
    updates, _ = book.on_update(update("bm2", "r.bookmap", "REJECTED"))
    assert [u.status for u in updates] == [OrderStatus.REJECTED] and "status REJECTED" in updates[0].reason
    assert book.on_update(update("bm2", "r.bookmap", "REJECTED"))[0] == []
    book.add(Leg("c.bookmap", NQ, 2.0, sent_at=1.0))
    statuses = [
        u.status
        for s in ("PENDING_SUBMIT", "WORKING", "CANCELLED")
        for u in book.on_update(update("bm3", "c.bookmap", s))[0]
    ]
    assert statuses == [OrderStatus.ACCEPTED, OrderStatus.CANCELLED]


def test_an_order_of_someone_else_is_not_a_leg() -> None:
    book = LegBook("bookmap")
    assert book.on_update(update("bm9", "", "WORKING")) == ([], [])
    assert book.on_execution(NQ, execution("bm9", "e9"), 1.0) is None and book.executions == {}


def test_unanswered_legs_are_in_doubt_after_a_loss_and_in_the_report_until_bookmap_lists_them() -> None:
    book = LegBook("bookmap")
    book.add(Leg("d.bookmap", NQ, 2.0, sent_at=10.0))
    assert book.overdue(15.0, 10.0) == [] and book.overdue(21.0, 10.0) == ["d.bookmap"]
    assert book.lost() == ["d.bookmap"] and book.lost() == []
    (reported,) = book.report(str).open_orders
    assert reported.in_doubt and reported.leg_id == "d.bookmap"
    book.on_update(update("bm4", "d.bookmap", "WORKING"))
    book.on_position(NQ, 0.0)
    report = book.report(lambda alias: "NQ-gw")
    assert [(o.leg_id, o.in_doubt, o.platform_order_id) for o in report.open_orders] == [("d.bookmap", False, "bm4")]
    assert report.positions == {"NQ-gw": 0.0}


def test_the_depth_book_gives_the_best_bid_and_ask_and_removes_empty_levels() -> None:
    book = DepthBook()
    for level, size in ((100, 5), (99, 3)):
        book.depth(True, level, size)
    book.depth(False, 101, 4)
    assert book.bbo() == (100, 101)
    book.depth(True, 100, 0)
    assert book.bbo() == (99, 101)
    book.depth(False, 101, 0)
    assert book.bbo() is None
