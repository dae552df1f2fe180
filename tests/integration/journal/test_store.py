from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.orders import Execution, Order
from nexus_gw.errors import UsageError
from nexus_gw.journal import (
    ConflictError,
    Journal,
    JournalError,
    JournalLocked,
    JournalMissing,
    JournalReadOnly,
    NewerSchemaError,
    UnknownLegError,
    UnknownOrderError,
    journal_path,
    restore_book,
)
from nexus_gw.journal.schema import SCHEMA_VERSION
from nexus_gw.protocol.constants import OrderStatus, Side
from tests.integration.journal.conftest import HOUR, T0, FakeNs, make_order

S = OrderStatus
pytestmark = pytest.mark.integration


def _ns_to_dt(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC)


# -- opening ------------------------------------------------------------------------------------


def test_new_journal_is_created_in_wal_mode_with_full_sync_and_foreign_keys(journal: Journal) -> None:
    conn = journal._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert journal.schema_version == SCHEMA_VERSION
    assert journal.path.is_file()


def test_journal_path_is_under_the_data_dir(tmp_path: Path) -> None:
    assert journal_path(tmp_path / "var") == tmp_path / "var" / "journal.sqlite3"


def test_journal_written_by_a_newer_version_is_refused_with_what_to_do(journal_file: Path) -> None:
    Journal.open(journal_file).close()
    with sqlite3.connect(journal_file) as raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for readonly in (False, True):
        with pytest.raises(NewerSchemaError, match=r"schema version 99.*upgrade nexusgw"):
            Journal.open(journal_file, readonly=readonly)


def test_database_of_something_else_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE trades (id INTEGER)")
    with pytest.raises(JournalError, match="not a nexusgw journal"):
        Journal.open(other)


def test_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "journal.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="cannot open journal"):
        Journal.open(junk)


def test_reader_never_creates_a_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalMissing, match=r"no journal at .*data_dir"):
        Journal.open(tmp_path / "missing.sqlite3", readonly=True)
    assert not (tmp_path / "missing.sqlite3").exists()


def test_reader_sees_committed_writes_and_cannot_write(journal: Journal, journal_file: Path) -> None:
    journal.record_order(make_order("o1"))
    with Journal.open(journal_file, readonly=True) as reader:
        assert [o.order_id for o in reader.load_orders()] == ["o1"]
        journal.record_execution("o1.nt8", Execution("f1", 1.0, 100.0))
        assert reader.load_order("o1").filled_qty == 1.0  # type: ignore[union-attr]
        with pytest.raises(JournalReadOnly, match="read-only"):
            reader.record_event("x", {}, datetime.now(UTC))


# -- orders, legs, executions -------------------------------------------------------------------


def test_order_and_legs_load_back_exactly_as_recorded(journal: Journal) -> None:
    order = make_order("o1", platforms=("sierra", "nt8", "mt5_global"))
    order.order_type = order.order_type.LIMIT
    order.limit_price = 16000.25
    order.reason = "not routed to bookmap (offline)"
    assert journal.record_order(order)
    (loaded,) = journal.load_orders()
    assert loaded == order
    assert list(loaded.legs) == ["o1.sierra", "o1.nt8", "o1.mt5_global"]


