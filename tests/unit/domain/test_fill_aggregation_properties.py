"""Property: any interleaving of leg reports (duplicates, reordering, partials) over 1–6 legs aggregates like a
simple model: each fill id counted once, filled qty = sum of distinct fills, average = their weighted mean,
and the status the documented state machine gives for that order of reports.

Quantities and prices are multiples of 0.25, so sums are exact in binary floating point.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.orders import Execution
from nexus_gw.protocol.constants import OrderStatus, Side
from tests.unit.domain.strategies import PLATFORMS, Event, order_plan

S = OrderStatus
TERMINAL = {S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED}
WORKING_RANK = {S.NEW: 0, S.SENT: 1, S.ACCEPTED: 2, S.PARTIALLY_FILLED: 3}


@dataclass
class LegModel:
    """What a leg should be: fills keyed by id (first report wins), a working phase, a terminal status."""

    qty: float
    fills: dict[str, tuple[float, float]] = field(default_factory=dict)
    phase: OrderStatus = S.NEW
    terminal: OrderStatus | None = None

    @property
    def status(self) -> OrderStatus:
        return self.terminal or self.phase

    @property
    def filled(self) -> float:
        return sum(q for q, _ in self.fills.values())

    def on_status(self, reported: OrderStatus) -> None:
        if self.terminal is not None:
            return
        if reported in (S.CANCELLED, S.EXPIRED) or (reported is S.REJECTED and not self.fills):
            self.terminal = reported
        elif reported in (S.SENT, S.ACCEPTED) and WORKING_RANK[reported] > WORKING_RANK[self.phase]:
            self.phase = reported
        # NEW never moves a leg; FILLED and PARTIALLY_FILLED come from executions only.

    def on_fill(self, fill_id: str, qty: float, price: float) -> bool:
        if fill_id in self.fills:
            return False
        self.fills[fill_id] = (qty, price)
        if self.terminal is S.REJECTED:  # a fill is a fact: the platform had the leg after all
            if self.filled >= self.qty:
                self.terminal = S.FILLED
            else:
                self.terminal, self.phase = None, S.PARTIALLY_FILLED
        elif self.terminal is None:
            if self.filled >= self.qty:
                self.terminal = S.FILLED
            else:
                self.phase = S.PARTIALLY_FILLED
        return True


def model_order_status(legs: list[LegModel]) -> OrderStatus:
    statuses = [leg.status for leg in legs]
    filled = any(leg.fills for leg in legs)
    if all(s in TERMINAL for s in statuses):
        if all(s is S.FILLED for s in statuses):
            return S.FILLED
        if filled:
            return S.PARTIALLY_FILLED
        if all(s is S.REJECTED for s in statuses):
            return S.REJECTED
        return S.EXPIRED if S.EXPIRED in statuses else S.CANCELLED
    if filled:
        return S.PARTIALLY_FILLED
    working = [s for s in statuses if s not in TERMINAL]
    return S.NEW if S.NEW in working else S.SENT if S.SENT in working else S.ACCEPTED


@settings(max_examples=400, deadline=None)
@given(order_plan())
def test_any_interleaving_of_leg_reports_aggregates_like_the_model(plan: tuple[list[float], list[Event]]) -> None:
    qtys, events = plan
    book = OrderBook()
    specs = [LegSpec(PLATFORMS[i], f"NQ@{PLATFORMS[i]}", qty) for i, qty in enumerate(qtys)]
    order = book.create("o1", "c1", "NQ", Side.BUY, 1.0, specs)
    leg_ids = list(order.legs)
    models = [LegModel(qty) for qty in qtys]
    counted: dict[str, int] = {}

    for index, report in events:
        if isinstance(report, Execution):
            _, new = book.apply_fill(leg_ids[index], report)
            assert new is models[index].on_fill(report.fill_id, report.qty, report.price)
            counted[report.fill_id] = counted.get(report.fill_id, 0) + int(new)
        else:
            book.apply_status(leg_ids[index], report)
            models[index].on_status(report)

    assert all(times == 1 for times in counted.values()), "an execution was counted twice"
    for leg_id, model in zip(leg_ids, models, strict=True):
        leg = order.legs[leg_id]
        assert leg.status is model.status
        assert leg.filled_qty == model.filled
        assert set(leg.executions) == set(model.fills)
    all_fills = [fill for model in models for fill in model.fills.values()]
    total = sum(q for q, _ in all_fills)
    assert order.filled_qty == total
    if total:
        expected_avg = sum(q * p for q, p in all_fills) / total
        assert order.avg_price is not None and abs(order.avg_price - expected_avg) < 1e-9
    else:
        assert order.avg_price is None
    assert order.status is model_order_status(models)
    assert order.is_terminal is all(m.status in TERMINAL for m in models)
    assert (book.busy_with("NQ") is None) is order.is_terminal


@settings(max_examples=150, deadline=None)
@given(order_plan(), st.randoms(use_true_random=False))
def test_quantity_and_average_do_not_depend_on_report_order(
    plan: tuple[list[float], list[Event]], rnd: random.Random
) -> None:
    """Two orders of the same reports reach the same filled quantity and average price."""
    qtys, events = plan
    shuffled = list(events)
    rnd.shuffle(shuffled)
    results = []
    for sequence in (events, shuffled):
        book = OrderBook()
        specs = [LegSpec(PLATFORMS[i], "s", q) for i, q in enumerate(qtys)]
        order = book.create("o1", "c1", "NQ", Side.SELL, 1.0, specs)
        leg_ids = list(order.legs)
        for index, report in sequence:
            if isinstance(report, Execution):
                book.apply_fill(leg_ids[index], report)
            else:
                book.apply_status(leg_ids[index], report)
        results.append((order.filled_qty, order.avg_price))
    (qty_a, avg_a), (qty_b, avg_b) = results
    assert qty_a == qty_b
    assert (avg_a is None) == (avg_b is None)
    if avg_a is not None and avg_b is not None:
        assert abs(avg_a - avg_b) < 1e-9
