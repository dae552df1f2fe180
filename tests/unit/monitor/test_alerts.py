"""The one alert log: in memory first, rate-limited repeats with a count, written to its sink, never lost to it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from nexus_gw.monitor.alerts import ALERT_EVERY_S, KEPT, AlertLog

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


class Sink:
    def __init__(self) -> None:
        self.rows: list[tuple[str, dict[str, Any], datetime]] = []

    def __call__(self, kind: str, record: dict[str, Any], at: datetime) -> None:
        self.rows.append((kind, record, at))


def test_an_alert_is_kept_in_memory_and_written_to_the_sink_with_its_fields() -> None:
    sink = Sink()
    alerts = AlertLog(None, sink, lambda: T0)
    assert alerts.raise_alert("WARNING", "ORDER_STUCK", "order X stuck", context={"order_id": "X"}) is True
    record = {
        "severity": "WARNING",
        "code": "ORDER_STUCK",
        "message": "order X stuck",
        "at": T0.isoformat(),
        "context": {"order_id": "X"},
    }
    assert alerts.recent == [record]
    assert sink.rows == [("alert", record, T0)]


def test_repeats_within_the_interval_are_counted_and_the_next_alert_says_how_many() -> None:
    sink = Sink()
    mono = [0.0]
    alerts = AlertLog(None, sink, lambda: T0, monotonic=lambda: mono[0])
    assert alerts.raise_alert("CRITICAL", "JOURNAL_UNAVAILABLE", "disk full") is True
    assert alerts.raise_alert("CRITICAL", "JOURNAL_UNAVAILABLE", "disk full") is False
    assert alerts.raise_alert("CRITICAL", "JOURNAL_UNAVAILABLE", "disk full") is False
    assert alerts.raise_alert("CRITICAL", "OTHER", "another code is not limited by the first") is True
    mono[0] = ALERT_EVERY_S + 1
    assert alerts.raise_alert("CRITICAL", "JOURNAL_UNAVAILABLE", "disk full") is True
    assert [a["code"] for a in alerts.recent] == ["JOURNAL_UNAVAILABLE", "OTHER", "JOURNAL_UNAVAILABLE"]
    assert alerts.recent[-1]["message"] == "disk full (2 more like this since the last alert)"
    assert len(sink.rows) == 3


def test_unlimited_alerts_and_keys_record_every_occurrence() -> None:
    alerts = AlertLog(None, Sink(), lambda: T0, monotonic=lambda: 0.0)
    for _ in range(3):
        alerts.raise_alert("WARNING", "RECONCILE_UNKNOWN_ORDER", "seen", limit=False)
    alerts.raise_alert("WARNING", "STEP", "a", key="STEP:a")
    alerts.raise_alert("WARNING", "STEP", "b", key="STEP:b")
    assert [a["message"] for a in alerts.recent] == ["seen", "seen", "seen", "a", "b"]


def test_a_failing_sink_never_loses_the_alert_nor_raises() -> None:
    def full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    alerts = AlertLog(None, full, lambda: T0)
    assert alerts.raise_alert("CRITICAL", "RISK_STATE_NOT_JOURNALED", "kill switch not journaled") is True
    assert alerts.recent[0]["code"] == "RISK_STATE_NOT_JOURNALED"
    assert alerts.sink_failures == 1


def test_memory_keeps_only_the_newest_and_a_shared_list_sees_them() -> None:
    shown: list[dict[str, Any]] = []
    alerts = AlertLog(shown, Sink(), lambda: T0)
    for i in range(KEPT + 5):
        alerts.raise_alert("INFO", "TICK", str(i), limit=False)
    assert shown is alerts.recent and len(shown) == KEPT
    assert shown[0]["message"] == "5" and alerts.newest(2)[-1]["message"] == str(KEPT + 4)


def test_an_explicit_time_is_used_for_the_record_and_the_sink() -> None:
    sink = Sink()
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    AlertLog(None, sink, lambda: T0).raise_alert("CRITICAL", "DAILY_LOSS_LIMIT", "hit", limit=False, at=at)
    assert sink.rows[0][1]["at"] == at.isoformat() and sink.rows[0][2] == at
