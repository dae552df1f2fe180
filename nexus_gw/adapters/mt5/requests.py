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


def position_to_close(positions: Iterable[Any], magic: int, side: Side, lots: float) -> int:
    """Hedging: the ticket of this magic's opposite position of exactly ``lots`` (0: none; the leg opens one)."""
    opposite = POSITION_TYPE_SELL if side is Side.BUY else POSITION_TYPE_BUY
    for pos in positions:
        mine = int(pos.magic) == magic and int(pos.type) == opposite
        if mine and abs(float(pos.volume) - lots) < 1e-9:
            return int(pos.ticket)
    return 0
