"""The last bid, ask and trade per Sierra symbol, merged from snapshots, trades and bid/ask updates.

The gateway's tick carries all three prices at once while DTC sends them separately, so each update is merged
into the symbol's last known state. A symbol yields ticks only once its bid, ask and last are all known: a made-up
price is never sent. Thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tick:
    """What the driver hands to ``DriverEvents.market_data``."""

    symbol: str
    bid: float
    ask: float
    last: float
    size: float
    ts_ns: int


@dataclass(slots=True)
class _Book:
    bid: float | None = None
    ask: float | None = None
    last: float | None = None
    ts_ns: int = 0


class QuoteBoard:
    """Per-symbol last bid/ask/last; each ``on_*`` returns the tick to emit, or ``None`` while incomplete."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._books: dict[str, _Book] = {}

    def keep_only(self, symbols: set[str]) -> None:
        """Forget every symbol not in ``symbols`` (after the subscriptions changed)."""
        with self._lock:
            for symbol in [s for s in self._books if s not in symbols]:
                del self._books[symbol]

    def latest(self, symbol: str) -> Tick | None:
        """The last complete state of ``symbol`` (size 0: no new trade), or ``None`` if not complete yet."""
        with self._lock:
            book = self._books.get(symbol)
            if book is None or book.bid is None or book.ask is None or book.last is None:
                return None
            return Tick(symbol, book.bid, book.ask, book.last, 0.0, book.ts_ns)

    def on_snapshot(
        self, symbol: str, bid: float | None, ask: float | None, last: float | None, size: float | None, ts: float
    ) -> Tick | None:
        return self._update(symbol, bid, ask, last, size or 0.0, ts)

    def on_trade(self, symbol: str, price: float, size: float, ts: float) -> Tick | None:
        return self._update(symbol, None, None, price, size, ts)

    def on_quote(self, symbol: str, bid: float | None, ask: float | None, ts: float) -> Tick | None:
        """A bid/ask change; the tick's size is 0 because no trade happened."""
        return self._update(symbol, bid, ask, None, 0.0, ts)

    def _update(
        self, symbol: str, bid: float | None, ask: float | None, last: float | None, size: float, ts: float
    ) -> Tick | None:
        with self._lock:
            book = self._books.setdefault(symbol, _Book())
            if bid is not None and bid > 0:
                book.bid = bid
            if ask is not None and ask > 0:
                book.ask = ask
            if last is not None and last > 0:
                book.last = last
            book.ts_ns = int(ts * 1_000_000_000)
            if book.bid is None or book.ask is None or book.last is None:
                return None
            return Tick(symbol, book.bid, book.ask, book.last, size, book.ts_ns)
