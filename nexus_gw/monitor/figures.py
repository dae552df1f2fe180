"""The gateway's measured figures, recorded by the loop's thread only, and published as immutable snapshots.

The loop records cheaply (a bisect and two additions per observation, no lock); every ``publish_every_s`` it
publishes a plain, never-mutated dict (``Published``) by replacing one reference. The metrics HTTP thread and
the alert rules read only that published dict, so a scrape never waits on the loop nor the loop on a scrape.
docs/monitoring.md lists every key.
"""

from __future__ import annotations

import bisect
import re
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from typing import Any

#: Seconds: gateway-added latency (signal in → order out) is sub-millisecond to a few ms.
GATEWAY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)
#: Seconds: signal → aggregated FILL includes the platforms' round trips.
FILL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Seconds: one journal transaction (BEGIN … COMMIT, fsync included).
JOURNAL_S_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
#: How long the recent signal→fill latencies are kept for the latency alert.
RECENT_WINDOW_S = 60.0
#: How many orders' latencies are remembered (to observe each order's fill once).
REMEMBERED = 10_000

_CODE = re.compile(r"^([A-Z][A-Z_]{1,40})(?::|$)")


def refusal_code(reason: str) -> str:
    """The stable category of a refusal text (``DAILY_LOSS: …`` → ``DAILY_LOSS``), ``OTHER`` when it has none.

    Bounded: only the leading upper-case code is kept, never ids or values, so it can be a metric label."""
    match = _CODE.match(reason.strip())
    return match.group(1) if match else "OTHER"


class Histogram:
    """Cumulative buckets as Prometheus keeps them; not thread-safe (the loop's thread owns it)."""

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value

    def to_dict(self) -> dict[str, Any]:
        cumulative, running = [], 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            cumulative.append([bound if bound != float("inf") else "+Inf", running])
        return {"buckets": cumulative, "count": running, "sum": self.total}


class Recorder:
    """What the loop measures besides its counters: latencies per platform and journal write times."""

    def __init__(self, monotonic: Any = time.monotonic) -> None:
        self.monotonic = monotonic
        self.gateway_s: dict[str, Histogram] = {}
        self.signal_to_fill_s = Histogram(FILL_BUCKETS)
        self.journal_write_s = Histogram(JOURNAL_S_BUCKETS)
        self.recent_fills: deque[tuple[float, float]] = deque(maxlen=1000)
        self._filled: OrderedDict[str, None] = OrderedDict()

    def order_sent(self, platform: str, created_ns: int, now_ns: int) -> None:
        """A leg left for ``platform``: gateway-added latency since its signal arrived (``created_ns``)."""
        if created_ns <= 0 or now_ns < created_ns:
            return
        hist = self.gateway_s.get(platform)
        if hist is None:
            hist = self.gateway_s[platform] = Histogram(GATEWAY_BUCKETS)
        hist.observe((now_ns - created_ns) / 1e9)

    def fill_sent(self, order_id: str, created_ns: int, now_ns: int) -> None:
        """The aggregated FILL of ``order_id`` left for its engine (observed once per order, resends ignored)."""
        if created_ns <= 0 or now_ns < created_ns or order_id in self._filled:
            return
        self._filled[order_id] = None
        if len(self._filled) > REMEMBERED:
            self._filled.popitem(last=False)
        seconds = (now_ns - created_ns) / 1e9
        self.signal_to_fill_s.observe(seconds)
        self.recent_fills.append((self.monotonic(), seconds))

    def journal_write(self, seconds: float) -> None:
        self.journal_write_s.observe(seconds)

    def recent_p95_s(self) -> float | None:
        """The 95th percentile of the signal→fill latencies of the last ``RECENT_WINDOW_S`` (None: no fill)."""
        horizon = self.monotonic() - RECENT_WINDOW_S
        values = sorted(s for at, s in self.recent_fills if at >= horizon)
        if not values:
            return None
        return values[min(len(values) - 1, int(0.95 * len(values)))]

    def latency(self) -> dict[str, Any]:
        return {
            "gateway_added_seconds": {name: hist.to_dict() for name, hist in sorted(self.gateway_s.items())},
            "signal_to_fill_seconds": self.signal_to_fill_s.to_dict(),
            "signal_to_fill_p95_1m_seconds": self.recent_p95_s(),
        }


def cpu_seconds() -> float:
    """CPU time of this process (user + system), on every OS."""
    return time.process_time()


def memory_bytes() -> int | None:
    """Resident memory of this process: /proc on Linux, peak RSS elsewhere on POSIX, None where neither exists."""
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    if sys.platform == "win32":
        return None
    try:
        import resource  # POSIX only: imported here, never at module import

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)
    except (ImportError, OSError):
        return None
