"""The one exponential backoff for everything that reconnects: the gateway link, the DTC session, the SDK."""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Delays that double from ``initial`` up to ``maximum``, with ±``jitter`` fraction; ``reset()`` on success.

    ``delay(failures)`` is the rule itself (pure, given ``rand``): ``initial`` × 2^failures, times
    1 ± ``jitter`` at random so that many clients do not reconnect in lockstep, never more than ``maximum``.
    ``next_delay()`` counts the failures for a caller that keeps no count of its own.
    """

    def __init__(
        self,
        initial: float = 0.5,
        maximum: float = 30.0,
        jitter: float = 0.1,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if initial <= 0 or maximum < initial:
            raise ValueError(f"Backoff needs 0 < initial <= maximum (initial {initial}, maximum {maximum})")
        if not 0 <= jitter < 1:
            raise ValueError(f"Backoff jitter is a fraction in [0, 1) (was {jitter})")
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self._rand = rand
        self._failures = 0

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failed attempts (0: the first retry)."""
        base = min(self.maximum, self.initial * 2.0 ** min(max(failures, 0), 60))
        return min(self.maximum, base * (1.0 + self.jitter * (2.0 * self._rand() - 1.0)))

    def next_delay(self) -> float:
        delay = self.delay(self._failures)
        self._failures += 1
        return delay

    def reset(self) -> None:
        self._failures = 0
