"""Exhaustive checks of the leg state machine and the order's aggregate status (nexus_gw.domain.orders).

The expected behaviour is written out here from the module's documented rules, independently of its tables.
"""

from __future__ import annotations

import itertools
import math

import pytest

from nexus_gw.domain.orders import ALLOWED_TRANSITIONS, Execution, Leg, Order, can_transition
from nexus_gw.protocol.constants import TERMINAL_STATUSES, OrderStatus, Side

S = OrderStatus
ALL = list(S)
TERMINAL = {S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED}
ENDINGS = {S.CANCELLED, S.REJECTED, S.EXPIRED}

# The documented forward order: a status never moves back; REJECTED only before any fill.
EXPECTED_ALLOWED = {
    S.NEW: {S.SENT, S.ACCEPTED, S.PARTIALLY_FILLED, S.FILLED, *ENDINGS},
    S.SENT: {S.ACCEPTED, S.PARTIALLY_FILLED, S.FILLED, *ENDINGS},
    S.ACCEPTED: {S.PARTIALLY_FILLED, S.FILLED, *ENDINGS},
    S.PARTIALLY_FILLED: {S.FILLED, S.CANCELLED, S.EXPIRED},
    S.FILLED: set(),
    S.CANCELLED: set(),
    S.REJECTED: set(),
    S.EXPIRED: set(),
}


def leg_in(status: OrderStatus, qty: float = 2.0) -> Leg:
    """A leg brought to ``status`` through the public API (fills for the fill states)."""
    leg = Leg("o1.nt8", "nt8", "NQ 03-25", Side.BUY, qty)
    if status is S.PARTIALLY_FILLED:
        leg.apply_execution(Execution("f1", qty / 2, 100.0))
    elif status is S.FILLED:
        leg.apply_execution(Execution("f1", qty, 100.0))
    elif status is not S.NEW:
        assert leg.apply_status(status, reason=f"to {status.value}")
    assert leg.status is status
    return leg


def test_transition_table_is_the_documented_forward_only_machine() -> None:
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == EXPECTED_ALLOWED
    assert set(ALLOWED_TRANSITIONS) == set(S)


def test_terminal_statuses_are_exactly_those_without_exits() -> None:
    assert {s for s, exits in ALLOWED_TRANSITIONS.items() if not exits} == set(TERMINAL_STATUSES) == TERMINAL


@pytest.mark.parametrize(("current", "new"), list(itertools.product(ALL, ALL)), ids=lambda s: s.value)
def test_status_report_moves_leg_only_forward_and_fill_states_only_with_executions(
    current: OrderStatus, new: OrderStatus
) -> None:
    leg = leg_in(current)
    filled_before = leg.filled_qty
    changed = leg.apply_status(new, reason="reported")
    assert can_transition(current, new) is (new in EXPECTED_ALLOWED[current])
    if new in EXPECTED_ALLOWED[current] and new not in (S.FILLED, S.PARTIALLY_FILLED):
        assert changed and leg.status is new and leg.reason == "reported"
    else:
        # Same, backwards, out of a terminal state, or a fill state the executions do not support.
        assert not changed and leg.status is current
    assert leg.filled_qty == filled_before


@pytest.mark.parametrize("current", [S.NEW, S.SENT, S.ACCEPTED], ids=lambda s: s.value)
def test_partial_execution_on_working_leg_makes_it_partially_filled_then_filled(current: OrderStatus) -> None:
    leg = leg_in(current)
    assert leg.apply_execution(Execution("a", 0.5, 100.0))
    assert leg.status is S.PARTIALLY_FILLED
    assert leg.apply_execution(Execution("b", 1.5, 102.0))
    assert leg.status is S.FILLED and leg.is_terminal
    assert leg.avg_price == pytest.approx((0.5 * 100 + 1.5 * 102) / 2)


@pytest.mark.parametrize("ending", sorted(ENDINGS - {S.REJECTED}), ids=lambda s: s.value)
def test_execution_after_terminal_report_is_counted_but_status_stays(ending: OrderStatus) -> None:
    leg = leg_in(ending)
    assert leg.apply_execution(Execution("late", 2.0, 101.0))
    assert leg.filled_qty == 2.0
    assert leg.status is ending


def test_fill_of_a_rejected_leg_reopens_it_and_a_full_one_fills_it() -> None:
    """A fill is a fact: a leg settled as REJECTED (e.g. "never received") that the platform fills after all."""
    leg = leg_in(S.REJECTED)
    assert leg.apply_execution(Execution("late", 0.5, 101.0))
    assert leg.status is S.PARTIALLY_FILLED and not leg.is_terminal
    assert leg.apply_execution(Execution("rest", 1.5, 101.0))
    assert leg.status is S.FILLED and leg.filled_qty == 2.0


@pytest.mark.parametrize("current", [S.NEW, S.SENT, S.ACCEPTED], ids=lambda s: s.value)
def test_filled_report_ahead_of_its_executions_waits_for_them(current: OrderStatus) -> None:
    leg = leg_in(current)
    assert not leg.apply_status(S.FILLED)
    assert leg.status is current
    leg.apply_execution(Execution("a", 2.0, 100.0))
    assert leg.status is S.FILLED


