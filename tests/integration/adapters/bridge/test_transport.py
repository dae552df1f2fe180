"""The bridge client against a scripted plug-in in Python on loopback: hellos of another version or none at all,
a place the plug-in swallowed before the connection died (in doubt, then rejected, never resent)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from nexus_gw.adapters.bridge import codec, frames
from nexus_gw.adapters.nt8.bridge_driver import NT8BridgeDriver
from nexus_gw.adapters.nt8.settings import NT8Settings
from nexus_gw.protocol.constants import OrderStatus, Side
from nexus_gw.protocol.messages import Order

from ..contract import Running


class ScriptedPlugin:
    """Accepts adapters one at a time; answers hello (with ``version``, or not at all) and report requests."""

    def __init__(self, version: int | None = frames.VERSION) -> None:
        self.version = version
        self.received: list[dict[str, Any]] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.conn = conn
            reader = codec.FrameReader()
            with contextlib.suppress(OSError):
                while data := conn.recv(65536):
                    for payload in reader.feed(data):
                        self._answer(conn, codec.decode_payload(payload))
            conn.close()

    def _answer(self, conn: socket.socket, frame: dict[str, Any]) -> None:
        self.received.append(frame)
        if frame["type"] == "hello" and self.version is not None:
            conn.sendall(codec.encode({"type": "hello", "version": self.version, "account": frame["account"]}))
        elif frame["type"] == "report_request":
            report = {"type": "report", "id": frame["id"], "orders": [], "executions": [], "positions": []}
            conn.sendall(codec.encode(report))

    def drop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.shutdown(socket.SHUT_RDWR)

    def places(self) -> list[dict[str, Any]]:
        return [f for f in self.received if f["type"] == "place"]

    def close(self) -> None:
        self._stop = True
        self.drop()
        self.server.close()


@pytest.fixture
def scripted(request: pytest.FixtureRequest) -> Iterator[ScriptedPlugin]:
    plugin = ScriptedPlugin(getattr(request, "param", frames.VERSION))
    yield plugin
    plugin.close()


def start(plugin: ScriptedPlugin, **kw: Any) -> Running:
    settings = NT8Settings(
        port=plugin.port, heartbeat_interval_s=0.2, heartbeat_timeout_s=1.0, reconnect_initial_s=0.05,
        reconnect_max_s=0.2, settle_s=0.3, **kw,
    )  # fmt: skip
    run = Running(NT8BridgeDriver("nt8", settings))
    run.driver.start(run.events)
    return run


def test_a_leg_the_plugin_never_answered_is_in_doubt_then_rejected_and_never_resent(scripted: ScriptedPlugin) -> None:
    run = start(scripted)
    try:
        run.wait(lambda: run.events.states == [True], "connected")
        leg = Order(leg_id="d1.nt8", order_id="d1", symbol="NQ 12-26", side=Side.BUY, qty=1)
        run.driver.submit(leg)
        run.wait(lambda: scripted.places(), "the place frame at the plug-in")
        scripted.drop()  # the plug-in dies before answering
        run.wait(lambda: run.events.states == [True, False, True], "the reconnect")
        report = run.wait(run.driver.report, "a report")
        assert [(o.leg_id, o.in_doubt) for o in report.open_orders] == [("d1.nt8", True)]
        run.wait(lambda: OrderStatus.REJECTED in run.events.statuses("d1.nt8"), "the leg settled")
        assert "never received" in run.events.reason("d1.nt8", OrderStatus.REJECTED)
        run.driver.submit(leg)
        assert len(scripted.places()) == 1
        assert run.wait(run.driver.report, "a report").open_orders == []
    finally:
        run.driver.stop()


@pytest.mark.parametrize("scripted", [99], indirect=True)
def test_a_plugin_hello_of_another_version_is_refused_with_a_clear_line(
    scripted: ScriptedPlugin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    run = start(scripted)
    try:
        run.wait(lambda: "protocol version 99, this adapter version 1" in caplog.text, "the refusal")
        assert run.events.states == [] and run.driver.report() is None
    finally:
        run.driver.stop()


@pytest.mark.parametrize("scripted", [None], indirect=True)
def test_a_plugin_that_never_says_hello_is_dropped_after_the_heartbeat_timeout(
    scripted: ScriptedPlugin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    run = start(scripted)
    try:
        run.wait(lambda: "no hello from the plug-in" in caplog.text, "the silent plug-in dropped")
        run.wait(lambda: len([f for f in scripted.received if f["type"] == "hello"]) >= 2, "a new attempt")
        assert run.events.states == []
    finally:
        run.driver.stop()
