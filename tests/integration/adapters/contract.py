"""The driver contract: what every platform driver must do, run by each driver with its own fixture.

A platform's test module subclasses ``DriverContract`` and gives one fixture, ``harness``, returning a
``Harness`` for that platform (its driver against the real platform or the platform's development companion):

    class TestMyPlatformContract(DriverContract):
        @pytest.fixture
        def harness(self, tmp_path: Path) -> Iterator[Harness]:
            yield MyHarness(tmp_path)

The contract drives the driver only through ``PlatformDriver``'s public methods, as the adapter runner does
(``poll`` is called while waiting, so single-threaded drivers work too), and checks what it reports through
``DriverEvents``: connect; ticks in the platform's symbols; market, limit and stop orders accepted then filled in
parts; a reject with the platform's reason; cancel; a disconnect with an order working, then a report that
reconciles; a repeated leg id ignored. Every wait has a deadline; nothing is asserted on timing.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import Order, PlatformReport, Subscription

WAIT = 10.0
"""Longest any single wait may take before the test fails (generous: the machine may be loaded)."""


@dataclass(frozen=True)
class Tick:
    symbol: str
    bid: float
    ask: float
    last: float


class Recorder:
    """Thread-safe ``DriverEvents`` that keeps every event in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ticks: list[Tick] = []
        self.updates: list[tuple[str, OrderStatus, str]] = []
        self.fills: list[tuple[str, str, float, float]] = []
        self.states: list[bool] = []
        self.symbols: dict[str, tuple[bool, str]] = {}

    def market_data(self, symbol: str, bid: float, ask: float, last: float, size: float, ts_ns: int) -> None:
        with self._lock:
            self.ticks.append(Tick(symbol, bid, ask, last))

    def order_update(self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> None:
        with self._lock:
            self.updates.append((leg_id, status, reason))

    def fill(self, leg_id: str, fill_id: str, qty: float, price: float, ts_ns: int) -> None:
        with self._lock:
            self.fills.append((leg_id, fill_id, qty, price))

    def platform_state(self, connected: bool, reason: str = "") -> None:
        with self._lock:
            self.states.append(connected)

    def symbol_state(self, symbol: str, known: bool, reason: str = "") -> None:
        with self._lock:
            self.symbols[symbol] = (known, reason)

    def statuses(self, leg_id: str) -> list[OrderStatus]:
        with self._lock:
            return [status for leg, status, _r in self.updates if leg == leg_id]

    def reason(self, leg_id: str, status: OrderStatus) -> str:
        with self._lock:
            return next(r for leg, s, r in self.updates if leg == leg_id and s is status)

    def fills_of(self, leg_id: str) -> list[tuple[str, str, float, float]]:
        """Fills of ``leg_id``, each execution once (a driver may repeat one after a reconnect)."""
        with self._lock:
            unique = {f[1]: f for f in self.fills if f[0] == leg_id}
        return list(unique.values())

    def filled(self, leg_id: str) -> float:
        return round(sum(f[2] for f in self.fills_of(leg_id)), 9)

    def last_tick(self, symbol: str) -> Tick | None:
        with self._lock:
            return next((t for t in reversed(self.ticks) if t.symbol == symbol), None)


@dataclass
class Running:
    """A started driver and what it reported; ``wait`` polls the driver as the runner would."""

    driver: PlatformDriver
    events: Recorder = field(default_factory=Recorder)

    def wait(self, done: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            self.driver.poll(time.monotonic())
            result = done()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:.0f}s waiting for {what}; updates {self.events.updates[-8:]}, "
                    f"fills {self.events.fills[-8:]}, states {self.events.states}"
                )
            time.sleep(0.005)


