"""The best bid and ask of one Bookmap instrument from its depth events (price and size levels). Pure."""

from __future__ import annotations


class DepthBook:
    """Price level → size level per side; a size of 0 removes the level (Bookmap's depth semantics)."""

    def __init__(self) -> None:
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self.last: float = 0.0
        """Last trade price level (0: none yet)."""
        self.last_size: int = 0

    def depth(self, is_bid: bool, level: int, size: int) -> None:
        side = self.bids if is_bid else self.asks
        if size <= 0:
            side.pop(level, None)
        else:
            side[level] = size

    def trade(self, level: float, size: int) -> None:
        self.last, self.last_size = level, size

    def bbo(self) -> tuple[int, int] | None:
        """(best bid level, best ask level), None while a side is empty or the book is crossed."""
        if not self.bids or not self.asks:
            return None
        bid, ask = max(self.bids), min(self.asks)
        return (bid, ask) if bid < ask else None
