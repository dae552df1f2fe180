"""The one fill model, and a small matching engine against a quote stream that applies it.

The rule (``fill_price``), used by the simulated driver, paper mode and the DTC simulator alike:

- a MARKET order fills at the touch: the ask for a buy, the bid for a sell;
- a LIMIT order fills when the touch crosses its limit (ask <= limit for a buy, bid >= limit for a sell), at the
  touch, so at the limit or better;
- a STOP order triggers when the LAST trade price reaches its stop (last >= stop for a buy, last <= stop for a
  sell), never on the bid or ask alone; once triggered it stays triggered and fills like a market order, at the touch.
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


def touch(side: Side, quote: Quote) -> float:
    """The price a marketable order of ``side`` trades at: the ask for a buy, the bid for a sell."""
    return quote.ask if side is Side.BUY else quote.bid


def stop_triggered(side: Side, stop_price: float, last: float) -> bool:
    """True when the last trade price has reached the stop (at or above it for a buy, at or below for a sell)."""
    return last >= stop_price if side is Side.BUY else last <= stop_price


def limit_crossed(side: Side, limit_price: float, quote: Quote) -> bool:
    """True when the touch is at the limit or better (ask <= limit for a buy, bid >= limit for a sell)."""
    return quote.ask <= limit_price if side is Side.BUY else quote.bid >= limit_price


@dataclass(frozen=True)
class Execution:
    """What the fill model says of an order against a quote: triggered (stops), and the fill price if it fills."""

    triggered: bool
    price: float | None


def fill_price(
    side: Side,
    order_type: OrderType,
    quote: Quote,
    *,
    limit_price: float | None = None,
    stop_price: float | None = None,
    triggered: bool = False,
) -> Execution:
    """The one fill rule (see the module docstring); pure: the caller keeps ``triggered`` for the next quote."""
    if order_type is OrderType.MARKET:
        return Execution(False, touch(side, quote))
    if order_type is OrderType.LIMIT:
        if limit_price is None:
            raise ValueError("a LIMIT order needs limit_price")
        return Execution(False, touch(side, quote) if limit_crossed(side, limit_price, quote) else None)
    if stop_price is None:
        raise ValueError("a STOP order needs stop_price")
    fired = triggered or stop_triggered(side, stop_price, quote.last)
    return Execution(fired, touch(side, quote) if fired else None)


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
        result = fill_price(
            order.side,
            order.order_type,
            quote,
            limit_price=order.limit_price,
            stop_price=order.stop_price,
            triggered=order.triggered,
        )
        order.triggered = result.triggered
        return result.price