class Harness(ABC):
    """What a platform's fixture gives the contract."""

    #: what to stream: the platform's own symbols (each with its root and tick size)
    subscriptions: list[Subscription]
    #: the platform instance name (the suffix of every leg id)
    name: str
    #: executions a marketable order of ``QTY`` is split into (at least 2: the contract checks partial fills)
    partial_fills: int = 2

    @abstractmethod
    def make_driver(self) -> PlatformDriver:
        """A new driver for the platform (not started)."""

    @abstractmethod
    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        """An order the platform refuses, and a regular expression its reason (the platform's own text) matches."""

    @abstractmethod
    def interrupt(self, running: Running) -> Running:
        """Break the connection to the platform (or kill the adapter) and come back; return the driver to use now.

        Returns once the driver is connected again and ``report()`` tells the platform's view."""

    def close(self) -> None:  # noqa: B027 - optional
        """Stop whatever the harness started (the platform's fixture calls it at the end)."""


QTY = 2.0
_legs = itertools.count(1)


def leg_id(harness: Harness) -> str:
    return f"c{next(_legs)}.{harness.name}"


def make_order(
    harness: Harness,
    order_type: OrderType = OrderType.MARKET,
    *,
    leg: str | None = None,
    symbol: str | None = None,
    **kw: Any,
) -> Order:
    """A buy of ``QTY`` in the harness's first symbol (or ``symbol``), under a new leg id (or ``leg``)."""
    leg = leg or leg_id(harness)
    symbol = symbol or harness.subscriptions[0].symbol
    return Order(
        leg_id=leg, order_id=leg.split(".")[0], symbol=symbol, side=Side.BUY, qty=QTY, order_type=order_type, **kw
    )


