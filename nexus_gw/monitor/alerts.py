"""The one alert log of the gateway process.

Every alert — risk, reconciliation, stuck orders, held legs, the kill switch, failing housekeeping steps — is
recorded here: kept in memory first (``status`` shows the newest), logged, then written to a sink (the journal's
event log) if the sink takes it. A sink that fails (a full disk) never loses the alert nor stops its caller: the
alert stays in memory and in the log. Repeats of the same key within ``ALERT_EVERY_S`` are counted, not
recorded, and the next recorded alert says how many there were.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

#: At most one alert per key in this many seconds (when rate-limited); the rest are counted.
ALERT_EVERY_S = 60.0
#: How many recent alerts are kept in memory.
KEPT = 100
#: The event kind alerts are written under in the sink.
ALERT_EVENT = "alert"

AlertSink = Callable[[str, dict[str, Any], datetime], None]


class AlertLog:
    """Records alerts: in memory (``recent``), in the log, then in ``sink(kind, record, at)``."""

    def __init__(
        self,
        recent: list[dict[str, Any]] | None,
        sink: AlertSink,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        every_s: float = ALERT_EVERY_S,
    ) -> None:
        self.recent: list[dict[str, Any]] = recent if recent is not None else []
        self.sink = sink
        self.now = now
        self.monotonic = monotonic
        self.every_s = every_s
        self.last: dict[str, float] = {}
        self.suppressed: Counter[str] = Counter()
        self.sink_failures = 0
        #: Also hands each recorded alert (and its key) to the notifier (monitor/delivery.py), if set.
        self.forward: Callable[[dict[str, Any], str], object] | None = None

    def raise_alert(
        self,
        severity: str,
        code: str,
        message: str,
        key: str = "",
        limit: bool = True,
        at: datetime | None = None,
        context: dict[str, Any] | None = None,
    ) -> bool:
        """Record one alert; False when a repeat of ``key`` (default: the code) came too soon (counted).

        ``limit=False`` records every occurrence (callers that deduplicate themselves, such as the risk engine).
        """
        key = key or code
        mono = self.monotonic()
        last = self.last.get(key)
        if limit and last is not None and mono - last < self.every_s:
            self.suppressed[key] += 1
            return False
        self.last[key] = mono
        repeats = self.suppressed.pop(key, 0)
        if repeats:
            message = f"{message} ({repeats} more like this since the last alert)"
        when = at if at is not None else self.now()
        record: dict[str, Any] = {"severity": severity, "code": code, "message": message, "at": when.isoformat()}
        if context:
            record["context"] = dict(context)
        self.recent.append(record)
        del self.recent[:-KEPT]
        level = logging.CRITICAL if severity == "CRITICAL" else logging.WARNING
        log.log(level, "ALERT %s %s: %s", severity, code, message)
        try:
            self.sink(ALERT_EVENT, record, when)
        except Exception as exc:  # in memory and in the log already; the sink is what failed
            self.sink_failures += 1
            log.error("alert %s not written to its sink: %s", code, exc)
        if self.forward is not None:
            try:
                self.forward(record, key)
            except Exception as exc:  # delivery is best effort; the alert is recorded
                log.error("alert %s not handed to the notifier: %s", code, exc)
        return True

    def newest(self, count: int = 20) -> list[dict[str, Any]]:
        return self.recent[-count:]
