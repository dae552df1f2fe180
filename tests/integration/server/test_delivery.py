"""Delivery to signal engines over real sockets: final messages journaled with the change that ends an order,
derived on start when missing, sent to the order's owner only, resent until the owner acknowledges them."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import zmq

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.orders import Execution
from nexus_gw.journal import Journal, journal_path
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus, Side
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

ACKS = ["FILL", "ORDER_UPDATE"]


@contextmanager
def gateway_running(profile: LoadedProfile) -> Iterator[Gateway]:
    gateway = Gateway(profile)
    gateway.bind(announce=lambda line: None)
    thread = threading.Thread(target=gateway.run, name="gateway", daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        gateway.stop_requested = True
        thread.join(timeout=5)
        assert not thread.is_alive(), "gateway loop did not stop"


def engine(ctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, name: str, session: str = "s1") -> RawPeer:
    peer = RawPeer(ctx, endpoints.nexus, f"{name}-{session}", codec.GATEWAY_TO_NEXUS, keepalive=True)
    peer.send(MsgType.HELLO, m.Hello(role="nexus", name=name, session=session, acks=ACKS))
    msg_type, _ = peer.recv()
    assert msg_type is MsgType.WELCOME
    return peer


def platform(ctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, name: str = "sierra") -> RawPeer:
    peer = RawPeer(ctx, endpoints.platform, name, codec.GATEWAY_TO_PLATFORM, keepalive=True)
    peer.send(MsgType.HELLO, m.Hello(role="platform", name=name, driver="test"))
    msg_type, welcome = peer.recv()
    assert msg_type is MsgType.WELCOME
    peer.quote(welcome)
    return peer


def sync(peer: RawPeer, tag: str) -> list[tuple[MsgType, Any]]:
    """Everything the gateway sent ``peer`` before it answered a marker (a signal for an unknown symbol)."""
    peer.send(MsgType.SIGNAL, m.Signal(client_id=f"sync-{tag}", symbol="NOPE", signal=1, confidence=0.5))
    return peer.recv_until(lambda t, msg: t is MsgType.ERROR and msg.ref == f"sync-{tag}")[:-1]


def pending(profile: LoadedProfile) -> list[tuple[str, str]]:
    """(order id, kind) of every message the journal still has to deliver, read as an operator would."""
    with Journal.open(journal_path(profile.profile.gateway.data_dir), readonly=True) as journal:
        return [(d.order_id, d.kind) for d in journal.pending()]


def journal_finished_order(path: Any, owner: str | None) -> str:
    """A journal in the state a crash between an order's last execution and its FILL left it in."""
    with Journal.open(path) as journal:  # no finalizer: nothing is queued for the engine
        order = OrderBook().create("o-crash", "c-crash", "ES", Side.BUY, 1, [LegSpec("sierra", "ESH6", 1)])
        journal.record_order(order, owner)
        journal.record_leg_status("o-crash.sierra", OrderStatus.SENT)
        journal.record_execution("o-crash.sierra", Execution("x1", 1, 5900.0, 1))
        assert journal.load_order("o-crash").status is OrderStatus.FILLED  # type: ignore[union-attr]
        assert journal.pending() == []
    return "o-crash"


