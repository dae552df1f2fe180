"""Back-pressure: an engine that stops reading while a platform floods market data loses none of its order
traffic; the gateway's queue for it stays bounded; market data is conflated with a counter."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.server.outbound import MARKET_LIMIT
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration


class Flood:
    """A platform that streams quotes as fast as the gateway takes them and fills the orders it gets."""

    def __init__(self, ctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints) -> None:
        self.peer = RawPeer(ctx, endpoints.platform, "sierra", codec.GATEWAY_TO_PLATFORM)
        self.peer.send(MsgType.HELLO, m.Hello(role="platform", name="sierra", driver="test"))
        _, welcome = self.peer.recv()
        self.symbols = [s.symbol for s in welcome.subscriptions if s.root != "WDO"]
        self.n = 0
        self.orders: list[m.Order] = []

    def pump(self, messages: int) -> None:
        """Send ``messages`` market-data messages (skipping when the gateway is busy) and collect orders."""
        for _ in range(messages):
            self.n += 1
            price = 100.0 + (self.n % 8) * 0.25
            ticks = [m.Tick(s, price, price + 0.25, price, 1, time.time_ns()) for s in self.symbols]
            header, body = codec.encode(MsgType.MARKET_DATA, m.MarketData(ticks=ticks))
            try:
                self.peer.sock.send_multipart([header, body], zmq.NOBLOCK)
            except zmq.Again:
                time.sleep(0.001)
        while self.peer.sock.poll(0):
            msg_type, msg = self.peer.decoder.decode(*self.peer.sock.recv_multipart())
            if msg_type is MsgType.ORDER:
                self.orders.append(msg)

    def next_order(self, timeout_s: float = 10.0, state: Callable[[], object] = lambda: "") -> m.Order:
        deadline = time.monotonic() + timeout_s
        while not self.orders:
            assert time.monotonic() < deadline, f"the gateway sent no order; {state()}"
            self.pump(20)
        return self.orders.pop(0)


def gateway_state(gateway: Gateway) -> str:
    """What the gateway did with the signals, for a failure message."""
    counts = {k: v for k, v in sorted(gateway.counters.items()) if not k.startswith("market_data")}
    return f"gateway counters {counts}, engines online {sorted(gateway.peers.nexus)}"


# A 30 s liveness: the test and the in-process gateway share one interpreter, and a loaded machine must not make
# the engine look silent while it floods (what is under test is back-pressure, not liveness).
@pytest.mark.parametrize(
    "gateway_env",
    [{"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "2.0", "NEXUSGW_GATEWAY__HEARTBEAT_LIVENESS": "15"}],
    indirect=True,
)
def test_a_stalled_engine_gets_every_update_and_fill_of_its_orders_when_it_resumes(
    running_gateway: Gateway, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    # A small receive queue, so the flood fills the engine's pipe soon. The kernel's TCP buffer is left to its
    # autotuning: a fixed SO_RCVBUF at or below the loopback MSS (64 KiB) makes Linux drop the engine's incoming
    # segments once the buffer is full, with the ACKs they carry, so the engine's own SIGNALs then wait out
    # exponential retransmission backoff (seconds) — a property of that socket setting, not of the gateway.
    zctx.setsockopt(zmq.RCVHWM, 50)
    engine = RawPeer(zctx, endpoints.nexus, "slow-1", codec.GATEWAY_TO_NEXUS, keepalive=True)
    hello = m.Hello(role="nexus", name="slow", acks=["FILL", "ORDER_UPDATE"])
    engine.send(MsgType.HELLO, hello)
    assert engine.recv()[0] is MsgType.WELCOME
    flood = Flood(zctx, endpoints)

    def beat() -> None:  # the engine still sends (heartbeats, signals); it only stopped reading
        engine.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))

    deadline = time.monotonic() + 60
    while running_gateway.counters["nexus_pipe_full"] == 0:  # until the engine's pipe is full
        assert time.monotonic() < deadline, "the flood never filled the stalled engine's pipe"
        flood.pump(100)
        beat()

    expected: dict[str, OrderStatus] = {}
    for i, outcome in enumerate(["fill", "fill", "cancel", "fill"]):
        direction = 1 if i % 2 == 0 else -1  # in and out: the position stays within the risk limits
        engine.send(MsgType.SIGNAL, m.Signal(client_id=f"bp-{i}", symbol="ES", signal=direction, confidence=0.9))
        leg = flood.next_order(state=lambda: gateway_state(running_gateway))
        if outcome == "fill":
            flood.peer.send(MsgType.FILL, m.LegFill(leg_id=leg.leg_id, fill_id="f", qty=leg.qty, price=100.0))
        else:
            flood.peer.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=leg.leg_id, status=OrderStatus.CANCELLED))
        expected[leg.order_id] = OrderStatus.FILLED if outcome == "fill" else OrderStatus.CANCELLED
        deadline = time.monotonic() + 10
        while leg.order_id in {o.order_id for o in running_gateway.desk.book.working()}:
            assert time.monotonic() < deadline, f"order {leg.order_id} did not finish"
            flood.pump(50)
            beat()
        for _ in range(5):
            flood.pump(100)
            beat()

    queue: Any = running_gateway.outbound.engines["slow"]
    assert len(queue.market) <= MARKET_LIMIT  # the gateway's memory for the stalled engine stays bounded
    assert queue.counters["market_conflated"] > 0

    finals: dict[str, OrderStatus] = {}
    fills: set[str] = set()
    deadline = time.monotonic() + 60
    while set(finals) != set(expected) or fills != {o for o, s in expected.items() if s is OrderStatus.FILLED}:
        assert time.monotonic() < deadline, f"after resuming: finals {finals}, fills {fills}; expected {expected}"
        msg_type, msg = engine.recv(timeout_s=10)  # the engine reads again
        if msg_type is MsgType.ERROR and msg.code == "UNKNOWN_PEER":  # dropped as silent meanwhile: as the SDK
            engine.send(MsgType.HELLO, hello)
        elif msg_type is MsgType.ORDER_UPDATE and msg.final:
            finals[msg.order_id] = msg.status
            engine.send(MsgType.ACK, m.Ack(kind="ORDER_UPDATE", ref=msg.order_id))
        elif msg_type is MsgType.FILL:
            fills.add(msg.order_id)
            engine.send(MsgType.ACK, m.Ack(kind="FILL", ref=msg.order_id))
    assert finals == expected
    engines = admin_request(endpoints.admin, "status", timeout_s=10)["engines"]  # what an operator sees
    assert engines["slow"]["market_conflated"] > 0 and engines["slow"]["online"]
    flood.peer.close()
    engine.close()
