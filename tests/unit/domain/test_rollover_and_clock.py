from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from nexus_gw.config.loader import load_reference
from nexus_gw.domain.clock import ManualClock, SimulatedClock
from nexus_gw.domain.rollover import RollWatcher
from tests.conftest import CONFIG_DIR

REGISTRY = load_reference(CONFIG_DIR).instruments


def test_watcher_reports_each_root_once_when_its_front_contract_changes() -> None:
    before = datetime(2025, 3, 16, 21, 59, tzinfo=UTC)
    watcher = RollWatcher(REGISTRY, ["NQ", "ES", "BTCUSD", "WIN"], before)
    assert watcher.fronts == {"NQ": "NQH25", "ES": "ESH25", "WIN": "WINJ25"}
    assert watcher.check(before + timedelta(seconds=30)) == []
    events = watcher.check(before + timedelta(minutes=2))
    assert [(e.root, e.old, e.new) for e in events] == [("NQ", "NQH25", "NQM25"), ("ES", "ESH25", "ESM25")]
    assert watcher.check(before + timedelta(minutes=3)) == []
    assert watcher.fronts["NQ"] == "NQM25"


def test_simulated_clock_starts_where_told_and_runs_at_its_speed() -> None:
    start = datetime(2025, 3, 16, 21, 59, 55, tzinfo=UTC)
    clock = SimulatedClock(start, speed=100.0)
    time.sleep(0.05)
    elapsed = (clock.now() - start).total_seconds()
    assert 4.0 <= elapsed <= 60.0
    with pytest.raises(ValueError, match="timezone-aware"):
        SimulatedClock(datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="positive"):
        SimulatedClock(start, speed=0)


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    clock.advance(60)
    assert clock.now() == datetime(2025, 1, 1, 0, 1, tzinfo=UTC) and clock.monotonic() == 60
    clock.set(datetime(2025, 1, 1, 1, tzinfo=UTC))
    assert clock.monotonic() == 3600
    with pytest.raises(ValueError, match="backwards"):
        clock.set(datetime(2024, 1, 1, tzinfo=UTC))
