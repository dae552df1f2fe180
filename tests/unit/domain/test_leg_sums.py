"""A leg's filled quantity and average price, kept between calls, equal the sums over its executions whatever
adds them: the state machine, a reload that fills the dict directly, or a new dict."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.orders import QTY_EPSILON, Execution, Leg
from nexus_gw.protocol.constants import Side

step = st.one_of(
    st.tuples(st.just("apply"), st.sampled_from([0.5, 1.0, 0.1, 0.2]), st.sampled_from([100.25, 99.1, 0.3])),
    st.tuples(st.just("direct"), st.sampled_from([0.5, 0.1]), st.sampled_from([100.0, 7.7])),
    st.tuples(st.just("new dict"), st.integers(0, 3)),
    st.tuples(st.just("copy"), st.booleans()),
)


def _sums(leg: Leg) -> tuple[float, float | None]:
    filled = sum(e.qty for e in leg.executions.values())
    value = sum(e.qty * e.price for e in leg.executions.values())
    return filled, (value / filled if filled > QTY_EPSILON else None)


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=40))
def test_filled_qty_and_avg_price_equal_the_sums_over_the_executions(steps: list[tuple]) -> None:
    leg = Leg("o1.nt8", "nt8", "NQ", Side.BUY, 1000.0)
    for n, (kind, *args) in enumerate(steps):
        if kind == "apply":
            leg.apply_execution(Execution(f"f{n}", args[0], args[1]))
        elif kind == "direct":  # as records.assemble rebuilds a leg from the journal
            leg.executions[f"d{n}"] = Execution(f"d{n}", args[0], args[1])
        elif kind == "new dict":  # same size, other executions
            kept = list(leg.executions.values())[: args[0]]
            leg.executions = {f"n{n}.{i}": Execution(f"n{n}.{i}", 0.3, 50.0 + i) for i, _ in enumerate(kept)}
        else:
            twin = copy.deepcopy(leg) if args[0] else copy.copy(leg)
            assert (twin.filled_qty, twin.avg_price) == _sums(twin)
            assert twin == leg
        assert (leg.filled_qty, leg.avg_price) == _sums(leg)
