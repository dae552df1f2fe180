"""A fill re-reported from a platform's history (whole seconds) after it came live (milliseconds) is a plain repeat."""

from __future__ import annotations

import logging

import pytest

from nexus_gw.domain.orders import Execution
from nexus_gw.journal import Journal

from .conftest import T0, make_order


def test_a_history_repeat_in_whole_seconds_of_a_live_fill_in_ms_is_not_different(
    journal: Journal, caplog: pytest.LogCaptureFixture
) -> None:
    journal.record_order(make_order("o1"))
    live_ns = T0 + 7_250_000_000  # 7.25 s
    assert journal.record_execution("o1.sierra", Execution("E1", 1.0, 21000.25, live_ns))
    with caplog.at_level(logging.WARNING, logger="nexus_gw.journal.writing"):
        assert not journal.record_execution("o1.sierra", Execution("E1", 1.0, 21000.25, T0 + 7_000_000_000))
        assert not [r for r in caplog.records if "different values" in r.getMessage()]
        assert not journal.record_execution("o1.sierra", Execution("E1", 1.0, 21000.25, T0 + 8_000_000_000))
    assert [r for r in caplog.records if "different values" in r.getMessage()]  # another second: still flagged
