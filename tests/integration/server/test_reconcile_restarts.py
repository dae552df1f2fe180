"""Reconciliation across restarts of adapters and of the gateway, over real sockets (issue 9).

- a report that predates a leg never settles it; a fill of a leg settled as REJECTED still counts;
- an ORDER the adapter never acknowledged is resent after its restart and placed once;
- a restarted gateway knows past executions from the journal, applies late ones, alerts unknown ones once;
- a restarted gateway answers a burst of queued messages with one UNKNOWN_PEER, and reconciles once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import zmq

from nexus_gw.adapters.link import GatewayLink
from nexus_gw.adapters.runner import AdapterRunner
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.driver import SimDriver
from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.backoff import Backoff
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration


def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} not reached within {timeout_s}s")


def platform(zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, session: str) -> tuple[RawPeer, m.Welcome]:
    peer = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM, keepalive=True)
    peer.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", session=session, report=m.PlatformReport()))
    msg_type, welcome = peer.recv()
    assert msg_type is MsgType.WELCOME, welcome
    peer.quote(welcome)
    return peer, welcome


class Restartable:
    """In-process gateways started one after the other on the same profile (and so the same journal)."""

    def __init__(self, profile: LoadedProfile) -> None:
        self.profile = profile
        self.running: list[tuple[Gateway, threading.Thread]] = []

    def start(self) -> Gateway:
        gateway = Gateway(self.profile)
        gateway.bind(announce=lambda line: None)
        thread = threading.Thread(target=gateway.run, name="gateway", daemon=True)
        thread.start()
        self.running.append((gateway, thread))
        return gateway

    def stop(self) -> None:
        while self.running:
            gateway, thread = self.running.pop()
            gateway.stop_requested = True
            thread.join(timeout=5)
            assert not thread.is_alive(), "gateway loop did not stop"


@pytest.fixture
def gateways(dev_profile: LoadedProfile) -> Iterator[Restartable]:
    r = Restartable(dev_profile)
    yield r
    r.stop()


def test_report_built_before_a_leg_was_sent_never_settles_it_and_a_later_fill_still_counts(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    gw = running_gateway
    nt8, _ = platform(zctx, endpoints, "s1")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="late-report", symbol="ES", signal=1, confidence=0.9, qty=1))
    msg_type, order = nt8.recv()
    assert msg_type is MsgType.ORDER
    nt8.send(MsgType.ACK, m.Ack(kind="ORDER", ref=order.leg_id))

    # a report the adapter built before this ORDER reached it (it says so): the leg's absence proves nothing
    nt8.send(MsgType.POSITION, m.PlatformReport(orders_epoch=order.gw_epoch, orders_through=order.gw_seq - 1))
    wait_for(lambda: gw.counters["reconciliations"] >= 2, what="the stale report reconciled")
    leg = gw.desk.book.orders[order.order_id].legs[order.leg_id]
    assert leg.status is OrderStatus.SENT, leg.reason

    # a report that covers the ORDER and does not show it: the platform does not have it
    nt8.send(MsgType.POSITION, m.PlatformReport(orders_epoch=order.gw_epoch, orders_through=order.gw_seq))
    final = nexus_peer.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.final)[-1][1]
    assert final.status is OrderStatus.REJECTED and "never received" in final.legs[0].reason

    # ... and yet the platform fills it: a fill is a fact, the leg and the order are FILLED
    nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="late", qty=1, price=5900.0, seq=1))
    fill = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
    assert fill.status is OrderStatus.FILLED and fill.filled_qty == 1
    assert fill.legs[0].status is OrderStatus.FILLED
    assert gw.ledger.positions.position("nt8", "ES").qty == 1
    nt8.close()


def test_hello_report_from_before_an_unacknowledged_order_does_not_reject_it(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    """The campaign's case: a second HELLO (one per queued message) carries a report older than the leg."""
    nt8, _ = platform(zctx, endpoints, "s1")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="in-flight", symbol="ES", signal=1, confidence=0.9, qty=1))
    _, order = nt8.recv()
    nt8.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", session="s1", report=m.PlatformReport()))
    seen = nt8.recv_until(lambda t, msg: t is MsgType.ORDER)  # WELCOME, then the ORDER again
    assert seen[-1][1].leg_id == order.leg_id
    leg = running_gateway.desk.book.orders[order.order_id].legs[order.leg_id]
    assert leg.status is OrderStatus.SENT and running_gateway.counters["orders_resent"] == 1
    nt8.close()


