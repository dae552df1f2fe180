"""The writer's copy of the orders it writes (journal/live.py) never changes what is journaled: for any sequence of
orders, leg reports, executions (repeated, impossible, late) and rolled-back transactions, a journal that keeps
the copy writes exactly the rows of one that reads every order from the file, answers the same, and its copy
equals the orders as read back from the file."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.journal import Journal, writing
from nexus_gw.journal.errors import ConflictError, UnknownLegError
from nexus_gw.journal.live import LiveOrders, load
from nexus_gw.protocol.constants import OrderStatus, Side
from tests.integration.journal.conftest import FakeNs
from tests.integration.journal.test_deliveries import finals

pytestmark = pytest.mark.integration

PLATFORMS = ("nt8", "sierra", "mt5")
TABLES = ("orders", "legs", "leg_status_history", "executions", "outbox", "events")


class Boom(Exception):
    """Raised inside a transaction after a write: the transaction rolls back."""


single = st.one_of(
    st.tuples(st.just("order"), st.integers(1, 3), st.sampled_from(["alpha", "", None]), st.booleans()),
    st.tuples(
        st.just("status"),
        st.integers(0, 9),
        st.integers(0, 2),
        st.sampled_from(list(OrderStatus)),
        st.sampled_from(["", "why"]),
        st.sampled_from(["", "P1"]),
    ),
    st.tuples(
        st.just("fill"),
        st.integers(0, 9),
        st.integers(0, 2),
        st.sampled_from(["f1", "f2", "f3"]),
        st.sampled_from([0.5, 1, 2.0]),
        st.sampled_from([100.25, 101]),
    ),
    st.tuples(st.just("unknown leg")),
)
rollback = st.tuples(st.just("rollback"), st.integers(0, 9), st.integers(0, 2), st.sampled_from(["f1", "f4"]))
op = st.one_of(
    single,
    rollback,
    # several writes in one transaction (a loop pass where the journal groups them), kept or rolled back
    st.tuples(st.just("group"), st.lists(st.one_of(single, rollback), min_size=1, max_size=5), st.booleans()),
)


def live_of(journal: Journal) -> LiveOrders:
    """The journal's copy of the orders it writes."""
    transactions = getattr(journal, "_tx", None)  # the group-commit journal keeps its transactions apart
    return (transactions.finals if transactions is not None else journal._finals).live


def _group(journal: Journal, steps: list[tuple], keep: bool, orders: list[str]) -> object:
    begin = getattr(journal, "begin_pass", None)
    if begin is not None:
        begin()
        answers = [_apply(journal, step, orders) for step in steps]
        journal.commit_pass() if keep else journal.abort_pass()
        return answers
    try:
        with journal.transaction():
            answers = [_apply(journal, step, orders) for step in steps]
            if not keep:
                raise Boom
    except Boom:
        return Boom
    return answers


def _apply(journal: Journal, step: tuple, orders: list[str]) -> object:
    """One step on one journal; its answer (or the type of what it raised)."""
    kind = step[0]
    try:
        if kind == "order":
            n = len(orders)
            order = Order(f"o{n}", f"c{n}", "NQ", Side.BUY, 1.0, created_ns=n + 1, rejected=step[3] and n % 2 == 0)
            if not order.rejected:
                for platform in PLATFORMS[: step[1]]:
                    order.add_leg(Leg(f"o{n}.{platform}", platform, f"NQ@{platform}", Side.BUY, 2))
            orders.append(order.order_id)
            return journal.record_order(order, step[2])
        if kind == "group":
            return _group(journal, step[1], step[2], orders)
        if kind == "unknown leg":
            return journal.record_leg_status("nowhere.nt8", OrderStatus.ACCEPTED)
        if not orders:
            return None
        leg_id = f"{orders[step[1] % len(orders)]}.{PLATFORMS[step[2]]}"
        if kind == "status":
            return journal.record_leg_status(leg_id, step[3], step[4], step[5])
        if kind == "fill":
            return journal.record_execution(leg_id, Execution(step[3], step[4], step[5], ts_ns=7))
        with journal.transaction():  # "rollback": an execution, then a failure before the commit
            journal.record_execution(leg_id, Execution(step[3], 1.0, 99.5))
            raise Boom
    except (Boom, ValueError, ConflictError, UnknownLegError) as exc:
        return type(exc)


