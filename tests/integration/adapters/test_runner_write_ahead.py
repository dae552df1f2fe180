"""The adapter runner's write-ahead, against a stand-in gateway (a ROUTER socket on loopback) and a real SQLite
file: an ORDER is acknowledged only once it is on disk, and a restarted adapter never sends a leg id twice."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.inflight import InFlightLeg, default_path
from nexus_gw.adapters.runner import AdapterRunner
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus, Side
from nexus_gw.stack import free_port

pytestmark = pytest.mark.integration

WAIT = 5.0


class RecordingDriver(PlatformDriver):
    kind = "sim"

    def __init__(self) -> None:
        self.events: DriverEvents | None = None
        self.submitted: list[str] = []
        self.resumed: list[InFlightLeg] = []

    def resume(self, in_flight: list[InFlightLeg]) -> None:
        self.resumed = list(in_flight)

    def start(self, events: DriverEvents) -> None:
        self.events = events

    def stop(self) -> None:
        pass

    def subscribe(self, subscriptions: list[m.Subscription]) -> None:
        pass

    def submit(self, order: m.Order) -> None:
        self.submitted.append(order.leg_id)

    def cancel(self, leg_id: str) -> None:
        pass


class Gateway:
    """A ROUTER that welcomes the adapter, sends ORDERs and collects what comes back."""

    def __init__(self, ctx: zmq.Context[zmq.Socket[bytes]]) -> None:
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.socket = ctx.socket(zmq.ROUTER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.bind(self.endpoint)
        self.decoder = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
        self.peer = b""

    def receive(self, want: MsgType, predicate: object = None, timeout: float = WAIT) -> m.Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.socket.poll(50):
                continue
            identity, header, payload = self.socket.recv_multipart()
            msg_type, msg = self.decoder.decode(header, payload)
            if msg_type is MsgType.HELLO:
                self.peer = identity
                welcome = m.Welcome(gateway="test", version="0", profile="test", heartbeat_interval_s=0.2)
                self.socket.send_multipart([identity, *codec.encode(MsgType.WELCOME, welcome)])
            if msg_type is want and (predicate is None or predicate(msg)):  # type: ignore[operator]
                return msg
        raise AssertionError(f"no {want.value} from the adapter within {timeout}s")

    def send_order(self, leg_id: str) -> None:
        order = m.Order(leg_id=leg_id, order_id=leg_id.split(".")[0], symbol="NQZ26", side=Side.BUY, qty=2.0)
        self.socket.send_multipart([self.peer, *codec.encode(MsgType.ORDER, order)])

    def close(self) -> None:
        self.socket.close(linger=0)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    gw = Gateway(ctx)
    yield gw
    gw.close()
    ctx.term()


class Running:
    def __init__(self, gateway: Gateway, state_dir: Path) -> None:
        self.driver = RecordingDriver()
        self.runner = AdapterRunner(
            "sim1", self.driver, gateway.endpoint, heartbeat_interval_s=0.2, state_dir=state_dir
        )
        self.thread = threading.Thread(target=self.runner.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.runner.stop_event.set()
        self.thread.join(WAIT)


def acked(leg_id: str) -> object:
    return lambda msg: isinstance(msg, m.Ack) and msg.kind == "ORDER" and msg.ref == leg_id


def wait_until(what: str, condition: object) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_an_order_is_acknowledged_only_once_it_is_written_ahead(gateway: Gateway, tmp_path: Path) -> None:
    adapter = Running(gateway, tmp_path / "state")
    try:
        gateway.receive(MsgType.HELLO)
        gateway.send_order("o1.sim1")
        gateway.receive(MsgType.ACK, acked("o1.sim1"))
        with sqlite3.connect(default_path(tmp_path / "state")) as raw:  # on disk by the time the ACK left
            rows = raw.execute("SELECT leg_id, symbol, side, qty, closed FROM legs").fetchall()
        assert rows == [("o1.sim1", "NQZ26", "BUY", 2.0, "")]
        wait_until("the submit", lambda: adapter.driver.submitted == ["o1.sim1"])
    finally:
        adapter.stop()


def test_a_restarted_adapter_acknowledges_a_resent_leg_but_never_sends_it_again(
    gateway: Gateway, tmp_path: Path
) -> None:
    first = Running(gateway, tmp_path / "state")
    gateway.receive(MsgType.HELLO)
    gateway.send_order("o2.sim1")
    gateway.receive(MsgType.ACK, acked("o2.sim1"))
    wait_until("the submit", lambda: first.driver.submitted == ["o2.sim1"])
    first.stop()

    second = Running(gateway, tmp_path / "state")
    try:
        gateway.receive(MsgType.HELLO)
        assert [leg.leg_id for leg in second.driver.resumed] == ["o2.sim1"]  # in doubt: never bound
        gateway.send_order("o2.sim1")  # the gateway resends what it thinks unacknowledged
        gateway.receive(MsgType.ACK, acked("o2.sim1"))
        gateway.send_order("o3.sim1")
        gateway.receive(MsgType.ACK, acked("o3.sim1"))
        wait_until("the new leg's submit", lambda: second.driver.submitted == ["o3.sim1"])
    finally:
        second.stop()


def test_the_platform_order_id_binds_the_leg_and_a_full_fill_closes_it(gateway: Gateway, tmp_path: Path) -> None:
    adapter = Running(gateway, tmp_path / "state")
    try:
        gateway.receive(MsgType.HELLO)
        gateway.send_order("o4.sim1")
        gateway.receive(MsgType.ACK, acked("o4.sim1"))
        wait_until("the submit", lambda: adapter.driver.submitted == ["o4.sim1"])
        events = adapter.driver.events
        assert events is not None
        events.order_update("o4.sim1", OrderStatus.ACCEPTED, "", "P-77")
        events.fill("o4.sim1", "E1", 1.0, 100.0, time.time_ns())
        events.fill("o4.sim1", "E1", 1.0, 100.0, time.time_ns())  # a repeat counts once
        gateway.receive(MsgType.FILL)
        record = adapter.runner.inflight.get("o4.sim1")
        assert record is not None and record.platform_order_id == "P-77" and record.finished == ""
        events.fill("o4.sim1", "E2", 1.0, 100.0, time.time_ns())
        wait_until("the record closed", lambda: adapter.runner.inflight.open_legs() == [])
        record = adapter.runner.inflight.get("o4.sim1")
        assert record is not None and record.finished == "FILLED" and record.filled_qty == 2.0
    finally:
        adapter.stop()


def test_an_order_that_cannot_be_written_ahead_is_neither_acknowledged_nor_sent(
    gateway: Gateway, tmp_path: Path
) -> None:
    adapter = Running(gateway, tmp_path / "state")
    try:
        gateway.receive(MsgType.HELLO)
        adapter.runner.inflight.close()  # the store fails from now on
        gateway.send_order("o5.sim1")
        with pytest.raises(AssertionError, match="no ACK"):
            gateway.receive(MsgType.ACK, acked("o5.sim1"), timeout=1.0)
        assert adapter.driver.submitted == []
    finally:
        adapter.stop()
