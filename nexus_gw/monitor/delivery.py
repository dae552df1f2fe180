"""Alert delivery beside the loop: deduplicated, rate-limited, one worker thread and bounded queue per sink.

``Notifier.submit`` is called in the loop's thread and never blocks: it filters by severity, suppresses a
repeat of the same key within ``repeat_every_s``, caps deliveries at ``max_per_minute``, then puts the alert on
every sink's queue without waiting (a full queue drops it and counts it). A sink that hangs or raises only
delays or fails its own queue; trading never waits for it.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from nexus_gw.monitor.sinks import Sink

log = logging.getLogger(__name__)

SEVERITY_RANK = {"INFO": 0, "WARNING": 1, "CRITICAL": 2}


class SinkWorker:
    """One sink's thread; ``delivered``/``failed`` are written by that thread only (read without a lock)."""

    def __init__(self, sink: Sink, size: int) -> None:
        self.sink = sink
        self.queue: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=size)
        self.delivered = 0
        self.failed = 0
        self.dropped = 0  # written by the submitting thread only
        self.thread = threading.Thread(target=self._run, name=f"alerts-{sink.name[:30]}", daemon=True)

    def offer(self, alert: dict[str, Any]) -> bool:
        try:
            self.queue.put_nowait(alert)
            return True
        except queue.Full:
            self.dropped += 1
            return False

    def _run(self) -> None:
        while True:
            alert = self.queue.get()
            if alert is None:
                return
            try:
                self.sink.send(alert)
                self.delivered += 1
            except Exception as exc:  # a sink's failure is counted and logged; the next alert still goes
                self.failed += 1
                log.error("alert %s not delivered to %s: %s", alert.get("code"), self.sink.name, exc)


class Notifier:
    def __init__(
        self,
        sinks: list[Sink],
        min_severity: str = "WARNING",
        repeat_every_s: float = 900.0,
        max_per_minute: int = 20,
        queue_size: int = 200,
        extra: dict[str, Any] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workers = [SinkWorker(sink, queue_size) for sink in sinks]
        self.min_rank = SEVERITY_RANK.get(min_severity, 1)
        self.repeat_every_s = repeat_every_s
        self.max_per_minute = max_per_minute
        self.extra = dict(extra or {})
        self.monotonic = monotonic
        self.last: dict[str, float] = {}
        self.sent_at: deque[float] = deque()
        self.raised: Counter[str] = Counter()
        self.suppressed = 0
        self.rate_limited = 0
        self.started = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            for worker in self.workers:
                worker.thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Ask every worker to finish what it holds; a hanging sink is left behind (its thread is a daemon)."""
        if not self.started:
            return
        deadline = time.monotonic() + timeout_s
        for worker in self.workers:
            with contextlib.suppress(queue.Full):
                worker.queue.put_nowait(None)
        for worker in self.workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))

    def submit(self, record: dict[str, Any], key: str = "") -> bool:
        """Queue one alert for every sink (never blocks); False when filtered, repeated or over the rate."""
        severity = str(record.get("severity", "WARNING"))
        self.raised[severity] += 1
        if SEVERITY_RANK.get(severity, 1) < self.min_rank:
            return False
        now = self.monotonic()
        key = key or str(record.get("code", ""))
        last = self.last.get(key)
        if last is not None and now - last < self.repeat_every_s:
            self.suppressed += 1
            return False
        while self.sent_at and now - self.sent_at[0] >= 60.0:
            self.sent_at.popleft()
        if len(self.sent_at) >= self.max_per_minute:
            self.rate_limited += 1
            return False
        self.last[key] = now
        if len(self.last) > 10_000:  # bounded: forget the oldest keys
            for old in sorted(self.last, key=self.last.__getitem__)[:1000]:
                del self.last[old]
        self.sent_at.append(now)
        alert = {**self.extra, **record}
        for worker in self.workers:
            worker.offer(alert)
        return True

    def forget(self, key: str) -> None:
        """The condition behind ``key`` cleared: its next alert is a new one, not a repeat."""
        self.last.pop(key, None)

    def stats(self) -> dict[str, Any]:
        deliveries = Counter[str]()
        for worker in self.workers:
            deliveries["delivered"] += worker.delivered
            deliveries["failed"] += worker.failed
            deliveries["dropped"] += worker.dropped
        deliveries["suppressed"] = self.suppressed
        deliveries["rate_limited"] = self.rate_limited
        return {
            "raised": dict(sorted(self.raised.items())),
            "deliveries": dict(sorted(deliveries.items())),
            "sinks": [worker.sink.name for worker in self.workers],
        }
