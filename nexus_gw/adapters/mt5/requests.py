"""The ``order_send`` request of a leg, and the hedging position a market leg closes. Pure.

Values are plain ``int``/``float``/``str`` (they travel across rpyc as source text in the remote backend).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Final

from nexus_gw.protocol.constants import OrderType, Side
from nexus_gw.protocol.messages import Order

from .filling import SYMBOL_TRADE_EXECUTION_EXCHANGE, choose_filling
from .legs import comment_for
from .settings import MT5Settings
from .volume import round_volume

TRADE_ACTION_DEAL: Final = 1
TRADE_ACTION_PENDING: Final = 5
TRADE_ACTION_REMOVE: Final = 8
ORDER_TYPE: Final = {
    (OrderType.MARKET, Side.BUY): 0,
    (OrderType.MARKET, Side.SELL): 1,
    (OrderType.LIMIT, Side.BUY): 2,
    (OrderType.LIMIT, Side.SELL): 3,
    (OrderType.STOP, Side.BUY): 4,
    (OrderType.STOP, Side.SELL): 5,
}
ORDER_TIME_GTC: Final = 0
ORDER_TIME_DAY: Final = 1
POSITION_TYPE_BUY: Final = 0
POSITION_TYPE_SELL: Final = 1


def _on_grid(price: float, tick: float, up: bool | None) -> float:
    """``price`` on the symbol's tick grid: up, down (never a worse limit) or nearest (None)."""
    if tick <= 0:
        return price
    steps = price / tick
    n = math.ceil(steps - 1e-9) if up else math.floor(steps + 1e-9) if up is False else round(steps)
    return round(n * tick, 10)


def marketable(order: Order, bid: float, ask: float) -> bool:
    """A limit already through the market, or a stop already triggered: it executes now."""
    buy = order.side is Side.BUY
    if order.order_type is OrderType.LIMIT and order.limit_price is not None:
        return order.limit_price >= ask if buy else order.limit_price <= bid
    if order.order_type is OrderType.STOP and order.stop_price is not None:
        return order.stop_price <= ask if buy else order.stop_price >= bid
    return False


def build_request(
    order: Order, symbol: str, info: Any, settings: MT5Settings, instance: str, quote: tuple[float, float] | None = None
) -> dict[str, Any]:
    """The request for ``order`` on the broker's ``symbol`` (``info``: its ``symbol_info``; ``quote``: bid, ask).

    Raises ``VolumeRefused`` when the quantity cannot be rounded to the symbol's volume rules. Pending orders on an
    exchange (B3) are DAY orders (brokers there refuse GTC); elsewhere GTC. Off an exchange, MT5 refuses a limit
    through the market or a stop already triggered (INVALID_PRICE): such a leg is sent as a market deal."""
    lots = round_volume(order.qty, float(info.volume_step), float(info.volume_min), float(info.volume_max), symbol)
    exchange = int(info.trade_exemode) == SYMBOL_TRADE_EXECUTION_EXCHANGE
    now = not exchange and quote is not None and marketable(order, *quote)
    pending = order.order_type is not OrderType.MARKET and not now
    request: dict[str, Any] = {
        "action": TRADE_ACTION_PENDING if pending else TRADE_ACTION_DEAL,
        "symbol": str(symbol),
        "volume": float(lots),
        "type": ORDER_TYPE[(order.order_type if pending else OrderType.MARKET, order.side)],
        "deviation": int(settings.deviation_points),
        "magic": int(settings.magic),
        "comment": comment_for(order.leg_id, instance),
        "type_filling": choose_filling(int(info.filling_mode), int(info.trade_exemode), pending),
    }
    if pending:
        price = order.limit_price if order.order_type is OrderType.LIMIT else order.stop_price
        if price is None:
            raise LookupError(f"a {order.order_type.value} order needs its price")
        limit = order.order_type is OrderType.LIMIT
        up = (order.side is Side.SELL) if limit else None
        request["price"] = float(_on_grid(float(price), float(info.trade_tick_size), up))
        request["type_time"] = ORDER_TIME_DAY if exchange else ORDER_TIME_GTC
    return request


def limit_deviation(order: Order, bid: float, ask: float, point: float, largest: int) -> int:
    """The deviation (points) that keeps a limit sent as a deal within its limit price: the room between the
    current price and the limit, at most ``largest`` (the profile's ``deviation_points``)."""
    assert order.limit_price is not None
    room = order.limit_price - ask if order.side is Side.BUY else bid - order.limit_price
    if point <= 0:
        return int(largest)
    return max(0, min(int(largest), math.floor(room / point + 1e-9)))


def reprice(
    order: Order, request: dict[str, Any], info: Any, settings: MT5Settings, instance: str, quote: tuple[float, float]
) -> dict[str, Any]:
    """The deal ``request`` at the current ``quote`` (bid, ask), just before each send (first or resend).

    A limit that went as a deal because it was through the market stays bounded by its limit: its deviation is the
    room left to the limit, and when the market has moved back beyond the limit it goes as the pending limit
    order it now can be. On Market and Exchange execution the broker ignores the deviation (docs/mt5.md)."""
    bid, ask = quote
    if order.order_type is OrderType.LIMIT and order.limit_price is not None:
        if not marketable(order, bid, ask):
            return build_request(order, str(request["symbol"]), info, settings, instance, quote)
        deviation = limit_deviation(order, bid, ask, float(info.point), settings.deviation_points)
        request = {**request, "deviation": deviation}
    return {**request, "price": float(ask if request["type"] == ORDER_TYPE[(OrderType.MARKET, Side.BUY)] else bid)}


def position_to_close(positions: Iterable[Any], magic: int, side: Side, lots: float) -> int:
    """Hedging: the ticket of the position of this magic that a ``side`` leg of ``lots`` closes (0: none, the leg
    opens one). An opposite position of exactly ``lots`` first; else the smallest larger one, closed in part."""
    opposite = POSITION_TYPE_SELL if side is Side.BUY else POSITION_TYPE_BUY
    mine = [p for p in positions if int(p.magic) == magic and int(p.type) == opposite]
    exact = [p for p in mine if abs(float(p.volume) - lots) < 1e-9]
    larger = sorted((p for p in mine if float(p.volume) > lots + 1e-9), key=lambda p: float(p.volume))
    chosen = (exact or larger)[:1]
    return int(chosen[0].ticket) if chosen else 0