def _rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in TABLES}


@settings(max_examples=150, deadline=None)
@given(st.lists(op, max_size=60))
def test_the_kept_copy_writes_what_reading_every_order_from_the_file_writes(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kept_path, read_path = Path(tmp) / "kept.sqlite3", Path(tmp) / "read.sqlite3"
        with Journal.open(kept_path, now_ns=FakeNs()) as kept, Journal.open(read_path, now_ns=FakeNs()) as read:
            live_of(read).enabled = False  # the reference: every write reads its order from the file
            kept.finalizer = read.finalizer = finals
            kept_orders: list[str] = []
            read_orders: list[str] = []
            for step in steps:
                assert _apply(kept, step, kept_orders) == _apply(read, step, read_orders), step
                with kept.transaction() as conn:  # the copy holds exactly what the file holds
                    for order_id, written in live_of(kept)._orders.items():
                        assert written == load(conn, order_id)
                        assert not written.order.is_terminal  # finished ones leave: the copy stays bounded
            assert len(live_of(read)) == 0
            assert kept.verify() == [] and read.verify() == []
            assert kept.replay_orders() == read.replay_orders()
        assert _rows(kept_path) == _rows(read_path)


def test_a_finished_order_leaves_the_copy_and_a_late_fill_reads_it_again(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.sqlite3", now_ns=FakeNs()) as journal:
        journal.finalizer = finals
        order = Order("o1", "c1", "NQ", Side.BUY, 1.0, created_ns=1)
        order.add_leg(Leg("o1.nt8", "nt8", "NQ@nt8", Side.BUY, 2.0))
        journal.record_order(order, "alpha")
        assert len(live_of(journal)) == 1
        journal.record_leg_status("o1.nt8", OrderStatus.CANCELLED)
        assert len(live_of(journal)) == 0  # finished, final messages queued
        assert not journal.record_leg_status("o1.nt8", OrderStatus.ACCEPTED)  # a stale report on the finished order
        assert len(live_of(journal)) == 0  # read for that write only
        assert journal.record_execution("o1.nt8", Execution("late", 1.0, 100.0))  # a fill after the cancel counts
        assert len(live_of(journal)) == 0
        assert [(d.kind, d.key) for d in journal.pending_for("alpha")] == [
            ("ORDER_UPDATE", "final"),
            ("ORDER_UPDATE", "final#1"),
            ("FILL", "#1"),
        ]
        assert journal.verify() == []


def test_a_write_that_fails_halfway_inside_a_transaction_that_goes_on_drops_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal.open(tmp_path / "journal.sqlite3", now_ns=FakeNs()) as journal:
        order = Order("o1", "c1", "NQ", Side.BUY, 1.0, created_ns=1)
        order.add_leg(Leg("o1.nt8", "nt8", "NQ@nt8", Side.BUY, 2.0))
        journal.record_order(order, "alpha")

        def disk_error(*args: object) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        with journal.transaction() as conn:
            monkeypatch.setattr(writing, "store_leg_state", disk_error)
            with pytest.raises(sqlite3.OperationalError):  # the leg's status applied in memory, not stored
                journal.record_leg_status("o1.nt8", OrderStatus.ACCEPTED)
            monkeypatch.undo()
            assert live_of(journal).get(conn, "o1") == load(conn, "o1")  # the leg as stored: still NEW
            assert journal.record_leg_status("o1.nt8", OrderStatus.ACCEPTED)  # the same transaction goes on
        assert journal.load_order("o1").legs["o1.nt8"].status is OrderStatus.ACCEPTED
        assert journal.verify() == []
