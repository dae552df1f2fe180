"""What the market-data path keeps cheaply per batch: each root's latest tick, and what a batch's ticks come to.

Market data is the gateway's hot path: a batch is decoded once (``m.Tick`` checks its numbers in the decoder),
forwarded to engines as it came when the adapter named its ticks by root, and what the gateway keeps from it is
applied per batch with dictionary operations, never one Python call per tick:

- ``latest(ticks)``: each root's last tick in the batch (dict order: first appearance);
- ``QuoteBoard``: the last quote of each root from any platform, kept as the tick it came in; the journal's
  ``ReferenceQuote`` (an order's signal-time price) is made only when an order asks for it;
- ``marks(ticks, prices)``: each root's last positive trade price in the batch (0.0 when it has none).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from nexus_gw.journal.references import ReferenceQuote
from nexus_gw.protocol import messages as m


def latest(ticks: list[m.Tick]) -> dict[str, m.Tick]:
    """Each symbol's last tick of ``ticks``."""
    return {tick.symbol: tick for tick in ticks}


def last_price(ticks: list[m.Tick], symbol: str) -> float:
    """The last positive trade price of ``symbol`` in ``ticks``; 0.0 when none has one."""
    return next((t.last for t in reversed(ticks) if t.symbol == symbol and t.last > 0), 0.0)


def marks(ticks: list[m.Tick], prices: dict[str, float]) -> dict[str, float]:
    """Each root's last positive trade price, from ``prices`` (each root's last tick's): a quote without a trade
    leaves the mark at the price before it."""
    if prices and min(prices.values()) <= 0:  # rare: the last tick of some root is a quote without a trade
        return {root: price if price > 0 else last_price(ticks, root) for root, price in prices.items()}
    return prices


class QuoteBoard(Mapping[str, ReferenceQuote]):
    """The last quote received for each root (any platform), as a read-only mapping of ``ReferenceQuote``."""

    def __init__(self) -> None:
        self._ticks: dict[str, m.Tick] = {}
        self._origin: dict[str, tuple[str, int]] = {}  # root -> (platform, received at, gateway ns)

    def update(self, platform: str, latest: Mapping[str, m.Tick], received_ns: int) -> None:
        """One batch's latest tick per root, from ``platform``, received at ``received_ns``."""
        self._ticks.update(latest)
        self._origin.update(dict.fromkeys(latest, (platform, received_ns)))

    def __setitem__(self, root: str, quote: ReferenceQuote) -> None:
        self._ticks[root] = m.Tick(root, quote.bid, quote.ask, quote.last, 0.0, quote.ts_ns)
        self._origin[root] = (quote.platform, quote.ts_ns)

    def __getitem__(self, root: str) -> ReferenceQuote:
        tick = self._ticks[root]
        platform, received_ns = self._origin[root]
        return ReferenceQuote(platform, tick.bid, tick.ask, tick.last, received_ns)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ticks)

    def __len__(self) -> int:
        return len(self._ticks)
