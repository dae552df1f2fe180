"""Repeated executions compare at the precision both reports carry: live ms against history whole seconds."""

from __future__ import annotations

from nexus_gw.domain.fill_times import same_execution, same_fill_time
from nexus_gw.domain.orders import Execution

LIVE_NS = 1_780_000_123_456_000_000  # ...123.456 s, as Sierra's live ORDER_UPDATE gives it
HISTORY_NS = 1_780_000_123_000_000_000  # ...123 s, the same execution in Sierra's fill history


def test_a_whole_second_time_matches_any_time_within_that_second() -> None:
    assert same_fill_time(LIVE_NS, HISTORY_NS) and same_fill_time(HISTORY_NS, LIVE_NS)
    assert not same_fill_time(LIVE_NS, HISTORY_NS + 1_000_000_000)
    assert not same_fill_time(HISTORY_NS - 1_000_000_000, LIVE_NS)


def test_two_sub_second_times_compare_exactly() -> None:
    assert same_fill_time(LIVE_NS, LIVE_NS)
    assert not same_fill_time(LIVE_NS, LIVE_NS + 1_000_000)


def test_same_execution_needs_the_same_id_quantity_and_price() -> None:
    live = Execution("E1", 1.0, 21000.25, LIVE_NS)
    assert same_execution(live, Execution("E1", 1.0, 21000.25, HISTORY_NS))
    assert not same_execution(live, Execution("E1", 2.0, 21000.25, HISTORY_NS))
    assert not same_execution(live, Execution("E1", 1.0, 21000.5, HISTORY_NS))