def test_order_the_adapter_never_acknowledged_is_resent_after_its_restart_and_placed_once(
    nexus_peer: RawPeer, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    gw = running_gateway
    doomed, _ = platform(zctx, endpoints, "doomed")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="resend-me", symbol="ES", signal=1, confidence=0.9, qty=1))
    _, order = doomed.recv()
    doomed.close()  # the adapter dies with the ORDER read but neither acknowledged nor placed

    driver = SimDriver("nt8", SimSettings(tick_interval_ms=50, fill_latency_ms=10, seed=7))
    runner = AdapterRunner("nt8", driver, endpoints.platform, heartbeat_interval_s=0.2)
    thread = threading.Thread(target=runner.run, name="adapter-nt8", daemon=True)
    thread.start()
    try:
        fill = nexus_peer.recv_until(lambda t, msg: t is MsgType.FILL and msg.order_id == order.order_id, 15)
        assert fill[-1][1].status is OrderStatus.FILLED and fill[-1][1].filled_qty == 1
        assert gw.counters["orders_resent"] >= 1
        wait_for(lambda: not gw.unacked_orders, what="the resent ORDER acknowledged")
        assert runner.counts["orders"] == 1  # placed at the platform exactly once
    finally:
        runner.stop_event.set()
        thread.join(timeout=5)


@pytest.mark.parametrize("gateway_env", [{"NEXUSGW_TRADING__ORDER_TIMEOUT_S": "30"}], indirect=True)
def test_restarted_gateway_knows_past_executions_applies_late_ones_and_alerts_unknown_ones_once(
    gateways: Restartable, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints
) -> None:
    gw = gateways.start()
    nexus = RawPeer(zctx, endpoints.nexus, "engine", codec.GATEWAY_TO_NEXUS, keepalive=True)
    nexus.send(MsgType.HELLO, m.Hello(role="nexus", name="engine"))
    nexus.recv()
    nt8, welcome = platform(zctx, endpoints, "s1")
    symbols = {s.root: s.symbol for s in welcome.subscriptions}
    nexus.send(MsgType.SIGNAL, m.Signal(client_id="half", symbol="ES", signal=1, confidence=0.9, qty=2))
    _, es = nt8.recv()
    nt8.send(MsgType.FILL, m.LegFill(leg_id=es.leg_id, fill_id="f1", qty=1, price=5900.0, seq=1))
    nt8.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=es.leg_id, status=OrderStatus.CANCELLED, seq=2))
    nexus.recv_until(lambda t, msg: t is MsgType.FILL and msg.client_id == "half")
    nexus.send(MsgType.SIGNAL, m.Signal(client_id="whole", symbol="NQ", signal=1, confidence=0.9, qty=1))
    nq = nt8.recv_until(lambda t, _: t is MsgType.ORDER)[-1][1]
    nt8.send(MsgType.FILL, m.LegFill(leg_id=nq.leg_id, fill_id="f2", qty=1, price=21000.0, seq=3))
    nexus.recv_until(lambda t, msg: t is MsgType.FILL and msg.client_id == "whole")
    gateways.stop()
    nt8.close()

    gw = gateways.start()
    assert not gw.desk.book.orders  # finished orders are not in the book: the journal has them
    report = m.PlatformReport(
        executions=[
            m.ReportedFill(leg_id=es.leg_id, fill_id="f1", qty=1, price=5900.0),  # journaled: known
            m.ReportedFill(leg_id=nq.leg_id, fill_id="f2", qty=1, price=21000.0),  # journaled: known
            m.ReportedFill(leg_id=es.leg_id, fill_id="f3", qty=1, price=5901.0),  # late fill of a finished order
            m.ReportedFill(leg_id="19700101-nobody.nt8", fill_id="x1", qty=1, price=1.0),  # nobody's
        ],
        positions={symbols["ES"]: 2.0, symbols["NQ"]: 1.0},
    )
    nexus.send(MsgType.HELLO, m.Hello(role="nexus", name="engine"))
    nexus.recv_until(lambda t, _: t is MsgType.WELCOME)
    nt8 = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM, keepalive=True)
    nt8.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", session="s2", report=report))
    assert nt8.recv()[0] is MsgType.WELCOME
    corrected = nexus.recv_until(lambda t, msg: t is MsgType.FILL and msg.client_id == "half" and msg.filled_qty == 2)
    assert corrected[-1][1].order_id == es.order_id
    nt8.send(MsgType.POSITION, report)  # the same report again: nothing new, no alert again
    wait_for(lambda: gw.counters["reconciliations"] >= 2, what="second report reconciled")
    codes = [a["code"] for a in gw.risk.alerts if a["code"].startswith("RECONCILE_")]
    assert codes == ["RECONCILE_UNKNOWN_EXECUTION"], gw.risk.alerts
    assert gw.counters["reconciled_fills"] == 1
    assert gw.ledger.positions.position("nt8", "ES").qty == 2
    assert [e.fill_id for e in gw.ledger.journal.leg_executions(es.leg_id)] == ["f1", "f3"]
    nt8.close()
    nexus.close()


