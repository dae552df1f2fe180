"""The Sierra driver across failures: logon rejection, disconnected orders, simulator killed mid-order and restarted
with its state file, adapter restarts, and orders whose acknowledgement was lost."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.simulator import DtcSimulator
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.stack import free_port

from .conftest import NQ, WAIT, Recorder, SimulatorProcess, limit, order, wait_reconciled

pytestmark = pytest.mark.integration

MakeDriver = Callable[..., tuple[SierraDriver, Recorder]]
MakeSimulator = Callable[..., DtcSimulator]


def test_logon_rejection_reports_sierras_text_and_does_not_hang(
    make_simulator: MakeSimulator, make_driver: MakeDriver, encoding: str
) -> None:
    sim = make_simulator(logon_reject_text="Account disabled by risk desk")
    driver, recorder = make_driver(sim.port, encoding)
    connected, reason = recorder.wait_for("platform_state")
    assert connected is False and "Sierra refused the logon: Account disabled by risk desk" in reason
    assert "NEXUSGW_SIERRA_PASSWORD" in reason
    driver.submit(order("o-rej.sierra"))
    _leg, _status, why, _sid = recorder.status("o-rej.sierra", OrderStatus.REJECTED)
    assert why.startswith("not sent to Sierra:") and "not logged on" in why
    started = time.monotonic()
    driver.stop()
    assert time.monotonic() - started < 1.0
    assert sim.connections_accepted == 1  # no retry loop against a server that said no


def test_the_password_comes_from_the_environment(
    make_simulator: MakeSimulator, make_driver: MakeDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = make_simulator(username="trader", password="s3cret")
    monkeypatch.setenv("TEST_SIERRA_PW", "s3cret")
    _driver, recorder = make_driver(sim.port, username="trader", password_env="TEST_SIERRA_PW")
    assert recorder.wait_for("platform_state")[0] is True

    monkeypatch.delenv("TEST_SIERRA_PW")
    _driver, refused = make_driver(sim.port, username="trader", password_env="TEST_SIERRA_PW")
    connected, reason = refused.wait_for("platform_state")
    assert connected is False and "Invalid username or password" in reason and "$TEST_SIERRA_PW" in reason


def test_an_order_while_sierra_is_unreachable_is_rejected_at_once(make_driver: MakeDriver) -> None:
    driver, recorder = make_driver(free_port())
    assert driver.session.wait_for_state(
        lambda _s: driver.session.connect_attempts >= 1 and bool(driver.session.last_error), WAIT
    )
    driver.submit(order("o-down.sierra"))
    _leg, _status, reason, _sid = recorder.status("o-down.sierra", OrderStatus.REJECTED, timeout=1.0)
    assert "not sent to Sierra" in reason and "not logged on" in reason and "cannot connect" in reason


def test_simulator_killed_after_accepting_and_restarted_fills_the_order_once(
    sim_process: Callable[..., SimulatorProcess], make_driver: MakeDriver, encoding: str
) -> None:
    sim = sim_process(encoding, "--fill-latency", "1.0", "--partial-fills", "1")
    driver, recorder = make_driver(sim.port, encoding)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    wait_reconciled(driver, 1)
    driver.submit(order("o-kill1.sierra", 1))
    sid = recorder.status("o-kill1.sierra", OrderStatus.ACCEPTED)[3]

    sim.kill()  # accepted, fill still pending
    assert recorder.wait_for("platform_state", lambda a: a[0] is False)[1].startswith("connection to Sierra lost")
    assert recorder.fills("o-kill1.sierra") == []
    sim.start()  # same port, same state file
    recorder.wait_for("platform_state", lambda a: a[0] is True, count=2)
    wait_reconciled(driver, 2)
    leg = recorder.wait_filled("o-kill1.sierra", 1, timeout=WAIT)
    time.sleep(0.3)
    leg, repeats = recorder.counted("o-kill1.sierra", 1)
    assert leg.filled_qty == 1 and leg.status is OrderStatus.FILLED and repeats == 0
    assert {a[3] for a in recorder.of("order_update", lambda a: a[0] == "o-kill1.sierra")} == {sid}


def test_simulator_killed_after_a_fill_re_reports_it_with_the_same_fill_id_and_it_counts_once(
    sim_process: Callable[..., SimulatorProcess], make_driver: MakeDriver, encoding: str
) -> None:
    sim = sim_process(encoding, "--fill-latency", "0.05", "--fill-interval", "3", "--partial-fills", "2")
    driver, recorder = make_driver(sim.port, encoding)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    wait_reconciled(driver, 1)
    driver.submit(order("o-kill2.sierra", 2))
    first = recorder.wait_for("fill", lambda a: a[0] == "o-kill2.sierra")
    fill_id = first[1]

    sim.kill()  # one slice filled, the second still pending
    recorder.wait_for("platform_state", lambda a: a[0] is False)
    sim.start()
    wait_reconciled(driver, 2)
    assert len(recorder.of("fill", lambda a: a[1] == fill_id)) == 2  # re-reported after the reconnect
    leg = recorder.wait_filled("o-kill2.sierra", 2)
    time.sleep(0.3)
    leg, repeats = recorder.counted("o-kill2.sierra", 2)
    assert leg.filled_qty == 2 and leg.status is OrderStatus.FILLED
    assert repeats >= 1 and set(leg.executions) == {f[1] for f in recorder.fills("o-kill2.sierra")}
    assert len(leg.executions) == 2


def test_a_fill_made_while_the_adapter_was_down_reaches_its_leg_through_the_order_map(
    sim: DtcSimulator, make_driver: MakeDriver, tmp_path: Path
) -> None:
    order_map = tmp_path / "sierra-orders.jsonl"
    first, recorder = make_driver(sim.port, order_map_file=order_map)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    bid, _ask = sim.exchange.bid_ask(NQ)
    first.submit(limit("o-away.sierra", bid - 300))
    sid = recorder.status("o-away.sierra", OrderStatus.ACCEPTED)[3]
    first.stop()
    assert order_map.read_text().count(sid) == 1

    sim.set_price(NQ, bid - 320)  # fills while no adapter is connected
    deadline = time.monotonic() + WAIT
    while sim.exchange.is_working(sid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not sim.exchange.is_working(sid)

    second, after = make_driver(sim.port, order_map_file=order_map)
    wait_reconciled(second, 1)
    leg = after.wait_filled("o-away.sierra", 1)
    assert leg.status is OrderStatus.FILLED


def test_an_open_order_is_known_again_after_an_adapter_restart_without_local_state(
    sim: DtcSimulator, make_driver: MakeDriver
) -> None:
    first, recorder = make_driver(sim.port)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    bid, _ask = sim.exchange.bid_ask(NQ)
    first.submit(limit("o-open.sierra", bid - 300))
    sid = recorder.status("o-open.sierra", OrderStatus.ACCEPTED)[3]
    first.stop()

    second, after = make_driver(sim.port)
    assert after.status("o-open.sierra", OrderStatus.ACCEPTED)[3] == sid  # restated from the open orders
    second.cancel("o-open.sierra")
    assert after.status("o-open.sierra", OrderStatus.CANCELLED)[3] == sid


def test_an_order_sierra_never_acknowledged_is_rejected_only_when_provably_absent(
    sim: DtcSimulator, make_driver: MakeDriver
) -> None:
    driver, recorder = make_driver(sim.port)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    wait_reconciled(driver, 1)
    driver.legs.claim("o-lost.sierra")  # as if its bytes were lost with the connection
    driver.legs.expect_ack("o-lost.sierra", NQ, "BUY", driver.session.logon_count)
    sim.drop_clients()
    wait_reconciled(driver, 2)
    _leg, _status, reason, _sid = recorder.status("o-lost.sierra", OrderStatus.REJECTED)
    assert "it never reached Sierra" in reason
    assert driver.legs.unacknowledged() == []


def test_an_unacknowledged_order_that_filled_is_bound_from_sierras_history_and_its_fill_reported(
    sim: DtcSimulator, make_driver: MakeDriver
) -> None:
    driver, recorder = make_driver(sim.port)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    wait_reconciled(driver, 1)
    sim.silent = True  # Sierra gets and fills the order, but its answers are lost
    driver.submit(order("o-silent.sierra", 1))
    deadline = time.monotonic() + WAIT
    while not sim.exchange.export_state()["fills"] and time.monotonic() < deadline:
        time.sleep(0.02)
    (placed,) = sim.exchange.export_state()["orders"]
    sim.drop_clients()
    sim.silent = False
    wait_reconciled(driver, 2)
    # the only Sierra order of that symbol, side and quantity since the send: it is the leg (never REJECTED)
    assert recorder.status("o-silent.sierra", OrderStatus.ACCEPTED)[3] == placed["server_order_id"]
    assert recorder.of("order_update", lambda a: a[1] is OrderStatus.REJECTED) == []
    assert recorder.wait_filled("o-silent.sierra", 1).status is OrderStatus.FILLED
    assert driver.legs.unacknowledged() == []
