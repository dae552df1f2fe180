"""Nothing acts before its commit: while a journal pass is open the wire keeps every send (heartbeats excepted),
writes them in order once the pass committed, and after a failed commit writes only the CANCELs. Real sockets."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
import zmq

from nexus_gw.config.models import SocketsConfig
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server import outbound
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.wire import Wire
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration


@pytest.fixture
def wire_and_adapter(zctx: zmq.Context[zmq.Socket[bytes]]) -> Iterator[tuple[Wire, RawPeer]]:
    eps = Endpoints.free()
    wire = Wire(
        SocketsConfig(platform=eps.platform, nexus=eps.nexus, admin=eps.admin),
        PeerTable(1.0, 3),
        outbound.EngineQueues(),
        Counter(),
    )
    wire.bind(announce=lambda line: None)
    adapter = RawPeer(zctx, eps.platform, "nt8", codec.GATEWAY_TO_PLATFORM)
    adapter.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=1))  # the ROUTER learns the adapter's identity
    assert wire.platform is not None and wire.platform.poll(5000)
    wire.platform.recv_multipart()
    yield wire, adapter
    adapter.close()
    wire.close()


def received(adapter: RawPeer, timeout_s: float = 0.3) -> list[MsgType]:
    got = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if adapter.sock.poll(20):
            got.append(adapter.decoder.decode(*adapter.sock.recv_multipart())[0])
    return got


def order(leg_id: str) -> m.Order:
    return m.Order(leg_id=leg_id, order_id="o1", symbol="NQ", side="BUY", qty=1)


def test_sends_wait_for_the_commit_and_go_in_order(wire_and_adapter: tuple[Wire, RawPeer]) -> None:
    wire, adapter = wire_and_adapter
    failed: list[str] = []
    wire.hold_sends()
    assert wire.to_platform_peer(b"nt8", MsgType.ORDER, order("o1.nt8"), lambda: failed.append("o1.nt8"))
    assert wire.to_platform_peer(b"nt8", MsgType.CANCEL, m.Cancel(order_id="o0", leg_id="o0.nt8"))
    assert wire.to_platform_peer(b"nt8", MsgType.ACK, m.Ack(kind="REPORT", seq=7))
    wire.to_platform_peer(b"nt8", MsgType.HEARTBEAT, m.Heartbeat(ts_ns=2))  # heartbeats need not wait
    assert wire.holds(MsgType.ORDER)
    assert received(adapter) == [MsgType.HEARTBEAT]  # nothing else before the commit
    wire.release_sends(committed=True)
    assert received(adapter) == [MsgType.ORDER, MsgType.CANCEL, MsgType.ACK]
    assert failed == [] and wire.held is None


def test_after_a_failed_commit_only_the_cancels_go(wire_and_adapter: tuple[Wire, RawPeer]) -> None:
    wire, adapter = wire_and_adapter
    failed: list[str] = []
    wire.hold_sends()
    wire.to_platform_peer(b"nt8", MsgType.ORDER, order("o1.nt8"), lambda: failed.append("o1.nt8"))
    wire.to_platform_peer(b"nt8", MsgType.CANCEL, m.Cancel(order_id="o0", leg_id="o0.nt8"))
    wire.to_platform_peer(b"nt8", MsgType.ACK, m.Ack(kind="REPORT", seq=7))
    wire.release_sends(committed=False)
    assert received(adapter) == [MsgType.CANCEL]
    assert wire.counters["sends_discarded_journal_lost"] == 2
    assert failed == []  # discarded, not failed: nothing to hold


def test_a_send_that_fails_after_the_commit_runs_its_fallback(wire_and_adapter: tuple[Wire, RawPeer]) -> None:
    wire, adapter = wire_and_adapter
    failed: list[str] = []
    wire.hold_sends()
    assert wire.to_platform_peer(b"gone", MsgType.ORDER, order("o1.gone"), lambda: failed.append("o1.gone"))
    wire.to_platform_peer(b"nt8", MsgType.ORDER, order("o1.nt8"), lambda: failed.append("o1.nt8"))
    wire.release_sends(committed=True)
    assert failed == ["o1.gone"]  # the adapter's connection is gone: decided at the write, after the commit
    assert received(adapter) == [MsgType.ORDER]
    assert not wire.to_platform_peer(b"gone", MsgType.ORDER, order("o2.gone"))  # outside a pass: at once, as always