def test_a_fill_lost_between_execution_and_outbox_is_derived_on_start(
    dev_profile: LoadedProfile, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    order_id = journal_finished_order(journal_path(dev_profile.profile.gateway.data_dir), "alpha")
    with gateway_running(dev_profile):
        alpha = engine(zctx, endpoints, "alpha")
        fill = alpha.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
        assert fill.order_id == order_id and fill.filled_qty == 1 and fill.avg_price == 5900.0
        alpha.send(MsgType.ACK, m.Ack(kind="FILL", ref=order_id))
        sync(alpha, "acked")
    assert pending(dev_profile) == []


def test_an_old_journal_with_a_finished_order_and_no_fill_heals_on_start(
    dev_profile: LoadedProfile, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    path = journal_path(dev_profile.profile.gateway.data_dir)
    order_id = journal_finished_order(path, None)
    with sqlite3.connect(path) as conn:  # back to a version-1 journal, as older nexusgw wrote it
        conn.execute("DROP INDEX orders_final_due")
        conn.execute("DROP INDEX outbox_order")
        conn.execute("ALTER TABLE orders DROP COLUMN owner")
        conn.execute("ALTER TABLE orders DROP COLUMN final_queued")
        for column in ("ref_platform", "ref_bid", "ref_ask", "ref_last", "ref_ns"):  # added by version 3
            conn.execute(f"ALTER TABLE orders DROP COLUMN {column}")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with gateway_running(dev_profile):
        anyone = engine(zctx, endpoints, "legacy")  # owner unknown in an old journal: any engine gets it
        fill = anyone.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
        assert fill.order_id == order_id and fill.avg_price == 5900.0


def test_fills_and_updates_go_to_the_owner_only_and_only_its_ack_counts(
    dev_profile: LoadedProfile, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    with gateway_running(dev_profile):
        alpha, beta = engine(zctx, endpoints, "alpha"), engine(zctx, endpoints, "beta")
        sierra = platform(zctx, endpoints)
        alpha.send(MsgType.SIGNAL, m.Signal(client_id="a1", symbol="ES", signal=1, confidence=0.9, qty=1))
        _, leg = sierra.recv()
        sierra.send(MsgType.FILL, m.LegFill(leg_id=leg.leg_id, fill_id="f1", qty=1, price=5900.0))
        fill = alpha.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
        order_id = fill.order_id
        seen_by_beta = sync(beta, "1")
        assert [t for t, msg in seen_by_beta if getattr(msg, "order_id", "") == order_id] == []
        beta.send(MsgType.ACK, m.Ack(kind="FILL", ref=order_id))  # not beta's to acknowledge
        sync(beta, "2")
        assert (order_id, "FILL") in pending(dev_profile)
        alpha.close()  # alpha goes away without acknowledging
    with gateway_running(dev_profile):
        beta = engine(zctx, endpoints, "beta", "s2")
        assert [t for t, msg in sync(beta, "3") if getattr(msg, "order_id", "") == order_id] == []
        alpha = engine(zctx, endpoints, "alpha", "s2")  # a new session of the owner
        resent = alpha.recv_until(lambda t, _: t is MsgType.FILL)
        assert resent[-1][1].order_id == order_id
        assert [msg.final for t, msg in resent if t is MsgType.ORDER_UPDATE] == [True]
        alpha.send(MsgType.ACK, m.Ack(kind="FILL", ref=order_id))  # covers the final update too
        sync(alpha, "4")
        assert pending(dev_profile) == []


def test_the_final_update_of_an_unfilled_order_reaches_its_engine_after_a_reconnect(
    dev_profile: LoadedProfile, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    with gateway_running(dev_profile) as gateway:
        alpha = engine(zctx, endpoints, "alpha")
        sierra = platform(zctx, endpoints)
        alpha.send(MsgType.SIGNAL, m.Signal(client_id="c1", symbol="ES", signal=1, confidence=0.9, qty=1))
        _, first = alpha.recv()
        _, leg = sierra.recv()
        alpha.close()  # the engine's connection drops ...
        deadline = time.monotonic() + 10
        while gateway.peers.nexus and time.monotonic() < deadline:  # ... and the gateway notices
            time.sleep(0.05)
        sierra.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=leg.leg_id, status=OrderStatus.CANCELLED))
        again = RawPeer(zctx, endpoints.nexus, "alpha-s2", codec.GATEWAY_TO_NEXUS, keepalive=True)
        again.send(MsgType.HELLO, m.Hello(role="nexus", name="alpha", session="s2", acks=ACKS))
        final = again.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.order_id == first.order_id)
        assert final[-1][1].final and final[-1][1].status is OrderStatus.CANCELLED
        welcome = final[0][1]
        assert final[0][0] is MsgType.WELCOME and welcome.working == []  # nothing of alpha's works any more
        again.send(MsgType.ACK, m.Ack(kind="ORDER_UPDATE", ref=first.order_id))
        sync(again, "1")
        assert pending(dev_profile) == []
