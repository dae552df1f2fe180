"""A small matching engine against a quote stream: market orders at the touch, limits when crossed,
stops when the last price reaches them. The simulated platforms and paper trading both use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nexus_gw.domain.types import OrderType, Side


@dataclass(frozen=True)
class Quote:
    bid: float
    ask: float
    last: float


@dataclass
class WorkingOrder:
    leg_id: str
    symbol: str
    side: Side
    qty: float
    order_type: OrderType
    limit_price: float | None = None
    stop_price: float | None = None
    triggered: bool = False


@dataclass(frozen=True)
class Match:
    leg_id: str
    symbol: str
    qty: float
    price: float


class MatchingEngine:
    """Holds working orders per symbol and fills them as quotes arrive."""

    def __init__(self) -> None:
        self.quotes: dict[str, Quote] = {}
        self.working: dict[str, WorkingOrder] = {}

    def submit(self, order: WorkingOrder) -> list[Match]:
        """Accept an order; fill it at once if it is marketable against the last quote."""
        if order.order_type is OrderType.LIMIT and order.limit_price is None:
            raise ValueError(f"leg {order.leg_id}: a LIMIT order needs limit_price")
        if order.order_type is OrderType.STOP and order.stop_price is None:
            raise ValueError(f"leg {order.leg_id}: a STOP order needs stop_price")
        self.working[order.leg_id] = order
        quote = self.quotes.get(order.symbol)
        return self._try_fill(order, quote) if quote else []

    def cancel(self, leg_id: str) -> WorkingOrder | None:
        return self.working.pop(leg_id, None)

    def on_quote(self, symbol: str, quote: Quote) -> list[Match]:
        self.quotes[symbol] = quote
        matches: list[Match] = []
        for order in [o for o in self.working.values() if o.symbol == symbol]:
            matches += self._try_fill(order, quote)
        return matches

    def _try_fill(self, order: WorkingOrder, quote: Quote) -> list[Match]:
        price = self._fill_price(order, quote)
        if price is None:
            return []
        del self.working[order.leg_id]
        return [Match(order.leg_id, order.symbol, order.qty, price)]

    @staticmethod
    def _fill_price(order: WorkingOrder, quote: Quote) -> float | None:
        buy = order.side is Side.BUY
        touch = quote.ask if buy else quote.bid
        if order.order_type is OrderType.MARKET:
            return touch
        if order.order_type is OrderType.LIMIT:
            assert order.limit_price is not None
            crossed = touch <= order.limit_price if buy else touch >= order.limit_price
            return touch if crossed else None
        assert order.stop_price is not None
        if not order.triggered:
            order.triggered = quote.last >= order.stop_price if buy else quote.last <= order.stop_price
        return touch if order.triggered else None
