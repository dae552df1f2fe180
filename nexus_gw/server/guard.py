"""Keeping the loop alive: each housekeeping step runs guarded, and alerts do not depend on the journal.

A full disk or a read-only data directory is an operating condition, not a reason to stop routing or to lose the
kill switch: a failing step is counted (``housekeeping_errors`` and ``housekeeping_errors.<step>``), logged and
alerted at most once per ``ALERT_EVERY_S`` per step (with how many failures were not alerted), and the loop goes on.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nexus_gw.journal.errors import storage_error

log = logging.getLogger(__name__)

#: At most one alert per step (or per alert code) in this many seconds; the rest are counted.
ALERT_EVERY_S = 60.0


class Alerter:
    """Alerts kept in memory first (status shows them), then journaled if the journal takes them; rate-limited."""

    def __init__(
        self,
        alerts: list[dict[str, Any]],
        journal_event: Callable[[str, dict[str, Any], datetime], None],
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.alerts = alerts
        self._journal_event = journal_event
        self._now = now
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._suppressed: Counter[str] = Counter()

    def raise_alert(self, severity: str, code: str, message: str, key: str = "", limit: bool = True) -> bool:
        """Record, log and journal (if possible) one alert; False when rate-limited (counted, shown later)."""
        key = key or code
        mono = self._monotonic()
        last = self._last.get(key)
        if limit and last is not None and mono - last < ALERT_EVERY_S:
            self._suppressed[key] += 1
            return False
        self._last[key] = mono
        suppressed = self._suppressed.pop(key, 0)
        if suppressed:
            message = f"{message} ({suppressed} more like this since the last alert)"
        at = self._now()
        record = {"severity": severity, "code": code, "message": message, "at": at.isoformat()}
        self.alerts.append(record)
        del self.alerts[:-100]
        log.log(
            logging.CRITICAL if severity == "CRITICAL" else logging.WARNING, "ALERT %s %s: %s", severity, code, message
        )
        try:
            self._journal_event("alert", record, at)
        except Exception as exc:  # the alert is in memory and in the log; the journal is what failed
            if storage_error(exc) is None:
                raise
            log.error("alert %s not journaled: %s", code, storage_error(exc))
        return True


class StepGuard:
    """Runs housekeeping steps so that one failing never stops the others or the loop."""

    def __init__(self, counters: Counter[str], alerter: Alerter) -> None:
        self.counters = counters
        self.alerter = alerter

    def run(self, step: str, action: Callable[[], object]) -> bool:
        """Run ``action``; on any exception count, log and alert (rate-limited) and return False."""
        try:
            action()
        except Exception as exc:
            self.counters["housekeeping_errors"] += 1
            self.counters[f"housekeeping_errors.{step}"] += 1
            reason = storage_error(exc)
            if reason is not None:
                code, message = "JOURNAL_UNAVAILABLE", f"housekeeping step {step}: cannot write the journal: {reason}"
                log.error("%s", message)
            else:
                code, message = "HOUSEKEEPING_ERROR", f"housekeeping step {step} failed: {exc!r}"
                log.exception("housekeeping step %s failed", step)
            self.alerter.raise_alert("CRITICAL" if reason else "WARNING", code, message, key=f"{code}:{step}")
            return False
        return True
