"""Ticks of the subscribed symbols, each once, in ``time_msc`` order, and a stale feed noticed.

Per symbol and poll, ``fetch(symbol, last_msc)`` returns the tick rows since the last one passed on (the driver
uses ``copy_ticks_from`` from that second, so nothing between two polls is skipped; before the first tick, or
without it, ``symbol_info_tick``). A row is new when its ``time_msc`` is later than the last passed on: a repeat
or an older row is dropped. A symbol with no new tick for ``stale_after_s`` is *stale* (market closed, feed
stopped): reported once, and again when it comes back. Rows may be records (attributes) or numpy rows
(``row["bid"]``). Pure: the clock and the fetch are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from nexus_gw.adapters.events import MarketDataEvent


def _get(row: Any, name: str) -> Any:
    try:
        return getattr(row, name)
    except AttributeError:
        return row[name]


@dataclass
class TickReader:
    stale_after_s: float
    last_msc: dict[str, int] = field(default_factory=dict)
    last_seen: dict[str, float] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)

    def read(
        self, symbols: list[str], fetch: Callable[[str, int], Iterable[Any] | None], now: float
    ) -> tuple[list[MarketDataEvent], list[str], list[str]]:
        """The new ticks, the symbols that went stale now, and those that came back now."""
        ticks: list[MarketDataEvent] = []
        went_stale: list[str] = []
        came_back: list[str] = []
        for symbol in symbols:
            self.last_seen.setdefault(symbol, now)
            rows = sorted(
                (row for row in fetch(symbol, self.last_msc.get(symbol, 0)) or () if row is not None),
                key=lambda row: int(_get(row, "time_msc")),
            )
            fresh = False
            for row in rows:
                msc = int(_get(row, "time_msc"))
                if msc <= self.last_msc.get(symbol, 0):
                    continue
                self.last_msc[symbol] = msc
                fresh = True
                bid, ask = float(_get(row, "bid")), float(_get(row, "ask"))
                if bid > 0 and ask > 0:
                    last = float(_get(row, "last")) or (bid + ask) / 2
                    size = float(_get(row, "volume_real") or _get(row, "volume") or 0)
                    ticks.append(MarketDataEvent(symbol, bid, ask, last, size, msc * 1_000_000))
            if fresh:
                self.last_seen[symbol] = now
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