def test_restarted_gateway_answers_a_burst_of_queued_messages_once_and_reconciles_once(
    gateways: Restartable, zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints
) -> None:
    gateways.start()
    link = GatewayLink(zctx, endpoints.platform, "nt8", "sim", m.Capabilities(), heartbeat_interval_s=0.2, liveness=200)
    link.report_provider = m.PlatformReport

    def pump(until: Callable[[], bool], timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not until():
            assert time.monotonic() < deadline, "link did not get there in time"
            link.receive()
            now = time.monotonic()
            if link.socket is not None:
                link.socket.poll(int(min(link.tick(now), 0.02) * 1000))

    link.connect()
    pump(lambda: link.welcome is not None)
    gateways.stop()  # the gateway dies; the link does not know yet and keeps talking
    for i in range(40):
        link.send_reliable(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=f"gone-{i}", status=OrderStatus.CANCELLED))
    hellos_before = getattr(link, "hellos_sent", 0)
    gw = gateways.start()  # gets the queued messages: 40 updates and heartbeats from a peer it does not know
    pump(lambda: link.welcome is not None and not link.unacked)
    end = time.monotonic() + 1.0
    pump(lambda: time.monotonic() >= end)
    assert gw.counters["reconciliations"] == 1
    assert link.hellos_sent == hellos_before + 1
    link.close()


def test_messages_from_an_unknown_platform_get_one_unknown_peer_error_per_interval(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    peer = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM)
    for _ in range(30):
        peer.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))
    msg_type, error = peer.recv(skip=())
    assert msg_type is MsgType.ERROR and error.code == ErrorCode.UNKNOWN_PEER
    with pytest.raises(TimeoutError):
        peer.recv(timeout_s=0.5, skip=())
    wait_for(lambda: running_gateway.counters["unknown_peer_unanswered"] == 29, what="the other 29 counted")
    peer.close()


def test_link_says_hello_once_per_welcome_it_waits_for_and_again_only_after_its_backoff(
    zctx: zmq.Context[zmq.Socket[bytes]],
) -> None:
    router = zctx.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    link = GatewayLink(
        zctx, f"tcp://127.0.0.1:{port}", "nt8", "sim", m.Capabilities(), hello_backoff=Backoff(2.0, 4.0, jitter=0.0)
    )
    link.connect()
    decoder = codec.Decoder(codec.PLATFORM_TO_GATEWAY)

    def hellos_received(timeout_s: float, stop_at: int = 0) -> int:
        count, deadline = 0, time.monotonic() + timeout_s
        while (not stop_at or count < stop_at) and router.poll(int(max(0.0, deadline - time.monotonic()) * 1000)):
            _, header, payload = router.recv_multipart()
            count += isinstance(decoder.decode(header, payload)[1], m.Hello)
        return count

    def unknown_peer_burst(n: int) -> None:
        error = codec.encode(MsgType.ERROR, m.Error(code=ErrorCode.UNKNOWN_PEER, message="say HELLO"))
        for _ in range(n):
            router.send_multipart([b"nt8", *error])
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            link.receive()
            time.sleep(0.01)

    assert hellos_received(1.0, stop_at=1) == 1  # the HELLO of connect()
    unknown_peer_burst(12)  # within the backoff of the first HELLO: no new one
    assert hellos_received(0.2) == 0
    time.sleep(2.0)  # the backoff has passed and still no WELCOME
    unknown_peer_burst(12)
    assert hellos_received(0.5) == 1  # one HELLO for the whole burst
    link.close()
    router.close()
