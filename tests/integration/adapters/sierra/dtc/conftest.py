"""Fixtures for the DTC session against the simulator over real loopback TCP.

Timings are shortened (1 s heartbeats, 50 ms first backoff, 20–50 ms fills) so each test stays well under a few
seconds; every wait has a deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nexus_gw.adapters.sierra.dtc.constants import Encoding, LogonStatus
from nexus_gw.adapters.sierra.dtc.events import (
    Fill,
    LogonInfo,
    MarketSnapshot,
    OrderReport,
    Position,
    Quote,
    Reconciliation,
    SessionListener,
    Trade,
)
from nexus_gw.adapters.sierra.dtc.session import DtcSession, SessionConfig
from nexus_gw.adapters.sierra.simulator import DtcSimulator

WAIT = 5.0
"""Longest any single wait in these tests may take before failing."""


class Recorder(SessionListener):
    """Records every event in arrival order; ``wait`` blocks until a condition over the record holds."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self._cond = threading.Condition()

    def _add(self, kind: str, payload: Any) -> None:
        with self._cond:
            self.events.append((kind, payload))
            self._cond.notify_all()

    def of(self, kind: str) -> list[Any]:
        with self._cond:
            return [p for k, p in self.events if k == kind]

    def wait(self, condition: Callable[[Recorder], bool], timeout: float = WAIT, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [k for k, _ in self.events][-20:]
                    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}; last: {kinds}")
                self._cond.wait(left)

    def wait_for(self, kind: str, predicate: Callable[[Any], bool] = lambda _p: True, timeout: float = WAIT) -> Any:
        """The first ``kind`` event whose payload satisfies ``predicate`` (waiting for it if needed)."""
        found: list[Any] = []

        def match(rec: Recorder) -> bool:
            found[:] = [p for k, p in rec.events if k == kind and predicate(p)]
            return bool(found)

        self.wait(match, timeout, what=kind)
        return found[0]

    def on_logged_on(self, info: LogonInfo) -> None:
        self._add("logged_on", info)

    def on_logon_rejected(self, status: LogonStatus, text: str) -> None:
        self._add("logon_rejected", (status, text))

    def on_disconnected(self, reason: str, will_reconnect: bool) -> None:
        self._add("disconnected", (reason, will_reconnect))

    def on_snapshot(self, snapshot: MarketSnapshot) -> None:
        self._add("snapshot", snapshot)

    def on_trade(self, trade: Trade) -> None:
        self._add("trade", trade)

    def on_quote(self, quote: Quote) -> None:
        self._add("quote", quote)

    def on_market_data_reject(self, symbol: str, text: str) -> None:
        self._add("md_reject", (symbol, text))

    def on_order_update(self, report: OrderReport) -> None:
        self._add("order", report)

    def on_fill(self, fill: Fill) -> None:
        self._add("fill", fill)

    def on_position(self, position: Position) -> None:
        self._add("position", position)

    def on_reconciled(self, report: Reconciliation) -> None:
        self._add("reconciled", report)

    def on_server_message(self, text: str) -> None:
        self._add("server_message", text)


FAST_SIM = {
    "updates_per_second": 20.0,
    "fill_latency_s": 0.02,
    "fill_interval_s": 0.02,
    "seed": 7,
}


def fast_session_config(port: int, encoding: Encoding, **overrides: Any) -> SessionConfig:
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "encoding": encoding,
        "heartbeat_interval_s": 1,
        "connect_timeout_s": 1.0,
        "logon_timeout_s": 2.0,
        "request_timeout_s": 2.0,
        "reconnect_initial_s": 0.05,
        "reconnect_max_s": 0.4,
        "reconnect_jitter": 0.0,
        "poll_interval_s": 0.02,
    }
    settings.update(overrides)
    return SessionConfig(**settings)


@pytest.fixture(params=[Encoding.BINARY, Encoding.JSON], ids=["binary", "json"])
def encoding(request: pytest.FixtureRequest) -> Encoding:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def fast_sim() -> dict[str, Any]:
    """The library's tests run the simulator with its default symbols and their own seed."""
    return FAST_SIM


@pytest.fixture
def make_session() -> Iterator[Callable[..., tuple[DtcSession, Recorder]]]:
    sessions: list[DtcSession] = []

    def make(
        port: int, encoding: Encoding = Encoding.BINARY, *, start: bool = True, **overrides: Any
    ) -> tuple[DtcSession, Recorder]:
        recorder = Recorder()
        session = DtcSession(fast_session_config(port, encoding, **overrides), recorder)
        sessions.append(session)
        if start:
            session.start()
        return session, recorder

    yield make
    for session in sessions:
        session.stop(timeout=2.0)


@pytest.fixture
def logged_on(
    sim: DtcSimulator, encoding: Encoding, make_session: Callable[..., tuple[DtcSession, Recorder]]
) -> tuple[DtcSession, Recorder]:
    """A session logged on to ``sim`` in the parametrized encoding, after its first reconciliation."""
    session, recorder = make_session(sim.port, encoding)
    assert session.wait_until_logged_on(WAIT), session.last_error
    recorder.wait_for("reconciled")
    return session, recorder
