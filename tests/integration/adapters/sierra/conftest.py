"""Fixtures for the Sierra driver against a real DTC simulator over loopback TCP.

``Recorder`` is a thread-safe ``DriverEvents`` that keeps every event in order. ``counted`` applies the recorded
fills to the gateway's own ``Leg`` so tests check "counted once" with the gateway's real de-duplication rule.
Timings are short (1 s heartbeats, 50 ms first reconnect, 20 ms fills); every wait has a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.settings import SierraSettings
from nexus_gw.adapters.sierra.simulator import DtcSimulator, SimulatorConfig
from nexus_gw.domain.orders import Execution, Leg
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import Order, Subscription
from nexus_gw.stack import free_port

WAIT = 5.0
"""Longest any single wait may take before the test fails."""

NQ = "NQH25"
ES = "ESH25"


@dataclass(frozen=True)
class Event:
    kind: str
    args: tuple[Any, ...]


class Recorder:
    """``DriverEvents`` that records; ``wait_for`` blocks until a matching event exists."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._cond = threading.Condition()

    def _add(self, kind: str, *args: Any) -> None:
        with self._cond:
            self.events.append(Event(kind, args))
            self._cond.notify_all()

    def market_data(self, symbol: str, bid: float, ask: float, last: float, size: float, ts_ns: int) -> None:
        self._add("market_data", symbol, bid, ask, last, size, ts_ns)

    def order_update(self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> None:
        self._add("order_update", leg_id, status, reason, platform_order_id)

    def fill(self, leg_id: str, fill_id: str, qty: float, price: float, ts_ns: int) -> None:
        self._add("fill", leg_id, fill_id, qty, price, ts_ns)

    def platform_state(self, connected: bool, reason: str = "") -> None:
        self._add("platform_state", connected, reason)

    def symbol_state(self, symbol: str, known: bool, reason: str = "") -> None:
        self._add("symbol_state", symbol, known, reason)

    def of(self, kind: str, predicate: Callable[[tuple[Any, ...]], bool] = lambda _a: True) -> list[tuple[Any, ...]]:
        with self._cond:
            return [e.args for e in self.events if e.kind == kind and predicate(e.args)]

    def wait_for(
        self,
        kind: str,
        predicate: Callable[[tuple[Any, ...]], bool] = lambda _a: True,
        timeout: float = WAIT,
        count: int = 1,
    ) -> tuple[Any, ...]:
        """The ``count``-th matching event (waiting for it if needed)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [e.args for e in self.events if e.kind == kind and predicate(e.args)]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = [(e.kind, e.args[:3]) for e in self.events if e.kind != "market_data"][-12:]
                    raise AssertionError(f"timed out after {timeout}s waiting for {kind} #{count}; recent: {recent}")
                self._cond.wait(left)

    def status(self, leg_id: str, status: OrderStatus, timeout: float = WAIT) -> tuple[Any, ...]:
        return self.wait_for("order_update", lambda a: a[0] == leg_id and a[1] is status, timeout)

    def fills(self, leg_id: str) -> list[tuple[Any, ...]]:
        return self.of("fill", lambda a: a[0] == leg_id)

    def counted(self, leg_id: str, qty: float) -> tuple[Leg, int]:
        """The recorded fills of ``leg_id`` applied to a gateway ``Leg``; and how many were repeats it ignored."""
        leg = Leg(leg_id, "sierra", NQ, Side.BUY, qty)
        repeats = 0
        for _leg, fill_id, fill_qty, price, ts_ns in self.fills(leg_id):
            if not leg.apply_execution(Execution(fill_id, fill_qty, price, ts_ns)):
                repeats += 1
        return leg, repeats

    def wait_filled(self, leg_id: str, qty: float, timeout: float = WAIT) -> Leg:
        deadline = time.monotonic() + timeout
        while True:
            leg, _ = self.counted(leg_id, qty)
            if leg.filled_qty >= qty - 1e-9:
                return leg
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"leg {leg_id} filled {leg.filled_qty} of {qty} after {timeout}s: {self.fills(leg_id)}"
                )
            time.sleep(0.02)


FAST_SIM: dict[str, Any] = {
    "symbols": {NQ: 21000.0, ES: 6000.0},
    "updates_per_second": 20.0,
    "fill_latency_s": 0.02,
    "fill_interval_s": 0.02,
    "seed": 11,
}


def fast_settings(port: int, encoding: str, **overrides: Any) -> SierraSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "encoding": encoding,
        "heartbeat_interval_s": 1,
        "connect_timeout_s": 1.0,
        "logon_timeout_s": 2.0,
        "request_timeout_s": 2.0,
        "reconnect_initial_s": 0.05,
        "reconnect_max_s": 0.3,
    }
    values.update(overrides)
    return SierraSettings(**values)


def order(leg_id: str, qty: float = 1, *, symbol: str = NQ, side: Side = Side.BUY, **kw: Any) -> Order:
    return Order(leg_id=leg_id, order_id=leg_id.split(".")[0], symbol=symbol, side=side, qty=qty, **kw)


def limit(leg_id: str, price: float, qty: float = 1) -> Order:
    return order(leg_id, qty, order_type=OrderType.LIMIT, limit_price=price)


def stop(leg_id: str, price: float, qty: float = 1) -> Order:
    return order(leg_id, qty, order_type=OrderType.STOP, stop_price=price)


SUBSCRIPTIONS = [Subscription(root="NQ", symbol=NQ, tick_size=0.25), Subscription(root="ES", symbol=ES, tick_size=0.25)]


@pytest.fixture(params=["binary", "json"])
def encoding(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fast_sim() -> dict[str, Any]:
    """The simulator settings ``make_simulator`` starts from (a sub-directory's conftest may override it)."""
    return FAST_SIM


@pytest.fixture
def make_simulator(fast_sim: dict[str, Any]) -> Iterator[Callable[..., DtcSimulator]]:
    started: list[DtcSimulator] = []

    def make(**overrides: Any) -> DtcSimulator:
        sim = DtcSimulator(SimulatorConfig(**{**fast_sim, **overrides}))
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def make_driver() -> Iterator[Callable[..., tuple[SierraDriver, Recorder]]]:
    drivers: list[SierraDriver] = []

    def make(
        port: int, encoding: str = "binary", *, name: str = "sierra", paper: bool = False, **overrides: Any
    ) -> tuple[SierraDriver, Recorder]:
        recorder = Recorder()
        driver = SierraDriver(name, fast_settings(port, encoding, **overrides), paper=paper)
        drivers.append(driver)
        driver.start(recorder)
        return driver, recorder

    yield make
    for driver in drivers:
        driver.stop()


@pytest.fixture
def sim(make_simulator: Callable[..., DtcSimulator]) -> DtcSimulator:
    return make_simulator()


@pytest.fixture
def connected(
    sim: DtcSimulator, encoding: str, make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> tuple[SierraDriver, Recorder]:
    """A driver logged on to ``sim`` in the parametrized encoding, after its first reconciliation."""
    driver, recorder = make_driver(sim.port, encoding)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    wait_reconciled(driver, 1)
    return driver, recorder


def wait_reconciled(driver: SierraDriver, logon: int, timeout: float = WAIT) -> None:
    """Block until the driver has handled the reconciliation after logon number ``logon``."""
    deadline = time.monotonic() + timeout
    while True:
        report = driver.last_reconciliation
        if report is not None and report.logon_count >= logon:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no reconciliation after logon {logon} within {timeout}s (last: {report})")
        time.sleep(0.01)


class SimulatorProcess:
    """The DTC simulator as a process of its own, so tests can kill -9 it and start it again on the same port."""

    def __init__(self, port: int, state_file: Path, encoding: str, *args: str) -> None:
        self.port = port
        self.state_file = state_file
        self.encoding = encoding
        self.args = args
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "nexus_gw.adapters.sierra.simulator",
            "--port",
            str(self.port),
            "--encoding",
            self.encoding,
            "--symbols",
            f"{NQ}=21000,{ES}=6000",
            "--rate",
            "10",
            "--state-file",
            str(self.state_file),
            "--log-level",
            "WARNING",
            *self.args,
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()  # one line once it listens
        assert "listening on 127.0.0.1:" in line, f"simulator did not start: {line!r} (exit {proc.poll()})"
        self.proc = proc

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def sim_process(tmp_path: Path) -> Iterator[Callable[..., SimulatorProcess]]:
    made: list[SimulatorProcess] = []

    def make(encoding: str, *args: str) -> SimulatorProcess:
        process = SimulatorProcess(free_port(), tmp_path / "dtc-state.json", encoding, *args)
        process.start()
        made.append(process)
        return process

    yield make
    for process in made:
        process.stop()
