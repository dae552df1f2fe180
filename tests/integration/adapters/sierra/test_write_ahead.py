"""The Sierra driver restarted with the runner's write-ahead store: a leg sent before the adapter died, whose answer
was never read, is bound from Sierra's fill history (which carries no ClientOrderID), left in doubt when the
history cannot tell, and rejected only when Sierra provably never had it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.inflight import InFlightStore
from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.simulator import DtcSimulator
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import Order

from .conftest import ES, NQ, WAIT, Recorder, fast_settings, limit, order, wait_reconciled

pytestmark = pytest.mark.integration

MakeDriver = Callable[..., tuple[SierraDriver, Recorder]]
Restart = Callable[[InFlightStore], tuple[SierraDriver, Recorder]]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[InFlightStore]:
    s = InFlightStore(tmp_path / "sierra" / "inflight.sqlite")
    yield s
    s.close()


@pytest.fixture
def restart(sim: DtcSimulator) -> Iterator[Restart]:
    """A new driver process: resumed from the store, then started (as ``AdapterRunner`` does)."""
    drivers: list[SierraDriver] = []

    def make(from_store: InFlightStore) -> tuple[SierraDriver, Recorder]:
        recorder = Recorder()
        driver = SierraDriver("sierra", fast_settings(sim.port, "binary"))
        drivers.append(driver)
        driver.resume(from_store.all_legs())
        driver.start(recorder)
        return driver, recorder

    yield make
    for driver in drivers:
        driver.stop()


def send_unanswered(sim: DtcSimulator, make_driver: MakeDriver, store: InFlightStore, *legs: Order) -> None:
    """An adapter writes ``legs`` ahead and sends them; Sierra fills them, but the adapter dies unanswered."""
    first, recorder = make_driver(sim.port)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    wait_reconciled(first, 1)
    sim.silent = True  # Sierra gets and fills the orders; the answers never reach the adapter
    for leg in legs:
        assert store.record(leg)
        first.submit(leg)
    deadline = time.monotonic() + WAIT
    while len(sim.exchange.export_state()["fills"]) < len(legs) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(sim.exchange.export_state()["fills"]) >= len(legs)
    first.stop()
    sim.silent = False
    assert recorder.of("order_update") == [] and recorder.of("fill") == []


def test_a_leg_sent_before_the_adapter_died_is_bound_from_the_history_and_its_fill_reported(
    sim: DtcSimulator, make_driver: MakeDriver, store: InFlightStore, restart: Restart
) -> None:
    send_unanswered(sim, make_driver, store, order("o-wal.sierra", 1))
    (placed,) = sim.exchange.export_state()["orders"]

    driver, recorder = restart(store)
    wait_reconciled(driver, 1)
    sid = recorder.status("o-wal.sierra", OrderStatus.ACCEPTED)[3]
    assert sid == placed["server_order_id"]
    leg = recorder.wait_filled("o-wal.sierra", 1)
    assert leg.status is OrderStatus.FILLED
    assert recorder.of("order_update", lambda a: a[1] is OrderStatus.REJECTED) == []
    report = driver.report()
    assert report is not None and not [o for o in report.open_orders if o.in_doubt]
    assert {e.leg_id for e in report.executions} == {"o-wal.sierra"}


def test_two_legs_that_could_each_be_either_sierra_order_stay_in_doubt_and_are_never_guessed(
    sim: DtcSimulator,
    make_driver: MakeDriver,
    store: InFlightStore,
    restart: Restart,
    caplog: pytest.LogCaptureFixture,
) -> None:
    send_unanswered(sim, make_driver, store, order("o-twin1.sierra", 1), order("o-twin2.sierra", 1))

    with caplog.at_level(logging.ERROR, logger="nexus_gw.adapters.sierra.driver"):
        driver, recorder = restart(store)
        wait_reconciled(driver, 1)
    assert recorder.of("order_update") == [] and recorder.of("fill") == []  # neither bound, nor rejected
    report = driver.report()
    assert report is not None
    doubtful = {o.leg_id for o in report.open_orders if o.in_doubt and o.status is OrderStatus.SENT}
    assert doubtful == {"o-twin1.sierra", "o-twin2.sierra"}
    for leg in doubtful:
        assert any(leg in r.getMessage() and "settle the leg by hand" in r.getMessage() for r in caplog.records)


def test_a_leg_written_ahead_that_never_reached_sierra_is_rejected_after_the_complete_reconciliation(
    sim: DtcSimulator, store: InFlightStore, restart: Restart
) -> None:
    assert store.record(order("o-unsent.sierra", 1, symbol=ES))  # the adapter died before the send
    driver, recorder = restart(store)
    wait_reconciled(driver, 1)
    _leg, _status, reason, _sid = recorder.status("o-unsent.sierra", OrderStatus.REJECTED)
    assert "it never reached Sierra" in reason
    assert sim.exchange.export_state()["orders"] == []


def test_a_bound_leg_maps_its_history_fills_after_a_restart_without_an_order_map_file(
    sim: DtcSimulator, make_driver: MakeDriver, store: InFlightStore, restart: Restart
) -> None:
    first, recorder = make_driver(sim.port)
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    bid, _ask = sim.exchange.bid_ask(NQ)
    leg = limit("o-bound.sierra", bid - 300)
    assert store.record(leg)
    first.submit(leg)
    sid = recorder.status("o-bound.sierra", OrderStatus.ACCEPTED)[3]
    assert store.bind("o-bound.sierra", sid)  # what the runner does with the ACCEPTED update
    first.stop()

    sim.set_price(NQ, bid - 320)  # fills while no adapter is connected
    deadline = time.monotonic() + WAIT
    while sim.exchange.is_working(sid) and time.monotonic() < deadline:
        time.sleep(0.02)

    second, after = restart(store)
    wait_reconciled(second, 1)
    assert after.wait_filled("o-bound.sierra", 1).status is OrderStatus.FILLED