def test_state_after_reports_loads_back_exactly(journal: Journal) -> None:
    book = OrderBook()
    order = book.create("o1", "c1", "NQ", Side.SELL, 3, [], created_ns=T0)
    for platform in ("nt8", "sierra"):
        order.add_leg(make_order("o1", (platform,), 3, Side.SELL).legs[f"o1.{platform}"])
        book.by_leg[f"o1.{platform}"] = "o1"
    journal.record_order(order)
    reports: list[tuple[str, OrderStatus | Execution, str]] = [
        ("o1.nt8", S.SENT, ""),
        ("o1.nt8", S.ACCEPTED, "NT-1"),
        ("o1.nt8", Execution("a", 1.25, 100.5, T0 + 5), ""),
        ("o1.nt8", S.SENT, ""),  # stale
        ("o1.sierra", S.REJECTED, ""),
        ("o1.nt8", Execution("b", 0.75, 101.0), ""),
        ("o1.nt8", S.CANCELLED, ""),
        ("o1.nt8", Execution("c", 1.0, 99.75), ""),  # late fill after cancel still counts
    ]
    for leg_id, report, platform_order_id in reports:
        if isinstance(report, Execution):
            assert journal.record_execution(leg_id, report) == book.apply_fill(leg_id, report)[1]
        else:
            reason = "no margin" if report is S.REJECTED else ""
            changed = journal.record_leg_status(leg_id, report, reason, platform_order_id, ts_ns=T0)
            assert changed == book.apply_status(leg_id, report, reason, platform_order_id)[1]
    assert journal.load_orders(open_only=False) == [order]
    assert journal.load_orders(open_only=True) == []
    assert journal.replay_orders() == [order]
    assert journal.verify() == []
    history = journal.leg_history("o1.nt8")
    assert [(h.reported_status, h.status_after, h.changed) for h in history] == [
        (S.SENT, S.SENT, True),
        (S.ACCEPTED, S.ACCEPTED, True),
        (S.SENT, S.PARTIALLY_FILLED, False),
        (S.CANCELLED, S.CANCELLED, True),
    ]


def test_recording_an_order_twice_writes_it_once(journal: Journal) -> None:
    order = make_order("o1")
    assert journal.record_order(order)
    assert not journal.record_order(order)
    assert len(journal.load_orders()) == 1


def test_client_id_of_another_order_is_a_conflict(journal: Journal) -> None:
    journal.record_order(make_order("o1"))
    twin = make_order("o2")
    twin.client_id = "client-o1"
    with pytest.raises(ConflictError, match=r"client id client-o1\).*order_for_client"):
        journal.record_order(twin)
    changed_legs = make_order("o1", platforms=("nt8",))
    with pytest.raises(ConflictError, match="legs are fixed"):
        journal.record_order(changed_legs)


def test_order_with_executions_must_be_recorded_before_its_fills(journal: Journal) -> None:
    order = make_order("o1")
    order.legs["o1.nt8"].apply_execution(Execution("f", 1, 100))
    with pytest.raises(UsageError, match="record the order before any leg is sent"):
        journal.record_order(order)


def test_refused_signal_is_kept_for_idempotency_but_is_not_open(journal: Journal) -> None:
    refused = Order("o9", "dup-client", "NQ", Side.BUY, 1.0, reason="DUPLICATE_SYMBOL: busy", rejected=True)
    journal.record_order(refused)
    assert journal.load_orders() == []
    found = journal.order_for_client("dup-client")
    assert found == refused and found is not None and found.status is S.REJECTED
    assert journal.order_for_client("never-sent") is None


def test_repeated_execution_returns_false_and_leaves_one_row(journal: Journal, journal_file: Path) -> None:
    journal.record_order(make_order("o1"))
    assert journal.record_execution("o1.nt8", Execution("f1", 1.0, 100.0, 1))
    assert not journal.record_execution("o1.nt8", Execution("f1", 1.0, 100.0, 1))
    assert not journal.record_execution("o1.nt8", Execution("f1", 2.0, 50.0, 1))
    with sqlite3.connect(journal_file) as raw:
        assert raw.execute("SELECT COUNT(*) FROM executions").fetchone()[0] == 1
    assert journal.load_order("o1").filled_qty == 1.0  # type: ignore[union-attr]


def test_same_fill_id_on_two_legs_is_two_executions(journal: Journal) -> None:
    journal.record_order(make_order("o1"))
    assert journal.record_execution("o1.nt8", Execution("1", 1.0, 100.0))
    assert journal.record_execution("o1.sierra", Execution("1", 1.0, 100.0))
    assert journal.load_order("o1").filled_qty == 2.0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("execution", "match"),
    [
        (Execution("f", 3.0, 100.0), "over-reported"),
        (Execution("f", 0.0, 100.0), "must be positive"),
        (Execution("f", float("nan"), 100.0), "finite"),
        (Execution("f", 1.0, float("inf")), "finite"),
    ],
)
def test_impossible_execution_is_refused_and_nothing_is_written(
    journal: Journal, execution: Execution, match: str
) -> None:
    journal.record_order(make_order("o1"))
    with pytest.raises(ValueError, match=match):
        journal.record_execution("o1.nt8", execution)
    assert journal.query_fills() == []
    assert journal.verify() == []


