"""DTC session resilience: logon rejection, dead connections, reconnect with backoff, reconciliation."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.binary import BinaryFrameReader, decode_binary, encode_binary
from nexus_gw.adapters.sierra.dtc.constants import BuySell, Encoding, LogonStatus, OrderStatus
from nexus_gw.adapters.sierra.dtc.events import Reconciliation
from nexus_gw.adapters.sierra.dtc.session import DtcSession, SessionState
from nexus_gw.adapters.sierra.simulator import DtcSimulator
from nexus_gw.errors import PlatformUnavailable
from nexus_gw.free_ports import free_port

from .conftest import WAIT, Recorder

pytestmark = pytest.mark.integration

MakeSession = Callable[..., tuple[DtcSession, Recorder]]


def test_logon_rejection_leaves_a_clean_stopped_session_that_can_start_again(
    make_simulator: Callable[..., DtcSimulator], make_session: MakeSession, encoding: Encoding
) -> None:
    sim = make_simulator(logon_reject_text="Account disabled by risk desk")
    session, recorder = make_session(sim.port, encoding)
    status, text = recorder.wait_for("logon_rejected")
    assert (status, text) == (LogonStatus.ERROR, "Account disabled by risk desk")
    assert session.wait_for_state(lambda s: s is SessionState.REJECTED, WAIT)
    assert not session.wait_until_logged_on(0.5)
    assert session.logon_info is None and session.logon_count == 0
    assert "Account disabled" in session.last_error
    with pytest.raises(PlatformUnavailable, match="not logged on"):
        session.submit_market("NQH25", BuySell.BUY, 1)
    time.sleep(0.3)
    assert sim.connections_accepted == 1  # no retry loop against a server that said no
    assert recorder.of("disconnected") == []

    sim.logon_reject_text = None
    session.start()
    assert session.wait_until_logged_on(WAIT), session.last_error
    recorder.wait_for("reconciled")
    assert session.logon_count == 1


def test_reconnect_after_a_dropped_connection_resubscribes_and_reconciles(
    logged_on: tuple[DtcSession, Recorder], sim: DtcSimulator
) -> None:
    session, recorder = logged_on
    session.subscribe("NQH25")
    recorder.wait_for("snapshot")
    filled = session.submit_market("NQH25", BuySell.BUY, 2)
    recorder.wait_for("order", lambda r: r.client_order_id == filled and r.is_terminal)
    resting = session.submit_limit("NQH25", BuySell.BUY, 1, limit_price=15000.0)
    working = recorder.wait_for("order", lambda r: r.client_order_id == resting and r.status is OrderStatus.OPEN)
    live_fill_ids = {f.execution_id for f in recorder.of("fill")}

    assert sim.drop_clients() == 1
    reason, will_reconnect = recorder.wait_for("disconnected")
    assert will_reconnect and "closed" in reason
    report: Reconciliation = recorder.wait_for("reconciled", lambda r: r.logon_count == 2)
    assert report.complete, report.errors
    assert report.trade_account == "Sim1"
    assert [o.server_order_id for o in report.open_orders] == [working.server_order_id]
    assert report.open_orders[0].client_order_id == resting
    assert {f.execution_id for f in report.fills} == live_fill_ids
    assert [(p.symbol, p.quantity) for p in report.positions] == [("NQH25", 2.0)]
    recorder.wait(lambda r: len(r.of("snapshot")) >= 2, what="snapshot after resubscription")
    assert session.logon_count == 2

    session.cancel_order(client_order_id=resting)  # the order is still known by its client id after reconnect
    recorder.wait_for("order", lambda r: r.client_order_id == resting and r.status is OrderStatus.CANCELED)


def test_silent_server_is_detected_after_twice_the_heartbeat_interval(
    logged_on: tuple[DtcSession, Recorder], sim: DtcSimulator
) -> None:
    session, recorder = logged_on
    sim.silent = True
    started = time.monotonic()
    reason, will_reconnect = recorder.wait_for("disconnected", timeout=4.0)
    waited = time.monotonic() - started
    assert "presumed dead" in reason and will_reconnect
    assert 1.5 < waited < 3.5  # 2 x 1 s heartbeat interval, plus scheduling slack
    sim.silent = False
    recorder.wait_for("logged_on", lambda info: session.logon_count >= 2)


def test_simulator_drops_a_client_that_stops_talking(sim: DtcSimulator) -> None:
    with socket.create_connection(sim.address, timeout=WAIT) as raw:
        raw.sendall(encode_binary(m.LogonRequest(Username="quiet", HeartbeatIntervalInSeconds=1)))
        reader = BinaryFrameReader()
        started = time.monotonic()
        closed = False
        messages: list[m.Message] = []
        while time.monotonic() - started < 4.0:
            data = raw.recv(65536)
            if not data:
                closed = True
                break
            reader.feed(data)
            while (frame := reader.next_frame()) is not None:
                messages.append(decode_binary(frame))
        assert closed, "the simulator kept a silent client"
        assert 1.5 < time.monotonic() - started < 3.5
    assert isinstance(messages[0], m.LogonResponse) and messages[0].Result == LogonStatus.SUCCESS
    assert any(isinstance(x, m.Heartbeat) for x in messages)


def test_server_logoff_with_do_not_reconnect_stops_the_session(
    logged_on: tuple[DtcSession, Recorder], sim: DtcSimulator
) -> None:
    session, recorder = logged_on
    for client in sim._snapshot_clients():
        client.send(m.Logoff(Reason="maintenance", DoNotReconnect=1))
    reason, will_reconnect = recorder.wait_for("disconnected")
    assert "maintenance" in reason and not will_reconnect
    assert session.wait_for_state(lambda s: s is SessionState.STOPPED, WAIT)


def _spawn_simulator(port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nexus_gw.adapters.sierra.simulator",
            "--port",
            str(port),
            "--rate",
            "10",
            "--fill-latency",
            "0.02",
            "--fill-interval",
            "0.02",
            "--log-level",
            "WARNING",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the simulator prints one line once it listens
    assert "listening on 127.0.0.1:" in line, f"simulator did not start: {line!r} (exit {proc.poll()})"
    return proc


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)


def test_simulator_process_killed_and_restarted_client_reconnects_with_backoff(
    make_session: MakeSession, processes: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    processes.append(_spawn_simulator(port))
    session, recorder = make_session(port, Encoding.JSON)
    recorder.wait_for("reconciled")  # the trade account is known from here on
    cid = session.submit_market("NQH25", BuySell.BUY, 1)
    recorder.wait_for("order", lambda r: r.client_order_id == cid and r.is_terminal)

    processes[0].send_signal(signal.SIGKILL)
    processes[0].wait(5)
    recorder.wait_for("disconnected")
    attempts_before = session.connect_attempts
    time.sleep(1.0)  # down for a second: 50 ms backoff doubling to the 400 ms cap
    failed_attempts = session.connect_attempts - attempts_before
    assert 2 <= failed_attempts <= 8, f"{failed_attempts} attempts in 1 s: backoff not applied"
    assert session.state in (SessionState.BACKOFF, SessionState.CONNECTING)
    with pytest.raises(PlatformUnavailable):
        session.submit_market("NQH25", BuySell.BUY, 1)

    processes.append(_spawn_simulator(port))
    report: Reconciliation = recorder.wait_for("reconciled", lambda r: r.logon_count == 2, timeout=WAIT)
    assert report.complete and report.positions == ()  # a new simulator process starts flat
    assert session.wait_for_state(lambda s: s is SessionState.LOGGED_ON, WAIT)
