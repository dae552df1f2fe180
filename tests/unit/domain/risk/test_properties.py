"""Properties that must hold for any order: never more than asked, never past a limit, never past the kill switch."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.risk import Action, Origin, ReasonCode, Scope, Side, TradingState
from tests.unit.domain.risk.helpers import PLATFORMS, T0, config, engine, intent

orders = st.builds(
    intent,
    qty=st.integers(1, 20),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    position=st.integers(-12, 12),
    confidence=st.one_of(st.none(), st.floats(0, 1)),
    platforms=st.sampled_from([PLATFORMS, ("sim_a",), ("sim_b", "sim_a")]),
    origin=st.sampled_from(list(Origin)),
)
limits = st.integers(0, 10)


@settings(max_examples=300, deadline=None)
@given(order=orders, limit=limits)
def test_accepted_orders_never_grow_and_never_leave_a_position_past_its_limit(order, limit: int) -> None:
    eng = engine(config(limits={"max_position_per_symbol": limit, "max_total_positions": 10}))
    decision = eng.check(order, T0)
    assert 0 <= decision.qty <= order.qty
    assert set(decision.platforms or ()) <= set(order.platforms)
    if decision.action is Action.REJECT:
        assert decision.qty == 0 and decision.reason is not None
        return
    after = order.position + int(order.side) * decision.qty
    assert abs(after) <= limit or abs(after) < abs(order.position)


@settings(max_examples=200, deadline=None)
@given(order=orders, flatten=st.booleans())
def test_kill_switch_lets_nothing_through_but_flatten_orders_towards_flat(order, flatten: bool) -> None:
    eng = engine()
    eng.activate_kill_switch("ops", "test", T0, flatten=flatten)
    decision = eng.check(order, T0)
    if order.origin is Origin.FLATTEN and flatten and order.closing_qty > 0:
        after = order.position + int(order.side) * decision.qty
        assert decision.accepted and abs(after) < abs(order.position) and after * order.position >= 0
    else:
        assert decision.action is Action.REJECT and decision.reason is ReasonCode.KILL_SWITCH


@settings(max_examples=200, deadline=None)
@given(order=orders)
def test_global_reducing_only_ever_shrinks_a_position_without_crossing_flat(order) -> None:
    eng = engine()
    eng.set_state(Scope.GLOBAL, None, TradingState.REDUCING, "ops", "test", T0)
    decision = eng.check(order, T0)
    if decision.accepted:
        after = order.position + int(order.side) * decision.qty
        assert abs(after) < abs(order.position) and after * order.position >= 0
    else:
        assert order.closing_qty == 0 and decision.reason is ReasonCode.REDUCE_ONLY
