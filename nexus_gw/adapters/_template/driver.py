"""The template driver: a platform library polled from the adapter runner's thread.

Copy it to ``nexus_gw/adapters/<platform>/driver.py`` and replace the calls on ``self._conn`` with your platform's
library. What the contract (``tests/integration/adapters/contract.py``) checks, and where it happens here:

- connect, and reconnect with the one backoff (``domain/backoff.py``): ``start`` / ``_ensure_connected``;
- ticks in the platform's symbols: ``subscribe`` + ``_stream``;
- accepted, then (partial) fills, each execution once: ``submit`` + ``_collect_fills``;
- a reject with the platform's own text: ``submit``; cancel: ``cancel``;
- after a disconnect, a report that reconciles: ``report`` (None while the platform's view is unknown);
- a repeated leg id never sent twice: ``submit`` checks the legs it sent and the platform's own orders.

**Lazy import.** The platform's library (``MetaTrader5``, a vendor SDK…) is imported in ``start``, never at module
import: the gateway, ``nexusgw profile validate`` and the tests import every driver's package, on machines where
the platform is not installed.
"""

from __future__ import annotations

import importlib
import logging
import time
from types import ModuleType
from typing import Any

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.domain.backoff import Backoff
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import (
    Capabilities,
    Order,
    PlatformReport,
    ReportedFill,
    ReportedOrder,
    Subscription,
)

from .settings import TemplateSettings

log = logging.getLogger(__name__)


class TemplateDriver(PlatformDriver):
    """A polled platform driver; see the module docstring."""

    kind = "template"

    def __init__(self, name: str, settings: TemplateSettings, paper: bool = False) -> None:
        # The constructor contract (adapters/base.py): (instance name, validated settings, paper). No I/O here.
        self.name = name
        self.settings = settings
        self.paper = paper
        self._library: ModuleType | None = None
        self._conn: Any = None
        self._events: DriverEvents | None = None
        self._backoff = Backoff(settings.reconnect_initial_s, settings.reconnect_max_s)
        self._retry_at = 0.0
        self._symbols: list[str] = []
        self._last_quote: dict[str, tuple[float, float, float]] = {}
        self._tickets: dict[str, str] = {}  # leg id -> platform ticket
        self._seen_fills: set[str] = set()

    def capabilities(self) -> Capabilities:
        return Capabilities(paper=self.paper)

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self, events: DriverEvents) -> None:
        self._events = events
        self._library = importlib.import_module(self.settings.library)  # the lazy import: only now
        self._ensure_connected(time.monotonic())

    def stop(self) -> None:
        self._conn = None

    def _ensure_connected(self, now: float) -> bool:
        assert self._events is not None and self._library is not None
        if self._conn is not None:
            return True
        if now < self._retry_at:
            return False
        try:
            self._conn = self._library.connect(self.settings.server, self.settings.account)
        except ConnectionError as exc:
            self._retry_at = now + self._backoff.next_delay()
            log.warning("%s: cannot connect to %s (%s)", self.name, self.settings.server, exc)
            return False
        self._backoff.reset()
        self._events.platform_state(True, f"connected to {self.settings.server}")
        self._collect_fills()  # executions made while the connection was down
        return True

    def _lost(self, exc: Exception) -> None:
        assert self._events is not None
        self._conn = None
        self._retry_at = time.monotonic() + self._backoff.next_delay()
        self._events.platform_state(False, f"connection lost: {exc}")

    # -- market data ----------------------------------------------------------------------------------
    def subscribe(self, subscriptions: list[Subscription]) -> None:
        self._symbols = [s.symbol for s in subscriptions]

    def _stream(self) -> None:
        assert self._events is not None
        self._conn.step()  # the fake platform's market moves when polled; a real one moves by itself
        for symbol in self._symbols:
            quote = self._conn.quote(symbol)
            if quote is None:
                continue
            prices = (quote.bid, quote.ask, quote.last)
            if prices != self._last_quote.get(symbol):
                self._last_quote[symbol] = prices
                self._events.market_data(symbol, quote.bid, quote.ask, quote.last, 1.0, time.time_ns())

    # -- orders ---------------------------------------------------------------------------------------
    def submit(self, order: Order) -> None:
        assert self._events is not None
        leg = order.leg_id
        if leg in self._tickets:
            log.warning(
                "%s: leg %s already sent (ticket %s); the repeat is ignored", self.name, leg, self._tickets[leg]
            )
            return
        if self._conn is None:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} is not connected to its platform")
            return
        price = order.limit_price if order.limit_price is not None else order.stop_price
        try:
            ticket = self._conn.send(leg, order.symbol, order.side, order.qty, order.order_type, price)
        except ValueError as exc:  # the platform refused it: its own text goes to the gateway
            self._events.order_update(leg, OrderStatus.REJECTED, str(exc))
            return
        except ConnectionError as exc:
            self._lost(exc)
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} lost its platform: {exc}")
            return
        self._tickets[leg] = ticket
        self._events.order_update(leg, OrderStatus.ACCEPTED, "", ticket)
        self._collect_fills()

    def cancel(self, leg_id: str) -> None:
        assert self._events is not None
        ticket = self._tickets.get(leg_id)
        if ticket is None or self._conn is None:
            return
        try:
            if self._conn.cancel(ticket):
                self._events.order_update(leg_id, OrderStatus.CANCELLED, "cancelled")
        except ConnectionError as exc:
            self._lost(exc)

    def _collect_fills(self) -> None:
        assert self._events is not None
        for execution in self._conn.executions():
            if execution.exec_id in self._seen_fills:
                continue
            self._seen_fills.add(execution.exec_id)
            self._events.fill(execution.client_id, execution.exec_id, execution.qty, execution.price, time.time_ns())

    # -- polling and reconciliation ------------------------------------------------------------------
    def poll(self, now: float) -> float | None:
        if not self._ensure_connected(now):
            return max(0.0, self._retry_at - now)
        try:
            self._stream()
            self._collect_fills()
        except ConnectionError as exc:
            self._lost(exc)
        return self.settings.poll_interval_s

    def report(self) -> PlatformReport | None:
        if self._conn is None:
            return None  # unknown while disconnected: never report "no orders"
        try:
            orders, executions = self._conn.orders(), self._conn.executions()
        except ConnectionError as exc:
            self._lost(exc)
            return None
        positions: dict[str, float] = {}
        for e in executions:
            positions[e.symbol] = positions.get(e.symbol, 0.0) + (e.qty if e.side.value == "BUY" else -e.qty)
        return PlatformReport(
            open_orders=[
                ReportedOrder(leg_id=o.client_id, platform_order_id=o.ticket) for o in orders if o.status == "working"
            ],
            executions=[
                ReportedFill(leg_id=e.client_id, fill_id=e.exec_id, qty=e.qty, price=e.price) for e in executions
            ],
            positions=positions,
        )
