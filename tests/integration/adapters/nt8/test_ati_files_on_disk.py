"""ATI mode against the simulated NinjaTrader: files never consumed, rejected, withdrawn; account-wide commands;
half-written state files; legs resumed after a restart; missing folders."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.adapters.nt8.ati_driver import NT8AtiDriver
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import Order

from ..contract import Running
from .test_ati_contract import NQ, AtiHarness, ati_settings


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[AtiHarness]:
    harness = AtiHarness(tmp_path / "NinjaTrader 8")
    yield harness
    harness.close()


def start(harness: AtiHarness, resume: list[InFlightLeg] | None = None, **kw: object) -> Running:
    driver = NT8AtiDriver("nt8", ati_settings(harness.root, **kw))
    if resume:
        driver.resume(resume)
    run = Running(driver)
    driver.start(run.events)
    return run


def buy(leg: str, qty: float = 2.0, **kw: object) -> Order:
    return Order(leg_id=leg, order_id=leg.split(".")[0], symbol=NQ, side=Side.BUY, qty=qty, **kw)  # type: ignore[arg-type]


def test_a_file_ninjatrader_never_takes_is_withdrawn_and_the_leg_rejected_never_placed(
    harness: AtiHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    harness.sim.paused = True  # ATI disabled: nothing reads incoming/
    run = start(harness)
    run.driver.submit(buy("n1.nt8"))
    run.wait(lambda: OrderStatus.REJECTED in run.events.statuses("n1.nt8"), "the leg rejected", 10)
    assert "did not take the order file" in run.events.reason("n1.nt8", OrderStatus.REJECTED)
    assert "is the ATI enabled" in caplog.text
    assert list((harness.root / "incoming").glob("oif*.txt")) == []
    harness.sim.paused = False
    run.driver.submit(buy("n1.nt8"))  # a repeat is not written either
    time.sleep(0.3)  # the simulator would have consumed a file by now; nothing may be placed
    assert harness.sim.placed("n1.nt8") == 0
    assert run.wait(run.driver.report, "a report").open_orders == []


def test_a_rejected_order_is_reported_once_without_fills(harness: AtiHarness) -> None:
    run = start(harness)
    run.driver.submit(buy("r1.nt8", qty=1.0, order_type=OrderType.LIMIT, limit_price=1.0))
    run.driver.submit(Order(leg_id="r2.nt8", order_id="r2", symbol="ZZ 12-26", side=Side.SELL, qty=1))
    run.wait(lambda: OrderStatus.REJECTED in run.events.statuses("r2.nt8"), "the reject")
    run.wait(lambda: OrderStatus.ACCEPTED in run.events.statuses("r1.nt8"), "r1 working")
    for _ in range(5):
        run.driver.poll(time.monotonic())
    assert run.events.statuses("r2.nt8") == [OrderStatus.REJECTED] and run.events.fills_of("r2.nt8") == []
    assert (harness.root / "outgoing" / "r2.nt8.txt").read_text() == "REJECTED;0;0"


def test_a_fractional_quantity_is_rejected_before_any_file_is_written(harness: AtiHarness) -> None:
    run = start(harness)
    run.driver.submit(buy("f1.nt8", qty=1.5))
    assert run.events.statuses("f1.nt8") == [OrderStatus.REJECTED]
    assert "whole contracts" in run.events.reason("f1.nt8", OrderStatus.REJECTED)
    assert harness.sim.placed("f1.nt8") == 0


def test_cancelling_a_leg_whose_file_is_unread_withdraws_it(harness: AtiHarness) -> None:
    harness.sim.paused = True
    run = start(harness)
    run.driver.submit(buy("w1.nt8"))
    run.driver.cancel("w1.nt8")
    assert run.events.statuses("w1.nt8") == [OrderStatus.CANCELLED]
    harness.sim.paused = False
    time.sleep(0.2)
    assert harness.sim.placed("w1.nt8") == 0


def test_account_wide_commands_reach_ninjatrader_in_its_format(harness: AtiHarness) -> None:
    run = start(harness)
    driver = run.driver
    assert isinstance(driver, NT8AtiDriver)
    driver.submit(buy("a1.nt8", order_type=OrderType.LIMIT, limit_price=1.0))
    driver.submit(buy("a2.nt8"))
    run.wait(lambda: run.events.filled("a2.nt8") == 2.0, "a2 filled")
    driver.cancel_all_orders()
    run.wait(lambda: OrderStatus.CANCELLED in run.events.statuses("a1.nt8"), "a1 cancelled by CANCELALLORDERS")
    driver.close_position(NQ)
    run.wait(lambda: run.wait(driver.report, "a report").positions.get(NQ) == 0.0, "flat after CLOSEPOSITION")
    driver.flatten_everything()
    run.wait(lambda: any(line.startswith("FLATTENEVERYTHING") for line in harness.sim.processed), "flatten")
    assert [line for line in harness.sim.processed if not line.startswith("PLACE")] == [
        "CANCELALLORDERS;;;;;;;;;;;;",
        f"CLOSEPOSITION;Sim101;{NQ};;;;;;;;;;",
        "FLATTENEVERYTHING;;;;;;;;;;;;",
    ]
    assert harness.sim.errors == []


def test_half_written_or_foreign_outgoing_files_are_skipped(harness: AtiHarness) -> None:
    outgoing = harness.root / "outgoing"
    (outgoing / "h1.nt8.txt").write_text("")  # NinjaTrader is rewriting it
    (outgoing / "h2.nt8.txt").write_text("WORKING;0")  # cut short
    (outgoing / "x9.other.txt").write_text("WORKING;0;0")  # another instance's order
    run = start(harness)
    for _ in range(5):
        run.driver.poll(time.monotonic())
    assert run.events.updates == [] and run.events.fills == []
    (outgoing / "h1.nt8.txt").write_text("PARTFILLED;1;21000.5")
    run.wait(lambda: run.events.fills, "the file once complete")
    assert run.events.fills == [("h1.nt8", "h1.nt8/1", 1.0, 21000.5)]
    assert [o.leg_id for o in run.wait(run.driver.report, "a report").open_orders] == ["h1.nt8"]


def test_a_resumed_leg_reports_only_the_fills_made_after_the_restart(harness: AtiHarness) -> None:
    outgoing = harness.root / "outgoing"
    (outgoing / "p1.nt8.txt").write_text("PARTFILLED;1;21000")
    record = InFlightLeg("p1.nt8", NQ, "BUY", 2.0, "MARKET", None, None, time.time_ns(), "p1.nt8", 1.0)
    run = start(harness, resume=[record])
    run.wait(lambda: True, "a poll")
    assert run.events.fills == []
    (outgoing / "p1.nt8.txt").write_text("FILLED;2;21001")
    run.wait(lambda: run.events.fills, "the second fill")
    assert run.events.fills == [("p1.nt8", "p1.nt8/2", 1.0, 21002.0)]


def test_a_file_taken_but_never_answered_leaves_the_leg_in_doubt(harness: AtiHarness) -> None:
    harness.sim.stop()  # a NinjaTrader that eats files without placing them
    run = start(harness)
    run.driver.submit(buy("q1.nt8"))
    for path in (harness.root / "incoming").glob("oif*.txt"):
        path.unlink()
    run.wait(lambda: run.driver.report().open_orders[0].in_doubt, "the leg in doubt", 10)  # type: ignore[union-attr]
    assert run.events.statuses("q1.nt8") == []


def test_missing_folders_mean_down_and_orders_are_rejected(tmp_path: Path) -> None:
    driver = NT8AtiDriver("nt8", ati_settings(tmp_path / "nowhere"))
    run = Running(driver)
    driver.start(run.events)
    assert run.events.states == [False] and driver.report() is None
    driver.submit(buy("z1.nt8"))
    assert "folders are missing" in run.events.reason("z1.nt8", OrderStatus.REJECTED)


def test_a_resumed_leg_whose_file_is_still_unread_is_withdrawn_after_the_timeout(harness: AtiHarness) -> None:
    harness.sim.paused = True
    first = start(harness)
    first.driver.submit(buy("u1.nt8"))
    first.driver.stop()  # the adapter dies before NinjaTrader took the file
    record = InFlightLeg("u1.nt8", NQ, "BUY", 2.0, "MARKET", None, None, time.time_ns())
    run = start(harness, resume=[record])
    assert run.driver.report().open_orders[0].in_doubt is False  # type: ignore[union-attr]  # its file is known
    run.wait(lambda: OrderStatus.REJECTED in run.events.statuses("u1.nt8"), "the withdrawn file's leg rejected")
    harness.sim.paused = False
    time.sleep(0.2)
    assert harness.sim.placed("u1.nt8") == 0


def test_a_resumed_leg_with_neither_a_file_nor_a_state_is_in_doubt(harness: AtiHarness) -> None:
    record = InFlightLeg("g1.nt8", NQ, "BUY", 2.0, "MARKET", None, None, time.time_ns())
    run = start(harness, resume=[record])
    (order,) = run.driver.report().open_orders  # type: ignore[union-attr]
    assert (order.leg_id, order.in_doubt) == ("g1.nt8", True)


def test_the_simulator_keeps_a_json_view_of_its_orders(tmp_path: Path) -> None:
    state = tmp_path / "nt8-state.json"
    harness = AtiHarness(tmp_path / "NT", state_file=state, fill_interval_s=0.02)
    try:
        run = start(harness)
        run.driver.submit(buy("s1.nt8", order_type=OrderType.LIMIT, limit_price=1.0))
        run.driver.submit(buy("s2.nt8"))
        run.wait(lambda: run.events.filled("s2.nt8") == 2.0, "s2 filled")
        run.wait(lambda: state.is_file() and json.loads(state.read_text())["orders"]["s2.nt8"]["state"] == "FILLED",
                 "the state file")  # fmt: skip
        view = json.loads(state.read_text())
        assert view["working"] == ["s1.nt8"] and len(view["placed"]) == 2
    finally:
        harness.close()


def test_a_ninjatrader_restart_clears_outgoing_and_working_legs_keep_their_last_known_state(
    harness: AtiHarness,
) -> None:
    run = start(harness)
    run.driver.submit(buy("k1.nt8", order_type=OrderType.LIMIT, limit_price=1.0))
    run.wait(lambda: OrderStatus.ACCEPTED in run.events.statuses("k1.nt8"), "k1 working")
    harness.sim.restart()
    assert not (harness.root / "outgoing" / "k1.nt8.txt").exists()
    for _ in range(5):
        run.driver.poll(time.monotonic())
    report = run.wait(run.driver.report, "a report")
    assert [o.leg_id for o in report.open_orders] == ["k1.nt8"]  # never taken for gone
