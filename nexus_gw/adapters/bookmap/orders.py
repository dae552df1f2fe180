"""A gateway leg as Bookmap's ``send_order`` parameters. Pure: no I/O.

The fields are those of ``bookmap.OrderSendParameters``: ``alias``, ``is_buy``, ``size`` (size levels), and
``limit_price`` / ``stop_price`` (real prices, on the instrument's tick), ``duration``, ``client_id`` (the leg id,
so Bookmap's order updates name the leg). Bookmap derives the order type from the prices: neither → market,
limit only → limit, stop only → stop.
"""

from __future__ import annotations

from typing import Any

from nexus_gw.protocol.constants import OrderType, Side
from nexus_gw.protocol.messages import Order

from .symbols import Instrument, OrderRefused


def order_fields(order: Order, instrument: Instrument, duration: str) -> dict[str, Any]:
    """The ``send_order`` parameters of ``order`` on ``instrument``; OrderRefused says what is wrong."""
    fields: dict[str, Any] = {
        "alias": instrument.alias,
        "is_buy": order.side is Side.BUY,
        "size": instrument.size_levels(order.qty),
        "client_id": order.leg_id,
    }
    if order.order_type is OrderType.LIMIT:
        if order.limit_price is None:
            raise OrderRefused(f"limit order {order.leg_id} has no limit price")
        fields["limit_price"] = instrument.on_tick(order.limit_price)
        fields["duration"] = duration
    elif order.order_type is OrderType.STOP:
        if order.stop_price is None:
            raise OrderRefused(f"stop order {order.leg_id} has no stop price")
        fields["stop_price"] = instrument.on_tick(order.stop_price)
        fields["duration"] = duration
    return fields