def test_report_for_a_leg_never_recorded_is_refused(journal: Journal) -> None:
    with pytest.raises(UnknownLegError, match="record_order must journal"):
        journal.record_execution("ghost.nt8", Execution("f", 1, 100))
    with pytest.raises(UnknownLegError):
        journal.record_leg_status("ghost.nt8", S.ACCEPTED)


def test_open_only_keeps_orders_with_a_working_leg(journal: Journal) -> None:
    for order_id in ("done", "working", "rejected"):
        journal.record_order(make_order(order_id, platforms=("nt8",), qty=1))
    journal.record_execution("done.nt8", Execution("f", 1, 100))
    journal.record_leg_status("rejected.nt8", S.REJECTED, "unknown symbol")
    journal.record_leg_status("working.nt8", S.ACCEPTED)
    assert [o.order_id for o in journal.load_orders()] == ["working"]
    all_orders = {o.order_id: o.status for o in journal.load_orders(open_only=False)}
    assert all_orders == {"done": S.FILLED, "working": S.ACCEPTED, "rejected": S.REJECTED}


def test_queries_select_by_time_range(journal: Journal, clock: FakeNs) -> None:
    for hour in range(4):
        journal.record_order(make_order(f"o{hour}", platforms=("nt8",), created_ns=T0 + hour * HOUR))
        journal.record_execution(f"o{hour}.nt8", Execution("f", 1, 100 + hour, ts_ns=T0 + hour * HOUR + 1))
    clock.now = T0 + 10 * HOUR
    journal.record_order(Order("late", "c-late", "NQ", Side.BUY, 1, rejected=True))  # no created_ns: journal time
    since, until = _ns_to_dt(T0 + HOUR), _ns_to_dt(T0 + 3 * HOUR)
    assert [o.order_id for o in journal.query_orders(since, until)] == ["o1", "o2"]
    assert [f.order_id for f in journal.query_fills(since, until)] == ["o1", "o2"]
    assert [o.order_id for o in journal.query_orders(_ns_to_dt(T0 + 9 * HOUR))] == ["late"]
    assert len(journal.query_fills(platform="nt8", root="NQ")) == 4
    assert journal.query_fills(platform="sierra") == []
    with pytest.raises(UsageError, match="time zone"):
        journal.query_orders(datetime(2026, 3, 2))


def test_fill_records_name_order_platform_root_and_both_times(journal: Journal, clock: FakeNs) -> None:
    journal.record_order(make_order("o1", platforms=("nt8",), side=Side.SELL))
    journal.record_execution("o1.nt8", Execution("f1", 2, 100.25))
    (fill,) = journal.query_fills()
    assert (fill.order_id, fill.client_id, fill.leg_id, fill.platform, fill.root, fill.symbol, fill.side) == (
        "o1",
        "client-o1",
        "o1.nt8",
        "nt8",
        "NQ",
        "NQ@nt8",
        Side.SELL,
    )
    assert fill.ts_ns == 0 and fill.time_ns == fill.recorded_ns <= clock.now
    assert fill.key == ("o1.nt8", "f1")


# -- events and outbox --------------------------------------------------------------------------


def test_events_keep_kind_data_and_time(journal: Journal) -> None:
    at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    journal.record_event("risk.kill_switch", {"state": "HALTED", "by": "ops"}, at)
    journal.record_event("alert", {"loss": Decimal("-1250.50"), "at": at, "side": Side.SELL}, at + timedelta(hours=1))
    journal.record_event("risk.kill_switch", {"state": "ACTIVE"}, at + timedelta(hours=2))
    latest = journal.latest_event("risk.kill_switch")
    assert latest is not None and latest.data == {"state": "ACTIVE"}
    (alert,) = journal.events("alert")
    assert alert.data == {"loss": "-1250.50", "at": at.isoformat(), "side": "SELL"}
    assert [e.kind for e in journal.events(since=at + timedelta(minutes=30))] == ["alert", "risk.kill_switch"]
    assert journal.latest_event("roll") is None


