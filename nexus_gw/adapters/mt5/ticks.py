"""Ticks of the subscribed symbols, each once, in ``time_msc`` order, and a stale feed noticed.

``symbol_info_tick`` is read per symbol each poll; a tick is new when its ``time_msc`` is later than the last
one passed on (a repeat or an older tick is dropped). A symbol with no new tick for ``stale_after_s`` while the
terminal is connected is *stale* (market closed, feed stopped): reported once, and again when it comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NewTick:
    symbol: str
    bid: float
    ask: float
    last: float
    size: float
    ts_ns: int


@dataclass
class TickReader:
    stale_after_s: float
    last_msc: dict[str, int] = field(default_factory=dict)
    last_seen: dict[str, float] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)

    def read(
        self, symbols: list[str], fetch: Callable[[str], Any], now: float
    ) -> tuple[list[NewTick], list[str], list[str]]:
        """The new ticks, the symbols that went stale now, and those that came back now."""
        ticks: list[NewTick] = []
        went_stale: list[str] = []
        came_back: list[str] = []
        for symbol in symbols:
            tick = fetch(symbol)
            msc = int(getattr(tick, "time_msc", 0) or 0) if tick is not None else 0
            self.last_seen.setdefault(symbol, now)
            if tick is not None and msc > self.last_msc.get(symbol, 0):
                self.last_msc[symbol] = msc
                self.last_seen[symbol] = now
                bid, ask = float(tick.bid), float(tick.ask)
                last = float(tick.last) or (bid + ask) / 2
                if bid > 0 and ask > 0:
                    size = float(getattr(tick, "volume_real", 0.0) or getattr(tick, "volume", 0) or 0)
                    ticks.append(NewTick(symbol, bid, ask, last, size, msc * 1_000_000))
                if symbol in self.stale:
                    self.stale.discard(symbol)
                    came_back.append(symbol)
            elif symbol not in self.stale and now - self.last_seen[symbol] > self.stale_after_s:
                self.stale.add(symbol)
                went_stale.append(symbol)
        return ticks, went_stale, came_back

    def forget(self, keep: list[str]) -> None:
        for table in (self.last_msc, self.last_seen):
            for symbol in [s for s in table if s not in keep]:
                del table[symbol]
        self.stale &= set(keep)
