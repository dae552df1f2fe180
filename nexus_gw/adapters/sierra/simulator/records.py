"""What the simulated exchange keeps: markets, orders, fills, positions, and their state-file form."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from nexus_gw.protocol.constants import OrderType as GatewayOrderType

from ..dtc import messages as m
from ..dtc.constants import (
    DBL_MAX,
    BuySell,
    OpenClose,
    OrderStatus,
    OrderType,
    TimeInForce,
)


@dataclass(frozen=True, slots=True)
class ExchangeSettings:
    """Behaviour of the simulated exchange (the subset of the simulator's settings it needs)."""

    symbols: Mapping[str, float]
    """Symbol → base price of its random walk."""
    trade_accounts: tuple[str, ...] = ("Sim1",)
    tick_size: float = 0.25
    allow_trading: bool = True
    partial_fill_slices: int = 2
    """Executions per order (1 = fill in one go); quantity is split as evenly as whole contracts allow."""


@dataclass(slots=True)
class Market:
    price: float
    open: float
    high: float
    low: float
    volume: float = 0.0
    num_trades: int = 0
    bid_size: float = 10.0
    ask_size: float = 10.0
    last_size: float = 0.0
    last_time: float = 0.0
    last: float = 0.0
    """Price of the last trade (0: none yet, then the current price stands for it)."""


@dataclass(slots=True)
class SimOrder:
    server_order_id: str
    client_order_id: str
    account: str
    symbol: str
    exchange: str
    order_type: OrderType
    side: BuySell
    price1: float
    price2: float
    quantity: float
    time_in_force: TimeInForce
    username: str
    received_ms: int
    status: OrderStatus = OrderStatus.OPEN
    filled: float = 0.0
    notional: float = 0.0
    triggered: bool = False

    @property
    def remaining(self) -> float:
        return max(0.0, self.quantity - self.filled)

    @property
    def average(self) -> float:
        return self.notional / self.filled if self.filled else DBL_MAX


@dataclass(slots=True)
class SimFill:
    execution_id: str
    order: SimOrder
    price: float
    quantity: float
    time: float
    position_after: float
    open_close: OpenClose


@dataclass(slots=True)
class SimPosition:
    exchange: str = ""
    quantity: float = 0.0
    average: float = 0.0
    entry_time: int = 0


@dataclass(slots=True)
class FillOutcome:
    """Result of one fill attempt: messages to broadcast, and whether the order is still working."""

    messages: list[m.OrderUpdate | m.PositionUpdate] = field(default_factory=list)
    working: bool = False
    executed: bool = False


STATE_VERSION: Final = 1
"""Version of :meth:`SimExchange.export_state` data."""

_ORDER_FIELDS: Final = (
    "server_order_id",
    "client_order_id",
    "account",
    "symbol",
    "exchange",
    "price1",
    "price2",
    "quantity",
    "username",
    "received_ms",
    "filled",
    "notional",
    "triggered",
)


def order_data(order: SimOrder) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(order, name) for name in _ORDER_FIELDS}
    data.update(
        order_type=int(order.order_type),
        side=int(order.side),
        time_in_force=int(order.time_in_force),
        status=int(order.status),
    )
    return data


def order_from(data: Mapping[str, Any]) -> SimOrder:
    return SimOrder(
        server_order_id=str(data["server_order_id"]),
        client_order_id=str(data["client_order_id"]),
        account=str(data["account"]),
        symbol=str(data["symbol"]),
        exchange=str(data["exchange"]),
        order_type=OrderType(int(data["order_type"])),
        side=BuySell(int(data["side"])),
        price1=float(data["price1"]),
        price2=float(data["price2"]),
        quantity=float(data["quantity"]),
        time_in_force=TimeInForce(int(data["time_in_force"])),
        username=str(data["username"]),
        received_ms=int(data["received_ms"]),
        status=OrderStatus(int(data["status"])),
        filled=float(data["filled"]),
        notional=float(data["notional"]),
        triggered=bool(data["triggered"]),
    )


def process_tag() -> str:
    """Short base-36 stamp of the process start, so IDs stay unique across simulator restarts."""
    n, digits = int(time.time() * 1000), "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


GATEWAY_ORDER_TYPES: Final = {  # DTC order type -> the fill model's
    OrderType.MARKET: GatewayOrderType.MARKET,
    OrderType.LIMIT: GatewayOrderType.LIMIT,
    OrderType.STOP: GatewayOrderType.STOP,
}
