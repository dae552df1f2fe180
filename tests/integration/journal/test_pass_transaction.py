"""Group commit: one transaction per gateway loop pass, a savepoint per write method, one COMMIT (one fsync).

On real SQLite files: a second, read-only connection shows what is durable (committed) at each point.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nexus_gw.domain.orders import Execution, Order
from nexus_gw.journal import ConflictError, Journal, UnknownLegError
from nexus_gw.journal.errors import JournalUnavailable, storage_error
from nexus_gw.journal.transactions import Transactions
from nexus_gw.protocol.constants import OrderStatus
from tests.integration.journal.conftest import T0, make_order


def finals(order: Order, owner: str | None, revision: int = 0) -> list[tuple[str, str, bytes]]:
    return [("ORDER_UPDATE", "final", order.status.value.encode()), ("FILL", "", f"{order.filled_qty}".encode())]


def journal_event_time() -> datetime:
    return datetime.fromtimestamp(T0 / 1e9, UTC)


def durable(journal_file: Path) -> Journal:
    return Journal.open(journal_file, readonly=True)


def order_ids(journal: Journal) -> list[str]:
    return [o.order_id for o in journal.load_orders(open_only=False)]


def test_a_failing_write_method_rolls_back_only_itself_and_the_pass_commits_the_others_at_once(
    journal: Journal, journal_file: Path
) -> None:
    journal.record_order(make_order("o0", ("nt8",)))  # outside a pass: committed on its own, as always
    commits: list[float] = []
    journal.on_write = commits.append
    journal.begin_pass()
    journal.record_order(make_order("o1", ("nt8",)))
    journal.record_leg_status("o1.nt8", OrderStatus.SENT)
    clash = make_order("o9", ("nt8",))
    clash.client_id = "client-o1"  # another order with o1's client id
    with pytest.raises(ConflictError):
        journal.record_order(clash)
    with pytest.raises(ValueError, match="finite"):
        journal.record_execution("o1.nt8", Execution("nan", math.nan, 100.0))
    with pytest.raises(UnknownLegError):
        journal.record_leg_status("nobody.nt8", OrderStatus.ACCEPTED)
    with pytest.raises(RuntimeError), journal.transaction():  # a group that fails half-way: none of it
        journal.record_execution("o1.nt8", Execution("x0", 1, 100.0))
        raise RuntimeError("failed half-way")
    journal.record_order(make_order("o2", ("sierra",)))
    assert commits == []  # nothing committed yet
    with durable(journal_file) as reader:
        assert order_ids(reader) == ["o0"]  # not durable before the pass commits

    assert journal.commit_pass() is True
    assert len(commits) == 1 and commits[0] > 0  # one transaction, BEGIN to COMMIT
    with durable(journal_file) as reader:
        assert order_ids(reader) == ["o0", "o1", "o2"]
        assert reader.load_order("o1").legs["o1.nt8"].status is OrderStatus.SENT  # type: ignore[union-attr]
        assert reader.leg_executions("o1.nt8") == []
        assert reader.order_for_client("client-o1").order_id == "o1"  # type: ignore[union-attr]
    assert journal.commit_pass() is False  # no pass open: nothing to commit


def test_the_final_messages_are_in_the_same_transaction_as_the_change_that_finished_the_order(
    journal: Journal, journal_file: Path
) -> None:
    journal.finalizer = finals
    journal.record_order(make_order("o1", ("nt8",), qty=1), "alpha")
    journal.record_order(make_order("o2", ("nt8",), qty=1), "alpha")
    journal.begin_pass()
    journal.record_execution("o1.nt8", Execution("x1", 1, 100.0))  # finishes o1
    assert [(d.order_id, d.kind) for d in journal.pending()] == [("o1", "ORDER_UPDATE"), ("o1", "FILL")]
    with pytest.raises(RuntimeError), journal.transaction():  # finishes o2, then fails: neither the fill nor its finals
        journal.record_execution("o2.nt8", Execution("x2", 1, 100.0))
        raise RuntimeError("failed after the finishing execution")
    with durable(journal_file) as reader:
        assert reader.pending() == [] and reader.query_fills() == []
    journal.commit_pass()
    with durable(journal_file) as reader:
        assert [(d.order_id, d.kind) for d in reader.pending()] == [("o1", "ORDER_UPDATE"), ("o1", "FILL")]
        assert [f.leg_id for f in reader.query_fills()] == ["o1.nt8"]
        assert reader.load_order("o2").filled_qty == 0  # type: ignore[union-attr]


def test_a_failed_commit_keeps_nothing_of_the_pass_and_the_journal_takes_writes_after_it(
    journal: Journal, journal_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.record_order(make_order("o0", ("nt8",)))

    def full(self: Transactions, conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    journal.begin_pass()
    journal.record_order(make_order("o1", ("nt8",)))
    journal.record_event("risk.state", {"x": 1}, journal_event_time())
    with monkeypatch.context() as patch:
        patch.setattr(Transactions, "commit", full)
        with pytest.raises(sqlite3.OperationalError) as raised:
            journal.commit_pass()
    assert storage_error(raised.value) == "database or disk is full"
    assert not journal._tx.in_pass
    assert order_ids(journal) == ["o0"]  # rolled back, also for the writer
    with durable(journal_file) as reader:
        assert order_ids(reader) == ["o0"] and reader.events("risk.state") == []
    journal.record_order(make_order("o3", ("nt8",)))  # after the ROLLBACK the connection writes again
    with durable(journal_file) as reader:
        assert order_ids(reader) == ["o0", "o3"]


def test_a_transaction_sqlite_rolled_back_under_the_pass_loses_the_whole_pass(
    journal: Journal, journal_file: Path
) -> None:
    journal.begin_pass()
    journal.record_order(make_order("o1", ("nt8",)))
    journal._conn.execute("ROLLBACK")  # what SQLite may do itself after SQLITE_FULL or SQLITE_IOERR
    with pytest.raises(JournalUnavailable, match="lost"):
        journal.record_order(make_order("o2", ("nt8",)))
    with pytest.raises(JournalUnavailable, match="lost"):
        journal.commit_pass()
    with durable(journal_file) as reader:
        assert order_ids(reader) == []


def test_while_writes_are_refused_every_write_method_raises_and_only_the_probe_writes(
    journal: Journal, journal_file: Path
) -> None:
    journal.refuse_writes("database or disk is full")
    with pytest.raises(JournalUnavailable) as refused:
        journal.record_order(make_order("o1", ("nt8",)))
    assert storage_error(refused.value) is not None  # the gateway's storage-error paths recognise it
    journal.probe("journal.restored", {"reason": "test"}, journal_event_time())
    with pytest.raises(JournalUnavailable):
        journal.record_event("risk.state", {}, journal_event_time())
    journal.refuse_writes(None)
    journal.record_order(make_order("o1", ("nt8",)))
    with durable(journal_file) as reader:
        assert [e.kind for e in reader.events()] == ["journal.restored"] and order_ids(reader) == ["o1"]


def test_a_pass_that_wrote_nothing_commits_nothing(journal: Journal) -> None:
    commits: list[float] = []
    journal.on_write = commits.append
    journal.begin_pass()
    assert journal.load_orders() == []  # reads do not open the pass's transaction
    assert journal.commit_pass() is False and commits == []
    journal.begin_pass()
    journal.abort_pass()
    journal.begin_pass()
    journal.record_order(make_order("o1", ("nt8",)))
    journal.abort_pass()
    assert order_ids(journal) == []
