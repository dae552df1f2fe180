"""Logging set-up shared by every process: one line per event, UTC timestamps, the process role.

Repeated lines are rate-limited: per logger and message template (the format string before its arguments),
the first ``burst`` records of each ``window_s`` are written; the rest are counted and, when the window ends,
summarised in one line "… repeated N more times in the last Ws". A flood of malformed messages or dropped
market data therefore costs a few lines a minute, not gigabytes.
"""

from __future__ import annotations

import atexit
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

SUMMARY_ATTR = "nexusgw_repeat_summary"


@dataclass
class _Window:
    started: float
    passed: int = 0
    suppressed: int = 0
    last: logging.LogRecord | None = None


class RepeatLimiter(logging.Filter):
    """A handler filter that lets through the first ``burst`` records per (logger, level, template) and window."""

    def __init__(
        self,
        handler: logging.Handler,
        burst: int = 5,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        super().__init__()
        self.handler = handler
        self.burst = burst
        self.window_s = window_s
        self.clock = clock
        self.max_keys = max_keys
        self._windows: dict[tuple[str, int, str], _Window] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SUMMARY_ATTR, False):
            return True
        now = self.clock()
        self._flush_expired(now)
        key = (record.name, record.levelno, str(record.msg))
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) >= self.max_keys:
                self.flush()
            window = self._windows[key] = _Window(started=now)
        if window.passed < self.burst:
            window.passed += 1
            return True
        window.suppressed += 1
        window.last = record
        return False

    def _flush_expired(self, now: float) -> None:
        expired = [key for key, w in self._windows.items() if now - w.started >= self.window_s]
        for key in expired:
            self._summarise(self._windows.pop(key), now)

    def flush(self) -> None:
        """Write the pending summaries now (at shutdown, or before forgetting the windows)."""
        now = self.clock()
        windows, self._windows = self._windows, {}
        for window in windows.values():
            self._summarise(window, now)

    def _summarise(self, window: _Window, now: float) -> None:
        if not window.suppressed or window.last is None:
            return
        last = window.last
        summary = logging.LogRecord(
            last.name,
            last.levelno,
            last.pathname,
            last.lineno,
            "… repeated %d more times in the last %.0fs (last: %s)",
            (window.suppressed, now - window.started, _message(last)),
            None,
        )
        setattr(summary, SUMMARY_ATTR, True)
        self.handler.handle(summary)


def _message(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a broken format string must not break logging
        text = str(record.msg)
    return text[:500]


def setup_logging(level: str = "INFO", role: str = "nexusgw") -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(
        f"%(asctime)s.%(msecs)03dZ %(levelname)-7s {role} %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    limiter = RepeatLimiter(handler)
    handler.addFilter(limiter)
    atexit.register(limiter.flush)  # what was suppressed is still counted at exit
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
