"""An order's aggregate figures (status, terminal, filled quantity, average price) equal their definitions over its
legs, computed the plain way (one leg property at a time), whatever the legs hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.orders import QTY_EPSILON, Execution, Leg, Order
from nexus_gw.protocol.constants import OrderStatus, Side

S = OrderStatus

leg = st.tuples(
    st.sampled_from(list(S)),
    st.sampled_from([1.0, 20.0, 0.5]),  # multiplier
    st.lists(st.tuples(st.sampled_from([0.1, 0.5, 1.0, 3.0]), st.sampled_from([99.75, 100.0, 0.7])), max_size=3),
)


def _status(order: Order) -> OrderStatus:
    """The definition, as written before the figures were computed in one pass."""
    if order.rejected or not order.legs:
        return S.REJECTED
    legs = list(order.legs.values())
    filled = _filled(order) > QTY_EPSILON
    if all(leg.is_terminal for leg in legs):
        if all(leg.status == S.FILLED for leg in legs):
            return S.FILLED
        if filled:
            return S.PARTIALLY_FILLED
        if all(leg.status == S.REJECTED for leg in legs):
            return S.REJECTED
        if any(leg.status == S.EXPIRED for leg in legs):
            return S.EXPIRED
        return S.CANCELLED
    if filled:
        return S.PARTIALLY_FILLED
    working = [leg.status for leg in legs if not leg.is_terminal]
    for candidate in (S.NEW, S.SENT):
        if candidate in working:
            return candidate
    return S.ACCEPTED


def _filled(order: Order) -> float:
    return sum(sum(e.qty for e in leg.executions.values()) / leg.multiplier for leg in order.legs.values())


@settings(max_examples=500, deadline=None)
@given(st.lists(leg, max_size=4), st.booleans(), st.lists(st.integers(0, 3), max_size=4))
def test_aggregate_figures_equal_their_definitions(legs: list[tuple], rejected: bool, later: list[int]) -> None:
    order = Order("o1", "c1", "NQ", Side.BUY, 1.0, rejected=rejected and len(legs) == 0)
    for n, (status, multiplier, fills) in enumerate(legs):
        order.add_leg(Leg(f"o1.{n}", f"p{n}", "NQ", Side.BUY, 100.0, status=status, multiplier=multiplier))
        for i, (qty, price) in enumerate(fills):
            order.legs[f"o1.{n}"].executions[f"f{i}"] = Execution(f"f{i}", qty, price)
    for round_ in range(2):  # asked twice: after more executions, the kept sums catch up
        assert order.status is _status(order)
        assert order.is_terminal is (order.rejected or all(leg.is_terminal for leg in order.legs.values()))
        assert order.filled_qty == _filled(order)
        for n in later:
            if n < len(legs):
                order.legs[f"o1.{n}"].executions[f"late{round_}"] = Execution(f"late{round_}", 0.25, 101.0)
