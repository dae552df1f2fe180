"""A loop pass whose COMMIT fails (the disk is full): nothing of it goes out but cancels, the gateway runs without
its journal (signals refused, leg reports left unacknowledged, kill switch and status working) and restarts from
the journal once it takes writes again. Real sockets and a real journal file; the commit fails as SQLite fails on
a full disk (``sqlite3.OperationalError("database or disk is full")``)."""

from __future__ import annotations

import sqlite3

import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.journal import Journal, journal_path
from nexus_gw.journal.transactions import Transactions
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer, wait_for

pytestmark = pytest.mark.integration


class Disk:
    """Makes every COMMIT of the journal fail while ``full``."""

    def __init__(self) -> None:
        self.full = False
        self.failed = 0

    def commit(self, tx: Transactions, conn: sqlite3.Connection) -> None:
        if self.full:
            self.failed += 1
            raise sqlite3.OperationalError("database or disk is full")
        conn.execute("COMMIT")


def hello(raw: RawPeer, role: str, name: str) -> m.Welcome:
    raw.send(MsgType.HELLO, m.Hello(role=role, name=name, driver="test"))
    return raw.recv_until(lambda t, _: t is MsgType.WELCOME)[-1][1]  # type: ignore[no-any-return]


def resting(cid: str, root: str = "NQ") -> m.Signal:
    return m.Signal(client_id=cid, symbol=root, signal=1.0, confidence=0.9, qty=1, order_type="LIMIT", limit_price=1.0)


def test_a_failed_commit_sends_nothing_but_cancels_runs_without_the_journal_and_restarts_from_it(
    running_gateway: Gateway,
    endpoints: Endpoints,
    zctx: zmq.Context[zmq.Socket[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    disk = Disk()
    monkeypatch.setattr(Transactions, "commit", lambda tx, conn: disk.commit(tx, conn))
    gateway = running_gateway
    nt8 = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM, keepalive=True)
    nt8.quote(hello(nt8, "platform", "nt8"))
    engine = RawPeer(zctx, endpoints.nexus, "lost-engine", codec.GATEWAY_TO_NEXUS, keepalive=True)
    hello(engine, "nexus", "lost-engine")
    engine.send(MsgType.SIGNAL, resting("before"))
    _, working = nt8.recv_until(lambda t, _: t is MsgType.ORDER)[-1]

    disk.full = True
    engine.send(MsgType.SIGNAL, resting("lost-1", "ES"))
    _, refused = engine.recv_until(lambda t, msg: t is MsgType.ERROR and msg.ref == "lost-1")[-1]
    assert refused.code == "JOURNAL_UNAVAILABLE" and "nothing was sent" in refused.message
    assert "database or disk is full" in refused.message
    status = admin_request(endpoints.admin, "status")  # status answers while the journal is lost
    assert any(a["severity"] == "CRITICAL" and a["code"] == "JOURNAL_LOST" for a in status["alerts"])
    assert status["counts"]["journal_lost"] == 1
    result = admin_request(endpoints.admin, "killswitch.activate", {"reason": "lost drill", "who": "test"})
    assert result["kill_switch"]["active"] and result["progress"]["journaled"] is False
    seen = nt8.recv_until(lambda t, msg: t is MsgType.CANCEL and msg.leg_id == working.leg_id)
    assert {t for t, _ in seen} == {MsgType.CANCEL}  # the kill switch acts without the journal; no ORDER for lost-1
    nt8.send(MsgType.FILL, m.LegFill(leg_id=working.leg_id, fill_id="f1", qty=1, price=1.0, seq=1))
    with pytest.raises(TimeoutError):  # a report is not processed, so not acknowledged: the adapter keeps it
        nt8.recv_until(lambda t, _: t is MsgType.ACK, timeout_s=1.0)
    assert disk.failed >= 1
    with Journal.open(journal_path(gateway.data_dir), readonly=True) as reader:
        assert reader.order_for_client("lost-1") is None and reader.leg_executions(working.leg_id) == []

    disk.full = False  # the journal takes writes again: the gateway restarts from it, the kill switch carried over
    wait_for(lambda: gateway.counters.get("restarts_from_journal"), 10, "the restart from the journal")
    assert gateway.risk.engine.kill_switch.active and gateway.risk.engine.kill_switch.reason == "lost drill"
    assert admin_request(endpoints.admin, "killswitch.status")["progress"]["journaled"]
    hello(nt8, "platform", "nt8")  # the adapter says HELLO again and re-sends the report nobody acknowledged
    nt8.send(MsgType.FILL, m.LegFill(leg_id=working.leg_id, fill_id="f1", qty=1, price=1.0, seq=1))
    seen = nt8.recv_until(lambda t, msg: t is MsgType.ACK and msg.seq == 1)
    assert [t for t, _ in seen if t is MsgType.ORDER] == []  # lost-1 never goes out, also after the restart
    with Journal.open(journal_path(gateway.data_dir), readonly=True) as reader:
        assert [e.fill_id for e in reader.leg_executions(working.leg_id)] == ["f1"]  # once
        assert reader.order_for_client("lost-1") is None
        assert reader.load_order(working.order_id).status is OrderStatus.FILLED  # type: ignore[union-attr]
        assert [e.kind for e in reader.events("journal.restored")] == ["journal.restored"]
