"""Keeping the loop alive: each housekeeping step runs guarded, and alerts do not depend on the journal.

A full disk or a read-only data directory is an operating condition, not a reason to stop routing or to lose the
kill switch: a failing step is counted (``housekeeping_errors`` and ``housekeeping_errors.<step>``), logged and
alerted in the alert log (``monitor.alerts``: at most once per ``ALERT_EVERY_S`` per step, with how many failures
were not alerted), and the loop goes on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from nexus_gw.journal.errors import storage_error
from nexus_gw.monitor.alerts import AlertLog

log = logging.getLogger(__name__)


class StepGuard:
    """Runs housekeeping steps so that one failing never stops the others or the loop."""

    def __init__(self, counters: Counter[str], alerter: AlertLog) -> None:
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
