"""Price paths for simulated platforms.

Each root follows a smooth, deterministic function of wall-clock time, so several simulated platforms
quoting the same root agree closely (as real venues do), with a per-platform offset and a little jitter.
"""

from __future__ import annotations

import math
import random


def round_to_tick(price: float, tick: float) -> float:
    return round(round(price / tick) * tick, 10)


class PricePath:
    """The simulated mid price of one root at any time."""

    def __init__(self, root: str, base: float) -> None:
        self.base = base
        phase_source = random.Random(root)
        self._phases = [phase_source.uniform(0, 2 * math.pi) for _ in range(3)]

    def mid(self, t: float) -> float:
        p1, p2, p3 = self._phases
        drift = (
            0.0020 * math.sin(2 * math.pi * t / 900 + p1)
            + 0.0008 * math.sin(2 * math.pi * t / 97 + p2)
            + 0.0003 * math.sin(2 * math.pi * t / 13 + p3)
        )
        return self.base * (1 + drift)


def quote_at(
    path: PricePath, t: float, tick: float, offset_ticks: float, rng: random.Random
) -> tuple[float, float, float, float]:
    """``(bid, ask, last, size)`` at time ``t``: one-tick spread around the path, last at bid or ask."""
    mid = path.mid(t) + offset_ticks * tick
    bid = round_to_tick(mid - tick / 2, tick)
    ask = round_to_tick(bid + tick, tick)
    last = bid if rng.random() < 0.5 else ask
    size = float(rng.randint(1, 20))
    return bid, ask, last, size
