"""The bridge driver against the compiled C# harness: a plug-in that stops answering mid-order, bad frames in
both directions, a plug-in of another protocol version. Fills are counted once and orders placed once."""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.bridge import codec
from nexus_gw.adapters.nt8.driver import build
from nexus_gw.adapters.nt8.harness import HarnessProcess
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import Running
from .test_bridge_contract import NQ, bridge_settings


@pytest.fixture
def running(plugin: HarnessProcess) -> Iterator[Running]:
    run = Running(build("nt8", bridge_settings(plugin.port)))
    run.driver.start(run.events)
    run.wait(lambda: run.events.states and run.events.states[-1], "connected")
    run.driver.subscribe([Subscription(root="NQ", symbol=NQ, tick_size=0.25)])
    yield run
    run.driver.stop()


def order(leg: str, qty: float = 2.0, **kw: object) -> Order:
    return Order(leg_id=leg, order_id=leg.split(".")[0], symbol=NQ, side=Side.BUY, qty=qty, **kw)  # type: ignore[arg-type]


def ticks_after(run: Running, count: int) -> None:
    run.wait(lambda: len(run.events.ticks) > count, "ticks to flow again")


def test_a_plugin_silent_mid_order_is_dropped_and_its_fills_come_back_once(
    plugin: HarnessProcess, running: Running
) -> None:
    plugin.command("hold")
    running.driver.submit(order("m1.nt8"))
    running.wait(lambda: OrderStatus.ACCEPTED in running.events.statuses("m1.nt8"), "accepted")
    plugin.command("mute")  # the AddOn stops answering: its frames are lost from here on
    plugin.command("release")  # ...while the order fills in full at NinjaTrader
    running.wait(lambda: False in running.events.states, "the silent plug-in taken for dead", 15)
    plugin.command("unmute")
    running.wait(lambda: running.events.states[-1] is True, "the reconnect", 15)
    running.wait(lambda: running.events.filled("m1.nt8") >= 2.0, "the fills made while the bridge was down")
    report = running.wait(running.driver.report, "a report")
    raw = [f for f in running.events.fills if f[0] == "m1.nt8"]
    assert len(raw) == len({f[1] for f in raw}) == 2, raw  # every execution reported exactly once
    assert sum(f.qty for f in report.executions if f.leg_id == "m1.nt8") == 2.0
    assert report.positions[NQ] == 2.0
    assert plugin.placed("m1.nt8") == 1


def test_a_drop_mid_order_then_a_repeat_never_places_twice(plugin: HarnessProcess, running: Running) -> None:
    plugin.command("hold")
    leg = order("m2.nt8", order_type=OrderType.LIMIT, limit_price=1000.0)
    running.driver.submit(leg)
    running.wait(lambda: OrderStatus.ACCEPTED in running.events.statuses("m2.nt8"), "accepted")
    connects = running.events.states.count(True)
    plugin.command("drop")
    running.wait(lambda: running.events.states.count(True) > connects, "the reconnect")
    report = running.wait(running.driver.report, "a report after the reconnect")
    assert "m2.nt8" in {o.leg_id for o in report.open_orders}
    running.driver.submit(leg)
    running.driver.cancel("m2.nt8")
    running.wait(lambda: OrderStatus.CANCELLED in running.events.statuses("m2.nt8"), "the cancel")
    assert plugin.placed("m2.nt8") == 1


@pytest.mark.parametrize("command", ["raw-unknown", "raw-badjson"])
def test_one_bad_frame_from_the_plugin_is_skipped_and_the_bridge_stays_up(
    plugin: HarnessProcess, running: Running, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    running.wait(lambda: running.events.ticks, "ticks")
    plugin.command(command)
    ticks_after(running, len(running.events.ticks) + 3)
    assert running.events.states == [True], "the bridge stayed up"
    assert "bridge frame skipped" in caplog.text
    running.driver.submit(order("b1.nt8"))
    running.wait(lambda: running.events.filled("b1.nt8") >= 2.0, "an order still fills")


@pytest.mark.parametrize("command", ["raw-oversized", "raw-truncated"])
def test_an_oversized_or_truncated_frame_drops_the_connection_which_comes_back(
    plugin: HarnessProcess, running: Running, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    plugin.command(command)
    running.wait(lambda: running.events.states.count(True) >= 2, "the reconnect")
    assert running.events.states[:3] == [True, False, True]
    assert ("exceeds the limit" if command == "raw-oversized" else "in the middle of a frame") in caplog.text
    running.driver.submit(order("b2.nt8"))
    running.wait(lambda: running.events.filled("b2.nt8") >= 2.0, "an order fills after the reconnect")


def test_a_plugin_of_another_protocol_version_is_refused_and_orders_are_rejected(
    harness_exe: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    other = HarnessProcess(harness_exe, ["--port", "0", "--version", "2"])
    run = Running(build("nt8", bridge_settings(other.port)))
    try:
        run.driver.start(run.events)
        run.wait(lambda: "protocol version" in caplog.text, "the refusal logged")
        run.driver.submit(order("v1.nt8"))
        assert run.events.statuses("v1.nt8") == [OrderStatus.REJECTED]
        assert "bridge is down" in run.events.reason("v1.nt8", OrderStatus.REJECTED)
        assert run.events.states == [] and run.driver.report() is None
        assert other.placed("v1.nt8") == 0
    finally:
        run.driver.stop()
        other.stop()


def raw_frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def read_frame(sock: socket.socket) -> dict[str, object]:
    reader = codec.FrameReader()
    while True:
        data = sock.recv(65536)
        assert data, "the plug-in closed the connection"
        payloads = reader.feed(data)
        if payloads:
            return codec.decode_payload(payloads[0])


def test_the_plugin_answers_bad_adapter_frames_with_an_error_and_stays_up(plugin: HarnessProcess) -> None:
    with socket.create_connection(("127.0.0.1", plugin.port), timeout=5) as sock:
        sock.sendall(codec.encode({"type": "hello", "version": 1, "account": "Sim101"}))
        assert read_frame(sock)["type"] == "hello"
        sock.sendall(codec.encode({"type": "teleport"}))
        assert "unknown frame type 'teleport'" in str(read_frame(sock)["reason"])
        sock.sendall(raw_frame(b"{not json"))
        assert "bad frame skipped" in str(read_frame(sock)["reason"])
        sock.sendall(codec.encode({"type": "place", "leg": "x.nt8"}))  # fields missing
        assert "bad place frame skipped" in str(read_frame(sock)["reason"])
        sock.sendall(codec.encode({"type": "report_request", "id": "q"}))
        while (frame := read_frame(sock))["type"] != "report":
            pass
        assert frame["id"] == "q"
    assert plugin.placed("x.nt8") == 0


def test_the_plugin_refuses_an_unknown_account(plugin: HarnessProcess) -> None:
    with socket.create_connection(("127.0.0.1", plugin.port), timeout=5) as sock:
        sock.sendall(codec.encode({"type": "hello", "version": 1, "account": "Live999"}))
        frame = read_frame(sock)
        assert frame["type"] == "error" and "Live999" in str(frame["reason"])
