"""A stand-in for a platform's own Python library, so the template driver runs (and passes the contract) as is.

A real platform's library (``MetaTrader5``, a vendor SDK, a socket client of your own) replaces this module. Its
shape is the usual one: connect to a terminal/server, read quotes, send an order under your client id, cancel,
list open orders, executions and positions. Fills follow the gateway's one fill model
(``nexus_gw.domain.matching.fill_price``), split into ``fills_per_order`` executions.

Test hooks: ``server(name)`` returns the shared in-memory server (``drop()`` breaks every connection,
``set_quote`` moves a market).
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import dataclass, field

from nexus_gw.domain.matching import Quote, fill_price
from nexus_gw.protocol.constants import OrderType, Side


class NotConnected(ConnectionError):
    """The connection to the platform is down."""


@dataclass
class FakeOrder:
    ticket: str
    client_id: str
    symbol: str
    side: Side
    qty: float
    order_type: OrderType
    price: float | None
    status: str = "working"  # working | filled | cancelled
    triggered: bool = False


@dataclass
class FakeExecution:
    exec_id: str
    ticket: str
    client_id: str
    symbol: str
    side: Side
    qty: float
    price: float


@dataclass
class FakeServer:
    symbols: dict[str, float]
    tick: float = 0.25
    fills_per_order: int = 2
    quotes: dict[str, Quote] = field(default_factory=dict)
    orders: dict[str, FakeOrder] = field(default_factory=dict)
    executions: list[FakeExecution] = field(default_factory=list)
    epoch: int = 0
    """Incremented by ``drop()``: connections opened before it are broken."""

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._rng = random.Random(7)
        for symbol, price in self.symbols.items():
            self.quotes[symbol] = Quote(price, price + self.tick, price)

    def drop(self) -> None:
        with self._lock:
            self.epoch += 1

    def set_quote(self, symbol: str, bid: float, ask: float, last: float) -> None:
        with self._lock:
            self.quotes[symbol] = Quote(bid, ask, last)
            self._match(symbol)

    def step(self) -> None:
        """One random-walk step of every market, then matching."""
        with self._lock:
            for symbol, q in list(self.quotes.items()):
                move = self.tick * self._rng.choice((-1, 0, 1))
                bid = q.bid + move
                self.quotes[symbol] = Quote(bid, bid + self.tick, self._rng.choice((bid, bid + self.tick)))
                self._match(symbol)

    def send(
        self, client_id: str, symbol: str, side: Side, qty: float, order_type: OrderType, price: float | None
    ) -> str:
        with self._lock:
            if symbol not in self.quotes:
                raise ValueError(f"symbol {symbol} not found on the fake platform")
            ticket = f"T{next(self._ids)}"
            self.orders[ticket] = FakeOrder(ticket, client_id, symbol, side, qty, order_type, price)
            self._match(symbol)
            return ticket

    def cancel(self, ticket: str) -> bool:
        with self._lock:
            order = self.orders.get(ticket)
            if order is None or order.status != "working":
                return False
            order.status = "cancelled"
            return True

    def _match(self, symbol: str) -> None:
        quote = self.quotes[symbol]
        for order in [o for o in self.orders.values() if o.symbol == symbol and o.status == "working"]:
            result = fill_price(
                order.side,
                order.order_type,
                quote,
                limit_price=order.price,
                stop_price=order.price,
                triggered=order.triggered,
            )
            order.triggered = result.triggered
            if result.price is None:
                continue
            parts = max(1, self.fills_per_order)
            for _ in range(parts):
                exec_id = f"X{next(self._ids)}"
                qty = order.qty / parts
                self.executions.append(
                    FakeExecution(exec_id, order.ticket, order.client_id, symbol, order.side, qty, result.price)
                )
            order.status = "filled"


_SERVERS: dict[str, FakeServer] = {}


def server(name: str, symbols: dict[str, float] | None = None, **kw: float) -> FakeServer:
    """The in-memory server called ``name`` (created with ``symbols`` the first time)."""
    if name not in _SERVERS:
        _SERVERS[name] = FakeServer(dict(symbols or {"NQH25": 21000.0}), **kw)  # type: ignore[arg-type]
    return _SERVERS[name]


def forget(name: str) -> None:
    _SERVERS.pop(name, None)


class Connection:
    """One client connection, as a platform library hands it out; every call raises ``NotConnected`` once dropped."""

    def __init__(self, name: str, account: str) -> None:
        if name not in _SERVERS:
            raise NotConnected(f"no platform server named {name!r} is running")
        self._server = _SERVERS[name]
        self._epoch = self._server.epoch
        self.account = account

    def _live(self) -> FakeServer:
        if self._server.epoch != self._epoch:
            raise NotConnected("the connection to the platform was lost")
        return self._server

    def quote(self, symbol: str) -> Quote | None:
        return self._live().quotes.get(symbol)

    def step(self) -> None:
        self._live().step()

    def send(
        self, client_id: str, symbol: str, side: Side, qty: float, order_type: OrderType, price: float | None
    ) -> str:
        return self._live().send(client_id, symbol, side, qty, order_type, price)

    def cancel(self, ticket: str) -> bool:
        return self._live().cancel(ticket)

    def orders(self) -> list[FakeOrder]:
        return list(self._live().orders.values())

    def executions(self) -> list[FakeExecution]:
        return list(self._live().executions)


def connect(name: str, account: str = "demo") -> Connection:
    """Open a connection to the server ``name`` (raises ``NotConnected`` when there is none)."""
    return Connection(name, account)