@pytest.mark.parametrize(
    ("kind", "data", "at", "match"),
    [
        ("", {}, datetime.now(UTC), "event kind is empty"),
        ("x", {"f": object()}, datetime.now(UTC), "no JSON form"),
        ("x", {"v": float("nan")}, datetime.now(UTC), "cannot be journaled"),
        ("x", {}, datetime(2026, 3, 2), "time zone"),
    ],
)
def test_event_that_cannot_be_journaled_is_refused(
    journal: Journal, kind: str, data: dict[str, object], at: datetime, match: str
) -> None:
    with pytest.raises(UsageError, match=match):
        journal.record_event(kind, data, at)


def test_outbox_keeps_messages_until_acked_and_across_a_restart(journal_file: Path) -> None:
    with Journal.open(journal_file) as journal:
        journal.record_order(make_order("o1"))
        journal.record_order(make_order("o2"))
        first = journal.enqueue("o1", "FILL", b"\x81\xa1a\x01")
        second = journal.enqueue("o2", "ORDER_UPDATE", b"u", key="final")
        assert journal.enqueue("o1", "FILL", b"regenerated") == first
        assert first < second
    with Journal.open(journal_file) as journal:
        assert [(d.delivery_id, d.payload) for d in journal.pending()] == [(first, b"\x81\xa1a\x01"), (second, b"u")]
        assert journal.ack(first)
        assert not journal.ack(first)
        assert not journal.ack(12345)
        assert [d.delivery_id for d in journal.pending()] == [second]
        assert journal.recover().pending == journal.pending()


def test_message_for_an_unjournaled_order_is_refused(journal: Journal) -> None:
    with pytest.raises(UnknownOrderError, match="record the order first"):
        journal.enqueue("ghost", "FILL", b"x")


# -- recovery -----------------------------------------------------------------------------------


def test_restart_restores_open_orders_into_a_book_that_keeps_counting_once(journal_file: Path) -> None:
    with Journal.open(journal_file) as journal:
        book = OrderBook()
        order = book.create("o1", "c1", "NQ", Side.BUY, 2, [], created_ns=T0)
        order.legs = make_order("o1").legs
        journal.record_order(order)
        journal.record_leg_status("o1.nt8", S.ACCEPTED)
        journal.record_execution("o1.nt8", Execution("f1", 1, 100))
    with Journal.open(journal_file) as journal:
        recovered = journal.recover()
        book = OrderBook()
        restore_book(book, recovered.open_orders)
        assert book.busy_with("NQ") is not None and book.existing("c1") is not None
        _, new = book.apply_fill("o1.nt8", Execution("f1", 1, 100))  # the platform resends it
        assert not new and not journal.record_execution("o1.nt8", Execution("f1", 1, 100))
        order, new = book.apply_fill("o1.nt8", Execution("f2", 1, 102))
        assert new and journal.record_execution("o1.nt8", Execution("f2", 1, 102))
        assert journal.load_order("o1") == order
        assert journal.verify() == []


def test_verify_reports_stored_state_that_replay_does_not_reproduce(journal: Journal, journal_file: Path) -> None:
    journal.record_order(make_order("o1"))
    journal.record_leg_status("o1.nt8", S.ACCEPTED)
    with sqlite3.connect(journal_file) as raw:
        raw.execute("UPDATE legs SET status = 'FILLED' WHERE leg_id = 'o1.nt8'")
    problems = journal.verify()
    assert problems and "o1.nt8" in problems[0]


def test_second_writer_on_the_same_journal_is_refused_until_the_first_closes(journal_file: Path) -> None:
    first = Journal.open(journal_file)
    with pytest.raises(JournalLocked, match=rf"another process \(pid {os.getpid()}\).*own gateway.data_dir"):
        Journal.open(journal_file)
    with Journal.open(journal_file, readonly=True) as reader:  # readers never wait for the lock
        assert reader.load_orders() == []
    first.close()
    Journal.open(journal_file).close()
