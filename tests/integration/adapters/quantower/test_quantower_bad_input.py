"""Bad input between the Quantower driver and the plug-in: garbage and truncated frames, an instrument Quantower
does not know or a symbol in another connection's spelling, and a plug-in that disconnects mid-order. Each gives a
clear log line; the leg is rejected or reconciled; a fill is counted once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.bridge.codec import encode
from nexus_gw.adapters.nt8.harness import HarnessProcess
from nexus_gw.adapters.quantower.driver import QuantowerDriver
from nexus_gw.adapters.quantower.simulator import SimulatedQuantower
from nexus_gw.protocol.constants import OrderStatus, Side
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import Running
from .conftest import ACCOUNT, NQ
from .test_quantower_contract import settings


def order(leg: str, symbol: str = NQ, qty: float = 2) -> Order:
    return Order(leg_id=leg, order_id=leg.split(".")[0], symbol=symbol, side=Side.BUY, qty=qty)


@pytest.fixture
def running(simulator: SimulatedQuantower) -> Iterator[Running]:
    run = Running(QuantowerDriver("quantower", settings(simulator.port)))
    run.driver.start(run.events)
    run.wait(lambda: run.events.states == [True], "connected")
    run.driver.subscribe([Subscription(root="NQ", symbol=NQ, tick_size=0.25)])
    yield run
    run.driver.stop()


def fill_ids(run: Running, leg: str) -> list[str]:
    return [f[1] for f in run.events.fills if f[0] == leg]


def test_garbage_frames_are_logged_and_skipped_and_trading_goes_on(
    running: Running, simulator: SimulatedQuantower, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    bad_json = b'{"type": tick'
    simulator.send_raw(len(bad_json).to_bytes(4, "big") + bad_json)
    simulator.send_raw(encode({"type": "weather"}))
    simulator.send_raw(encode({"type": "execution", "leg": "x.quantower", "qty": 1}))  # no exec_id, price…
    running.wait(lambda: caplog.text.count("bridge frame skipped") >= 3, "three skipped frames logged")
    assert "not UTF-8 JSON" in caplog.text and "unknown frame type 'weather'" in caplog.text
    assert "has no 'exec_id' field" in caplog.text
    running.driver.submit(order("g1.quantower"))
    running.wait(lambda: running.events.filled("g1.quantower") == 2, "g1 filled")
    assert running.events.states == [True] and running.events.fills_of("x.quantower") == []


def test_a_frame_truncated_by_a_disconnect_is_logged_and_the_driver_reconnects(
    running: Running, simulator: SimulatedQuantower, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    simulator.send_raw(b'\x00\x00\x00\x64{"type')
    simulator.drop()
    running.wait(lambda: running.events.states == [True, False, True], "the reconnect")
    assert "closed the connection in the middle of a frame" in caplog.text
    running.driver.submit(order("t1.quantower"))
    running.wait(lambda: running.events.filled("t1.quantower") == 2, "t1 filled after the reconnect")


def test_an_instrument_quantower_does_not_know_is_rejected_with_quantowers_reason(
    running: Running, simulator: SimulatedQuantower, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    running.driver.submit(order("u1.quantower", symbol="ZZZZ6"))
    running.wait(lambda: OrderStatus.REJECTED in running.events.statuses("u1.quantower"), "u1 rejected")
    assert "'ZZZZ6' is not known to the connection" in running.events.reason("u1.quantower", OrderStatus.REJECTED)
    assert "u1.quantower: Quantower rejected it" in caplog.text and simulator.placed == {"u1.quantower": 1}


def test_a_symbol_in_another_connections_spelling_is_rejected_before_it_reaches_quantower(
    running: Running, simulator: SimulatedQuantower, caplog: pytest.LogCaptureFixture
) -> None:
    for leg, symbol in (("s1.quantower", "NQZ26"), ("s2.quantower", "NQ 12-26"), ("s3.quantower", "ENQZ26")):
        running.driver.submit(order(leg, symbol=symbol))
        assert running.events.statuses(leg) == [OrderStatus.REJECTED]
        reason = running.events.reason(leg, OrderStatus.REJECTED)
        assert f"{symbol!r} is not spelled as Quantower's rithmic connection" in reason
        assert f"leg {leg} rejected, not sent" in caplog.text
    assert simulator.placed == {}


def test_a_disconnect_mid_order_is_reconciled_from_the_report_and_each_trade_counts_once(
    running: Running, simulator: SimulatedQuantower
) -> None:
    simulator.hold()
    running.driver.submit(order("m1.quantower", qty=4))
    running.wait(lambda: OrderStatus.ACCEPTED in running.events.statuses("m1.quantower"), "m1 working")
    simulator.drop()
    running.wait(lambda: running.events.states[-1] is False, "the drop seen")
    simulator.release()  # Quantower fills it around the reconnect: by report or live, each trade once
    running.wait(lambda: running.events.states == [True, False, True], "the reconnect")
    running.wait(lambda: running.events.filled("m1.quantower") == 4, "m1 reconciled as filled")
    for _ in range(3):  # reports after more reconnects list the same trades again: never counted twice
        ups = running.events.states.count(True)
        simulator.drop()
        running.wait(lambda ups=ups: running.events.states.count(True) > ups, "the reconnect")
        running.wait(running.driver.report, "the report of the new connection")
    ids = fill_ids(running, "m1.quantower")
    assert len(ids) == len(set(ids)) and sum(f[2] for f in running.events.fills if f[0] == "m1.quantower") == 4
    assert simulator.placed == {"m1.quantower": 1}


def test_a_leg_quantower_never_received_before_the_disconnect_is_rejected_and_never_resent(
    running: Running, simulator: SimulatedQuantower, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(simulator, "_place", lambda frame: simulator.drop())  # the plug-in dies on reading it
    leg = order("d1.quantower")
    running.driver.submit(leg)
    running.wait(lambda: running.events.states[-1] is False, "the drop seen")
    running.wait(lambda: OrderStatus.REJECTED in running.events.statuses("d1.quantower"), "the leg settled")
    assert "Quantower never received the order" in running.events.reason("d1.quantower", OrderStatus.REJECTED)
    assert "d1.quantower is still not among Quantower's orders" in caplog.text
    monkeypatch.undo()
    running.driver.submit(leg)  # the same leg again: ignored, never placed
    assert simulator.placed == {} and "was sent to Quantower already" in caplog.text


@pytest.mark.parametrize("command", ["raw-badjson", "raw-unknown", "raw-truncated", "raw-oversized"])
def test_the_compiled_transport_misbehaving_costs_no_fill_and_no_duplicate(
    harness_exe: Path, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    plugin = HarnessProcess(harness_exe, ["--port", "0", "--account", ACCOUNT, "--instruments", "NQZ6=21000"])
    run = Running(QuantowerDriver("quantower", settings(plugin.port)))
    try:
        run.driver.start(run.events)
        run.wait(lambda: run.events.states == [True], "connected")
        plugin.command("hold")
        run.driver.submit(order("c1.quantower"))
        run.wait(lambda: OrderStatus.ACCEPTED in run.events.statuses("c1.quantower"), "c1 working")
        plugin.command(command)
        plugin.command("release")
        run.wait(lambda: run.events.filled("c1.quantower") == 2, "c1 filled")
        run.wait(run.driver.report, "a report of the current connection")
        ids = fill_ids(run, "c1.quantower")
        assert len(ids) == len(set(ids)) and plugin.placed("c1.quantower") == 1
        assert "bridge frame skipped" in caplog.text or "bridge connection to" in caplog.text
    finally:
        run.driver.stop()
        plugin.stop()
