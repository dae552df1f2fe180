"""A thread-safe sink for driver events that wakes the runner's poll loop."""

from __future__ import annotations

import contextlib
import queue
import socket
from dataclasses import dataclass

from nexus_gw.protocol.constants import OrderStatus


@dataclass(frozen=True)
class MarketDataEvent:
    symbol: str
    bid: float
    ask: float
    last: float
    size: float
    ts_ns: int


@dataclass(frozen=True)
class OrderUpdateEvent:
    leg_id: str
    status: OrderStatus
    reason: str
    platform_order_id: str


@dataclass(frozen=True)
class FillEvent:
    leg_id: str
    fill_id: str
    qty: float
    price: float
    ts_ns: int


@dataclass(frozen=True)
class PlatformStateEvent:
    connected: bool
    reason: str


@dataclass(frozen=True)
class SymbolStateEvent:
    """What the platform said of one subscribed symbol: known, or not (``reason`` names the fix)."""

    symbol: str
    known: bool
    reason: str


DriverEvent = MarketDataEvent | OrderUpdateEvent | FillEvent | PlatformStateEvent | SymbolStateEvent


class EventSink:
    """Implements ``DriverEvents``: queues events and writes one byte to a socketpair to wake the loop."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[DriverEvent] = queue.SimpleQueue()
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    @property
    def fileno(self) -> int:
        return self._reader.fileno()

    def _put(self, event: DriverEvent) -> None:
        self._queue.put(event)
        with contextlib.suppress(BlockingIOError):  # the reader is already due to wake up
            self._writer.send(b"\0")

    def market_data(self, symbol: str, bid: float, ask: float, last: float, size: float, ts_ns: int) -> None:
        self._put(MarketDataEvent(symbol, bid, ask, last, size, ts_ns))

    def order_update(self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> None:
        self._put(OrderUpdateEvent(leg_id, OrderStatus(status), reason, platform_order_id))

    def fill(self, leg_id: str, fill_id: str, qty: float, price: float, ts_ns: int) -> None:
        self._put(FillEvent(leg_id, fill_id, qty, price, ts_ns))

    def platform_state(self, connected: bool, reason: str = "") -> None:
        self._put(PlatformStateEvent(connected, reason))

    def symbol_state(self, symbol: str, known: bool, reason: str = "") -> None:
        self._put(SymbolStateEvent(symbol, known, reason))

    def drain(self) -> list[DriverEvent]:
        try:
            while self._reader.recv(4096):
                pass
        except BlockingIOError:
            pass
        events: list[DriverEvent] = []
        while True:
            try:
                events.append(self._queue.get_nowait())
            except queue.Empty:
                return events

    def close(self) -> None:
        self._reader.close()
        self._writer.close()
