"""Logging set-up shared by every process: one line per event, UTC timestamps, the process role.

Repeated lines are rate-limited: per logger and message template (the format string before its arguments),
the first ``burst`` records of each ``window_s`` are written; the rest are counted and, when the window ends,
summarised in one line "… repeated N more times in the last Ws". A flood of malformed messages or dropped
market data therefore costs a few lines a minute, not gigabytes.

Format: ``text`` (one readable line) or ``json`` (one JSON object a line, for log shippers), chosen by
``setup_logging(fmt=…)``, else $NEXUSGW_LOG_FORMAT, else text on a terminal and JSON when stderr is not one (a
service, supervisor, a pipe). Every line that names a gateway order or leg id carries ``order_id``/``leg_id``
(JSON keys). $NEXUSGW_LOG_FILE logs to a file rotated by size instead of stderr.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


def _message(record: logging.LogRecord, limit: int | None = 500) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a broken format string must not break logging
        text = str(record.msg)
    return text[:limit]


FORMAT_ENV = "NEXUSGW_LOG_FORMAT"
"""``json`` or ``text``; default: text when stderr is a terminal, JSON lines otherwise (services, supervisor)."""
FILE_ENV = "NEXUSGW_LOG_FILE"
"""A file to log to instead of stderr, rotated by size."""
MAX_BYTES_ENV = "NEXUSGW_LOG_MAX_BYTES"
BACKUPS_ENV = "NEXUSGW_LOG_BACKUPS"
DEFAULT_MAX_BYTES = 20_000_000
DEFAULT_BACKUPS = 10

_ORDER_REF = re.compile(r"\b(\d{8}-[0-9a-f]{10})(?:\.([a-z][a-z0-9_]{0,31}))?\b")
"""A gateway order id (``YYYYMMDD-`` + 10 hex digits), and the platform of a leg id (``<order id>.<platform>``)."""


class OrderIds(logging.Filter):
    """Gives every record ``order_id`` and ``leg_id`` attributes: from ``extra=`` when the caller passed them, else
    the first order or leg id named in the message ("" when none). JSON lines carry them as keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        order_id = getattr(record, "order_id", "") or ""
        leg_id = getattr(record, "leg_id", "") or ""
        if not order_id or not leg_id:
            for found in _ORDER_REF.finditer(_message(record)):
                order_id = order_id or found.group(1)
                if not leg_id and found.group(2):
                    leg_id = found.group(0)
                if leg_id:
                    break
        if leg_id and not order_id:
            order_id = leg_id.split(".", 1)[0]
        record.order_id = order_id
        record.leg_id = leg_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ms), level, role, logger, msg, order_id/leg_id when known, exc."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        line: dict[str, object] = {
            "ts": ts,
            "level": record.levelname,
            "role": self.role,
            "logger": record.name,
            "msg": _message(record, limit=None),
        }
        for key in ("order_id", "leg_id"):
            if value := getattr(record, key, ""):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_format(explicit: str | None = None, stream: object = None) -> str:
    """``json`` or ``text``: ``explicit``, else $NEXUSGW_LOG_FORMAT, else text on a terminal and JSON otherwise."""
    chosen = (explicit or os.environ.get(FORMAT_ENV) or "").strip().lower()
    if not chosen:
        isatty = getattr(stream if stream is not None else sys.stderr, "isatty", None)
        chosen = "text" if isatty is not None and isatty() else "json"
    if chosen not in ("json", "text"):
        raise ValueError(f"log format {chosen!r} is not json or text; set {FORMAT_ENV}=json or text")
    return chosen


def _handler(log_file: str | Path | None) -> logging.Handler:
    path = log_file or os.environ.get(FILE_ENV)
    if not path:
        return logging.StreamHandler(sys.stderr)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return logging.handlers.RotatingFileHandler(
        path,
        maxBytes=int(os.environ.get(MAX_BYTES_ENV) or DEFAULT_MAX_BYTES),
        backupCount=int(os.environ.get(BACKUPS_ENV) or DEFAULT_BACKUPS),
        encoding="utf-8",
    )


def setup_logging(
    level: str = "INFO", role: str = "nexusgw", fmt: str | None = None, log_file: str | Path | None = None
) -> None:
    """Log from the root logger: text or JSON lines (``log_format``), to stderr or to ``log_file`` /
    $NEXUSGW_LOG_FILE rotated by size ($NEXUSGW_LOG_MAX_BYTES, default 20 MB; $NEXUSGW_LOG_BACKUPS files, default
    10), with repeats rate-limited and order/leg ids on every line that names an order."""
    handler = _handler(log_file)
    formatter: logging.Formatter
    if log_format(fmt, getattr(handler, "stream", None) if log_file is None else handler) == "json":
        formatter = JsonFormatter(role)
    else:
        formatter = logging.Formatter(
            f"%(asctime)s.%(msecs)03dZ %(levelname)-7s {role} %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
        )
        formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    limiter = RepeatLimiter(handler)
    handler.addFilter(limiter)
    handler.addFilter(OrderIds())
    atexit.register(limiter.flush)  # what was suppressed is still counted at exit
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
