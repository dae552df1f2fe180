"""The book's index of working orders gives exactly what a scan of every order gives, whatever happens."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.journal.replay import restore_book
from nexus_gw.protocol.constants import OrderStatus, Side

S = OrderStatus
PLATFORMS = ("nt8", "sierra")
ROOTS = ("NQ", "ES")

op = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(ROOTS)),
    st.tuples(st.just("refuse"), st.sampled_from(ROOTS)),
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(PLATFORMS), st.sampled_from(list(S))),
    st.tuples(st.just("fill"), st.integers(0, 30), st.sampled_from(PLATFORMS), st.sampled_from([0.5, 1.0])),
    st.tuples(st.just("discard"), st.integers(0, 30)),
    st.tuples(st.just("prune"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("revive"), st.integers(0, 30)),
)


def _scan(book: OrderBook) -> list[Order]:
    """What ``working()`` returned before it was indexed: every order in the book, checked one by one."""
    return [order for order in book.orders.values() if not order.is_terminal]


@settings(max_examples=300, deadline=None)
@given(st.lists(op, max_size=60))
def test_working_orders_equal_a_scan_of_every_order_after_any_sequence(ops: list[tuple]) -> None:
    book = OrderBook(one_order_per_root=False)
    created: list[Order] = []
    dropped: dict[str, Order] = {}
    clock = 0.0
    fills = 0
    for step in ops:
        kind = step[0]
        if kind == "create":
            n = len(created)
            specs = [LegSpec(p, f"{step[1]}-{p}", 1) for p in PLATFORMS]
            created.append(book.create(f"o{n}", f"c{n}", step[1], Side.BUY, 1, specs))
        elif kind == "refuse":
            n = len(created)
            created.append(book.refuse(f"o{n}", f"c{n}", step[1], Side.SELL, 1, "RISK"))
        elif kind in ("status", "fill") and created:
            order = created[step[1] % len(created)]
            leg_id = f"{order.order_id}.{step[2]}"
            if order.order_id not in book.orders or leg_id not in order.legs:
                continue
            if kind == "status":
                book.apply_status(leg_id, step[3], "reason")
            elif (qty := min(step[3], order.legs[leg_id].qty - order.legs[leg_id].filled_qty)) > 0:
                fills += 1
                book.apply_fill(leg_id, Execution(f"f{fills}", qty, 100.0))
        elif kind == "discard" and created:
            order = created[step[1] % len(created)]
            if book.discard(order.order_id) is not None:
                dropped[order.order_id] = order
        elif kind == "prune":
            clock += step[1]
            for order in book.prune(clock, retention_s=3, max_finished=step[2]):
                dropped[order.order_id] = order
        elif kind == "revive" and dropped:
            order = copy.deepcopy(sorted(dropped.values(), key=lambda o: o.order_id)[step[1] % len(dropped)])
            del dropped[order.order_id]
            restore_book(book, [order])  # as reconciliation brings a finished order back for a late report
            created[int(order.order_id[1:])] = order
        roots_first = (len(ops) + fills) % 2 == 0  # per root before or after ``working()``: either retires
        by_root = {root: book.working(root) for root in ROOTS} if roots_first else {}
        assert book.working() == _scan(book)
        assert [o.order_id for o in book.working()] == [o.order_id for o in _scan(book)]
        for root in ROOTS:
            working = by_root[root] if roots_first else book.working(root)
            assert [o.order_id for o in working] == [o.order_id for o in _scan(book) if o.root == root]
        indexed = [order_id for candidates in book.orders.by_root.values() for order_id in candidates]
        assert sorted(indexed) == sorted(book.orders.candidates)  # each candidate once, under its root


def test_a_rejected_order_filled_after_all_works_again_and_is_listed_once() -> None:
    book = OrderBook()
    book.create("o1", "c1", "NQ", Side.BUY, 2, [LegSpec("nt8", "NQ-1", 2)])
    book.create("o2", "c2", "ES", Side.BUY, 1, [LegSpec("nt8", "ES-1", 1)])
    book.apply_status("o1.nt8", S.REJECTED, "no")
    assert [o.order_id for o in book.working()] == ["o2"]
    book.apply_fill("o1.nt8", Execution("late", 1, 100.0))  # the platform traded it anyway
    assert [o.order_id for o in book.working()] == ["o1", "o2"]  # in the order they were created
    assert book.busy_with("NQ") is book.orders["o1"]


def test_orders_put_straight_into_the_table_are_indexed() -> None:
    book = OrderBook()
    order = Order("o1", "c1", "NQ", Side.BUY, 1)
    order.add_leg(Leg("o1.nt8", "nt8", "NQ-1", Side.BUY, 1))
    book.orders["o1"] = order
    assert book.working() == [order]
    book.orders.pop("o1")
    assert book.working() == []
    assert book.orders.pop("o1", None) is None


def test_an_order_put_back_in_the_table_is_listed_in_its_place_overall_and_for_its_root() -> None:
    book = OrderBook(one_order_per_root=False)
    for n in range(3):
        book.create(f"o{n}", f"c{n}", "NQ", Side.BUY, 1, [LegSpec("nt8", "NQ-1", 1)])
    book.apply_status("o0.nt8", S.CANCELLED)
    assert [o.order_id for o in book.working("NQ")] == ["o1", "o2"]  # o0 retired
    book.orders["o0"].legs["o0.nt8"].status = S.ACCEPTED  # as a reload puts a working copy back
    book.orders["o0"] = book.orders["o0"]
    assert [o.order_id for o in book.working("NQ")] == ["o0", "o1", "o2"]
    assert [o.order_id for o in book.working()] == ["o0", "o1", "o2"]
    assert book.working("ES") == []