class DriverContract:
    """The tests every driver passes; subclasses provide the ``harness`` fixture."""

    @pytest.fixture
    def harness(self) -> Iterator[Harness]:  # pragma: no cover - overridden by each platform
        raise NotImplementedError("a platform's contract test class provides the harness fixture")

    @pytest.fixture
    def running(self, harness: Harness) -> Iterator[Running]:
        driver = harness.make_driver()
        run = Running(driver)
        driver.start(run.events)
        run.wait(lambda: run.events.states and run.events.states[-1], "the driver to report it is connected")
        driver.subscribe(list(harness.subscriptions))
        yield run
        run.driver.stop()

    # -- helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def quote(run: Running, harness: Harness) -> Tick:
        symbol = harness.subscriptions[0].symbol
        return run.wait(lambda: run.events.last_tick(symbol), f"a tick of {symbol}")  # type: ignore[no-any-return]

    @staticmethod
    def fill_completely(run: Running, leg: str, qty: float = QTY) -> list[tuple[str, str, float, float]]:
        run.wait(lambda: run.events.filled(leg) >= qty - 1e-9, f"{leg} filled {qty}")
        return run.events.fills_of(leg)

    @staticmethod
    def accepted(run: Running, leg: str) -> None:
        run.wait(lambda: OrderStatus.ACCEPTED in run.events.statuses(leg), f"{leg} accepted")

    # -- the contract --------------------------------------------------------------------------------------
    def test_connects_and_streams_ticks_in_the_platforms_symbols(self, running: Running, harness: Harness) -> None:
        assert running.events.states[0] is True
        for sub in harness.subscriptions:
            tick = running.wait(lambda s=sub.symbol: running.events.last_tick(s), f"a tick of {sub.symbol}")
            assert 0 < tick.bid <= tick.ask and tick.last > 0, tick

    def test_market_order_is_accepted_then_filled_in_parts(self, running: Running, harness: Harness) -> None:
        order = make_order(harness)
        running.driver.submit(order)
        self.accepted(running, order.leg_id)
        fills = self.fill_completely(running, order.leg_id)
        assert len(fills) >= min(harness.partial_fills, 2), f"expected partial fills, got {fills}"
        assert sum(f[2] for f in fills) == pytest.approx(QTY) and all(f[3] > 0 for f in fills)

    def test_marketable_limit_is_accepted_then_filled_at_the_limit_or_better(
        self, running: Running, harness: Harness
    ) -> None:
        tick = self.quote(running, harness)
        limit = tick.ask + 40 * harness.subscriptions[0].tick_size
        order = make_order(harness, OrderType.LIMIT, limit_price=limit)
        running.driver.submit(order)
        self.accepted(running, order.leg_id)
        fills = self.fill_completely(running, order.leg_id)
        assert len(fills) >= 2 and all(f[3] <= limit for f in fills), fills

    def test_triggered_stop_is_accepted_then_filled(self, running: Running, harness: Harness) -> None:
        tick = self.quote(running, harness)
        stop = tick.last - 40 * harness.subscriptions[0].tick_size  # the last trade is above: a buy stop triggers
        order = make_order(harness, OrderType.STOP, stop_price=stop)
        running.driver.submit(order)
        self.accepted(running, order.leg_id)
        fills = self.fill_completely(running, order.leg_id)
        assert len(fills) >= 2, fills

    def test_a_refused_order_is_rejected_with_the_platforms_reason(self, running: Running, harness: Harness) -> None:
        self.quote(running, harness)
        order, reason = harness.rejected_order(leg_id(harness))
        running.driver.submit(order)
        running.wait(lambda: OrderStatus.REJECTED in running.events.statuses(order.leg_id), "the reject")
        assert re.search(reason, running.events.reason(order.leg_id, OrderStatus.REJECTED)), running.events.updates
        assert running.events.fills_of(order.leg_id) == []

    def test_a_working_order_is_cancelled(self, running: Running, harness: Harness) -> None:
        tick = self.quote(running, harness)
        order = make_order(harness, OrderType.LIMIT, limit_price=tick.bid - 400 * harness.subscriptions[0].tick_size)
        running.driver.submit(order)
        self.accepted(running, order.leg_id)
        running.driver.cancel(order.leg_id)
        running.wait(lambda: OrderStatus.CANCELLED in running.events.statuses(order.leg_id), "the cancel")
        assert running.events.fills_of(order.leg_id) == []

    def test_after_a_disconnect_with_an_order_working_the_report_reconciles(
        self, running: Running, harness: Harness
    ) -> None:
        tick = self.quote(running, harness)
        resting = make_order(harness, OrderType.LIMIT, limit_price=tick.bid - 400 * harness.subscriptions[0].tick_size)
        filled = make_order(harness)
        running.driver.submit(resting)
        running.driver.submit(filled)
        self.accepted(running, resting.leg_id)
        self.fill_completely(running, filled.leg_id)

        after = harness.interrupt(running)
        try:
            report: PlatformReport = after.wait(after.driver.report, "a report after the reconnect")
        finally:
            if after.driver is not running.driver:
                after.driver.stop()
        assert resting.leg_id in {o.leg_id for o in report.open_orders}, report
        assert filled.leg_id not in {o.leg_id for o in report.open_orders}, report
        executions = {f.fill_id: f.qty for f in report.executions if f.leg_id == filled.leg_id}
        assert sum(executions.values()) == pytest.approx(QTY), report
        assert report.positions.get(filled.symbol) == pytest.approx(QTY), report

    def test_a_repeated_leg_id_is_ignored(self, running: Running, harness: Harness) -> None:
        order = make_order(harness)
        running.driver.submit(order)
        self.accepted(running, order.leg_id)
        running.driver.submit(order)  # the same leg again: the platform must not get a second order
        self.fill_completely(running, order.leg_id)
        marker = make_order(harness)  # an order sent after the repeat: once it is filled, a repeat would be too
        running.driver.submit(marker)
        self.fill_completely(running, marker.leg_id)
        assert running.events.filled(order.leg_id) == pytest.approx(QTY), running.events.fills
        report = running.wait(running.driver.report, "a report")
        repeated = {f.fill_id: f.qty for f in report.executions if f.leg_id == order.leg_id}
        assert sum(repeated.values()) == pytest.approx(QTY), report
