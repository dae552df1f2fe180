"""Housekeeping steps guarded one by one; alerts that do not need the journal; storage errors told apart."""

from __future__ import annotations

import errno
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from nexus_gw.journal.errors import JournalUnavailable, storage_error
from nexus_gw.monitor.alerts import ALERT_EVERY_S
from nexus_gw.monitor.alerts import AlertLog as Alerter
from nexus_gw.server.guard import StepGuard

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def full_disk(*_: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.OperationalError("database or disk is full"),
        sqlite3.OperationalError("attempt to write a readonly database"),
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EROFS, "Read-only file system"),
        JournalUnavailable("journal x: disk full"),
    ],
)
def test_storage_errors_are_recognised(exc: BaseException) -> None:
    assert storage_error(exc)


def test_other_errors_are_not_storage_errors() -> None:
    assert storage_error(sqlite3.OperationalError("no such table: orders")) is None
    assert storage_error(ValueError("bug")) is None
    try:
        try:
            full_disk()
        except sqlite3.OperationalError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert storage_error(outer) == "database or disk is full"


def test_a_failing_step_is_counted_alerted_once_a_minute_and_never_raises() -> None:
    alerts: list[dict[str, Any]] = []
    now = [0.0]
    alerter = Alerter(alerts, full_disk, lambda: T0, monotonic=lambda: now[0])  # the journal is full too
    counters: Counter[str] = Counter()
    guard = StepGuard(counters, alerter)
    ran: list[str] = []
    for _ in range(3):
        assert guard.run("risk_state", lambda: full_disk()) is False
        assert guard.run("next_step", lambda: ran.append("ok")) is True
    assert ran == ["ok"] * 3
    assert counters["housekeeping_errors"] == 3 and counters["housekeeping_errors.risk_state"] == 3
    assert [(a["severity"], a["code"]) for a in alerts] == [("CRITICAL", "JOURNAL_UNAVAILABLE")]
    now[0] = ALERT_EVERY_S + 1
    guard.run("risk_state", lambda: full_disk())
    assert len(alerts) == 2 and "2 more like this" in alerts[1]["message"]


def test_a_bug_in_a_step_is_a_warning_alert_not_a_crash() -> None:
    alerts: list[dict[str, Any]] = []
    guard = StepGuard(Counter(), Alerter(alerts, lambda *a: None, lambda: T0))
    assert guard.run("rolls", lambda: 1 / 0) is False
    assert alerts[0]["code"] == "HOUSEKEEPING_ERROR" and alerts[0]["severity"] == "WARNING"
