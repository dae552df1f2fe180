"""The ``remote`` backend: the driver reaches the MetaTrader5 double through its rpyc classic server (a real
process on a loopback port), as a Linux gateway reaches a terminal under Wine through mt5linux's server."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from nexus_gw.adapters.mt5.driver import MT5Driver
from nexus_gw.adapters.mt5.settings import MT5Settings
from nexus_gw.protocol.constants import OrderStatus, Side
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import Running
from .conftest import FAST

rpyc = pytest.importorskip("rpyc")


@pytest.fixture
def server() -> Iterator[tuple[int, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexus_gw.adapters.mt5.double.server", "--port", "0", "--broker", "global"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "listening on 127.0.0.1:PORT", or "" if it died
        assert line.startswith("listening on"), line
        port = int(line.rsplit(":", 1)[1])
        control = rpyc.classic.connect("127.0.0.1", port)
        control.modules.MetaTrader5._double.set_market_open(True)
        yield port, control
        control.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def remote_driver(port: int) -> MT5Driver:
    settings = MT5Settings(server="GlobalCFD-Demo", backend="remote", port=port, **FAST)
    return MT5Driver("mt5_global", settings)


def test_the_remote_backend_streams_fills_and_reports_through_the_rpyc_server(server: tuple[int, Any]) -> None:
    port, control = server
    run = Running(remote_driver(port))
    run.driver.start(run.events)
    run.wait(lambda: run.events.states and run.events.states[-1], "connected through rpyc")
    run.driver.subscribe([Subscription(root="NQ", symbol="NAS100")])
    try:
        tick = run.wait(lambda: run.events.last_tick("NAS100"), "a NAS100 tick through rpyc")
        assert 0 < tick.bid <= tick.ask
        leg = Order(leg_id="r1.mt5_global", order_id="r1", symbol="NAS100", side=Side.BUY, qty=20.0)
        run.driver.submit(leg)
        run.wait(lambda: run.events.filled(leg.leg_id) >= 20.0, "the fill through rpyc")
        assert OrderStatus.ACCEPTED in run.events.statuses(leg.leg_id)
        report = run.wait(run.driver.report, "a report through rpyc")
        assert report.positions == {"NAS100": pytest.approx(20.0)}
        assert [f.leg_id for f in report.executions] == [leg.leg_id]
        control.modules.MetaTrader5._double.force_retcodes(10018)
        closed = Order(leg_id="r2.mt5_global", order_id="r2", symbol="NAS100", side=Side.BUY, qty=1.0)
        run.driver.submit(closed)
        assert "10018 MARKET_CLOSED" in run.events.reason(closed.leg_id, OrderStatus.REJECTED)
    finally:
        run.driver.stop()


def test_no_rpyc_server_is_a_logged_retry_naming_the_address_never_an_exit(caplog: pytest.LogCaptureFixture) -> None:
    run = Running(remote_driver(1))  # nothing listens on port 1
    run.driver.start(run.events)
    assert run.events.states == [False]
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        run.driver.poll(time.monotonic())
        time.sleep(0.01)
    assert True not in run.events.states and len(run.events.states) >= 2  # retried with the backoff, still down
    assert "mt5_global: not connected to MT5 (no rpyc classic server with MetaTrader5 at 127.0.0.1:1" in caplog.text
    run.driver.stop()