def test_repeated_fill_id_is_ignored_even_with_different_values() -> None:
    leg = leg_in(S.ACCEPTED)
    assert leg.apply_execution(Execution("a", 1.0, 100.0))
    assert not leg.apply_execution(Execution("a", 1.0, 100.0))
    assert not leg.apply_execution(Execution("a", 0.5, 90.0))
    assert leg.filled_qty == 1.0 and leg.avg_price == 100.0


@pytest.mark.parametrize(("qty", "price"), [(0.0, 100.0), (-1.0, 100.0), (1.0, 0.0), (1.0, -5.0)])
def test_non_positive_execution_is_refused_and_not_counted(qty: float, price: float) -> None:
    leg = leg_in(S.ACCEPTED)
    with pytest.raises(ValueError, match="must be positive"):
        leg.apply_execution(Execution("bad", qty, price))
    assert leg.executions == {} and leg.status is S.ACCEPTED


def test_over_fill_is_refused_and_leaves_leg_unchanged() -> None:
    leg = leg_in(S.PARTIALLY_FILLED)
    with pytest.raises(ValueError, match="over-reported"):
        leg.apply_execution(Execution("f2", 1.5, 100.0))
    assert leg.filled_qty == 1.0 and leg.status is S.PARTIALLY_FILLED


def test_first_platform_order_id_is_kept_even_from_a_stale_report() -> None:
    leg = leg_in(S.ACCEPTED)
    assert not leg.apply_status(S.SENT, platform_order_id="P-1")
    assert leg.platform_order_id == "P-1"
    leg.apply_status(S.CANCELLED, platform_order_id="P-2")
    assert leg.platform_order_id == "P-1"


def test_status_without_reason_keeps_the_earlier_reason() -> None:
    leg = leg_in(S.SENT)
    leg.apply_status(S.ACCEPTED, reason="queued")
    leg.apply_status(S.CANCELLED)
    assert leg.reason == "queued"


# -- aggregate status ---------------------------------------------------------------------------


def expected_order_status(statuses: list[OrderStatus], filled_any: bool) -> OrderStatus:
    """The documented aggregate: see Order.status."""
    if all(s in TERMINAL for s in statuses):
        if all(s is S.FILLED for s in statuses):
            return S.FILLED
        if filled_any:
            return S.PARTIALLY_FILLED
        if all(s is S.REJECTED for s in statuses):
            return S.REJECTED
        if S.EXPIRED in statuses:
            return S.EXPIRED
        return S.CANCELLED
    if filled_any:
        return S.PARTIALLY_FILLED
    working = [s for s in statuses if s not in TERMINAL]
    return S.NEW if S.NEW in working else S.SENT if S.SENT in working else S.ACCEPTED


def order_with(statuses: tuple[OrderStatus, ...]) -> Order:
    order = Order("o1", "c1", "NQ", Side.BUY, 2.0)
    for index, status in enumerate(statuses):
        leg = leg_in(status)
        leg.leg_id = f"o1.p{index}"
        order.add_leg(leg)
    return order


@pytest.mark.parametrize("statuses", list(itertools.product(ALL, repeat=2)), ids=lambda t: "+".join(t))
def test_order_status_of_two_legs_follows_documented_aggregation(statuses: tuple[OrderStatus, ...]) -> None:
    order = order_with(statuses)
    filled_any = any(s in (S.PARTIALLY_FILLED, S.FILLED) for s in statuses)
    assert order.status is expected_order_status(list(statuses), filled_any)
    assert order.is_terminal is all(s in TERMINAL for s in statuses)


@pytest.mark.parametrize("statuses", list(itertools.product([S.NEW, S.SENT, S.ACCEPTED], repeat=3)))
def test_working_order_reports_its_least_advanced_leg(statuses: tuple[OrderStatus, ...]) -> None:
    order = order_with(statuses)
    least = min(statuses, key=[S.NEW, S.SENT, S.ACCEPTED].index)
    assert order.status is least and not order.is_terminal


def test_cancelled_leg_with_partial_fill_makes_final_partially_filled_order() -> None:
    order = order_with((S.FILLED, S.PARTIALLY_FILLED))
    order.legs["o1.p1"].apply_status(S.CANCELLED)
    assert order.is_terminal and order.status is S.PARTIALLY_FILLED
    assert order.filled_qty == 3.0


def test_refused_order_is_rejected_and_terminal() -> None:
    order = Order("o1", "c1", "NQ", Side.BUY, 1.0, reason="risk", rejected=True)
    assert order.status is S.REJECTED and order.is_terminal


# -- regressions: defects these checks found in orders.py ------------------------------------------


def test_order_without_legs_is_terminal_when_its_status_is_terminal() -> None:
    order = Order("o1", "c1", "NQ", Side.BUY, 1.0)
    assert order.status in TERMINAL_STATUSES
    assert order.is_terminal


@pytest.mark.parametrize(("qty", "price"), [(math.nan, 100.0), (1.0, math.nan), (1.0, math.inf)])
def test_non_finite_execution_is_refused(qty: float, price: float) -> None:
    leg = leg_in(S.ACCEPTED)
    with pytest.raises(ValueError):
        leg.apply_execution(Execution("bad", qty, price))
