"""The SQLite journal: every order, leg status, execution, event and pending NEXUS message, durably.

Durability: every write method is one transaction committed before it returns, except inside a loop pass (group
commit, ``journal.transactions``). WAL mode with ``synchronous=FULL``: a committed record survives a killed
process and, with a disk that honours fsync, a power loss; a crash mid-write leaves the whole transaction or none. Call
``record_order`` before sending any leg and ``record_execution`` before reporting a fill: what the gateway
acted on is then always in the journal.

Concurrency: one writer (the gateway loop, on one thread); any number of readers open it with
``readonly=True`` (the CLI) and see the last committed state without blocking the writer.

Leg state follows the domain rules (``nexus_gw.domain.orders``): the journal applies each report to the
stored leg with the same ``Leg`` methods the order book uses, so stored state and in-memory state agree, and a
duplicate execution (same leg id and fill id) is refused by the state machine and by a UNIQUE constraint.

``Journal`` owns the connection and the transactions; the SQL lives next to it by concern: ``writing`` (orders,
legs, status reports, executions), ``queries`` (fills, histories, events, look-ups), ``outbox`` (messages for
NEXUS and each order's final messages).
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from nexus_gw.domain.orders import Execution, Order
from nexus_gw.domain.types import OrderStatus
from nexus_gw.errors import UsageError
from nexus_gw.journal import outbox, queries, records, references, replay, writing
from nexus_gw.journal.connection import WriterLock, connect_reader, connect_writer
from nexus_gw.journal.errors import JournalError, JournalReadOnly
from nexus_gw.journal.records import Delivery, EventRecord, FillRecord, Finalizer, Recovery, StatusRecord
from nexus_gw.journal.schema import read_version
from nexus_gw.journal.transactions import Transactions

#: File name of the journal inside the profile's ``gateway.data_dir``.
JOURNAL_FILE = "journal.sqlite3"


def journal_path(data_dir: Path) -> Path:
    """Where the journal of a gateway with this data directory lives."""
    return Path(data_dir) / JOURNAL_FILE


class Journal:
    """An open journal file. Create with ``Journal.open``; close with ``close()`` or a ``with`` block."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        readonly: bool,
        now_ns: Callable[[], int],
        lock: WriterLock | None = None,
    ) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self._now_ns = now_ns
        self._lock = lock
        self._tx = Transactions(conn, path, now_ns)

    @property
    def finalizer(self) -> Finalizer | None:
        """Builds an order's final messages (kind, key, payload), written to the outbox with the change that
        finished it. Installed by the gateway; without it ``derive_missing_finals`` completes them later."""
        return self._tx.finalizer

    @finalizer.setter
    def finalizer(self, build: Finalizer | None) -> None:
        self._tx.finalizer = build

    @property
    def on_write(self) -> Callable[[float], None] | None:
        """Told how long each write transaction took, BEGIN to COMMIT (a pass: first write to commit), if set."""
        return self._tx.on_write

    @on_write.setter
    def on_write(self, told: Callable[[float], None] | None) -> None:
        self._tx.on_write = told

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False, now_ns: Callable[[], int] = time.time_ns) -> Self:
        """Open (and for a writer, create or migrate) the journal at ``path``.

        ``now_ns`` stamps ``recorded_ns`` columns; tests pass a fake. A reader never creates the file.
        """
        path = Path(path)
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        lock = None if readonly else WriterLock(path)
        try:
            conn = connect_reader(path) if readonly else connect_writer(path)
        except sqlite3.DatabaseError as exc:
            if lock is not None:
                lock.release()
            raise JournalError(
                f"cannot open journal {path}: {exc}; check that it is a nexusgw journal and that the "
                "directory is writable, or restore it from a backup"
            ) from None
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        conn.row_factory = sqlite3.Row
        return cls(conn, path, readonly, now_ns, lock)

    def close(self) -> None:
        """Close the connection and, for the writer, release the data directory's lock."""
        self._conn.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return read_version(self._conn) or 0

    # -- transactions ----------------------------------------------------------------------
    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        if self.readonly:
            raise JournalReadOnly(f"journal {self.path} is open read-only; only the gateway process writes it")
        return self._tx.write()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One transaction for several write methods: all of them are committed together, or none (inside a
        loop pass: one savepoint, rolled back alone when it raises).

        The final messages of orders that finish inside it are enqueued just before the commit, so they see
        everything the caller did in it (e.g. the P&L an execution caused).
        """
        return self._write()

    # -- group commit: one transaction per gateway loop pass ---------------------------------
    def begin_pass(self) -> None:
        """Until ``commit_pass`` every write method joins one transaction, each in a savepoint (one that raises
        rolls back alone); nothing of it is durable, so nothing may act on it, before ``commit_pass`` returned."""
        self._tx.begin_pass()

    def commit_pass(self) -> bool:
        """Commit what the pass wrote with one fsync; True when it wrote anything. Raises when the commit fails,
        after a ROLLBACK: then nothing of the pass is in the journal."""
        return self._tx.commit_pass()

    def abort_pass(self) -> None:
        """End the pass keeping nothing it wrote."""
        self._tx.abort_pass()

    @property
    def pass_wrote(self) -> bool:
        return self._tx.pass_wrote

    def refuse_writes(self, reason: str | None) -> None:
        """While ``reason`` is set every write raises ``JournalUnavailable`` (a lost pass: memory is ahead)."""
        self._tx.refusing = reason

    def probe(self, kind: str, data: Mapping[str, Any], ts: datetime) -> int:
        """One event written and committed even while writes are refused: does the journal take writes again?"""
        reason, self._tx.refusing = self._tx.refusing, None
        try:
            return self.record_event(kind, data, ts)
        finally:
            self._tx.refusing = reason

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One snapshot for several SELECTs, so a concurrent write is seen entirely or not at all."""
        conn = self._conn
        if conn.in_transaction:  # inside a write transaction: already one snapshot
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # -- orders and legs -------------------------------------------------------------------
    def record_order(
        self, order: Order, owner: str | None = None, reference: references.ReferenceQuote | None = None
    ) -> bool:
        """Write an order and all its legs in one transaction; True when written, False when already there.

        Call it before any leg is sent. A refused order (``rejected``, no legs) is recorded too, so a resent
        client id gets the same answer after a restart. Executions are recorded with ``record_execution``.
        ``owner`` is the signal engine the order's reports go to ("" for the gateway's own, None if unknown).
        ``reference`` is the quote the gateway held for the root when the signal arrived (the signal-time price).
        """
        if any(leg.executions for leg in order.legs.values()):
            raise UsageError(
                f"order {order.order_id} already has executions; record the order before any leg is sent and "
                "each fill with record_execution"
            )
        now = self._now_ns()
        with self._write() as conn:
            written = writing.insert_order(conn, order, owner, now, self._tx.finals.live)
            if written and reference is not None:
                references.write(conn, order.order_id, reference)
            return written

    def record_leg_status(
        self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "", ts_ns: int = 0
    ) -> bool:
        """Journal a platform's status report for a leg and apply it; True when the leg's status changed.

        Every report is kept in ``leg_status_history`` (stale and repeated ones too, for the audit trail).
        """
        status = OrderStatus(status)
        now = self._now_ns()
        with self._write() as conn:
            return writing.apply_leg_status(
                conn,
                leg_id,
                status,
                reason,
                platform_order_id,
                ts_ns,
                now=now,
                on_finished=self._tx.finals.add,
                live=self._tx.finals.live,
            )

    def record_execution(self, leg_id: str, execution: Execution) -> bool:
        """Journal an execution once; True when it was new, False for a repeat of (leg id, fill id).

        Raises ValueError (and writes nothing) for an execution that cannot be true: a quantity or price that
        is not a positive finite number, or one that would fill the leg beyond its quantity.
        """
        if not (math.isfinite(execution.qty) and math.isfinite(execution.price)):
            raise ValueError(
                f"leg {leg_id}: execution {execution.fill_id} has qty {execution.qty} and price {execution.price}; "
                "both must be finite numbers, fix the adapter's report"
            )
        now = self._now_ns()
        with self._write() as conn:
            return writing.apply_execution(
                conn, leg_id, execution, now=now, on_finished=self._tx.finals.add, live=self._tx.finals.live
            )

    # -- reading orders --------------------------------------------------------------------
    def load_orders(self, open_only: bool = True) -> list[Order]:
        """Orders rebuilt exactly as the book held them (legs, statuses, reasons, executions), oldest first.

        ``open_only`` keeps the orders that are not terminal: what the gateway must restore on start.
        """
        with self._read() as conn:
            return records.select_orders(conn, "orders.is_open = 1" if open_only else "1 = 1", [])

    def load_order(self, order_id: str) -> Order | None:
        with self._read() as conn:
            found = records.select_orders(conn, "orders.order_id = ?", [order_id])
        return found[0] if found else None

    def order_for_client(self, client_id: str) -> Order | None:
        """The order a client id created (open or finished), for idempotency across restarts."""
        with self._read() as conn:
            found = records.select_orders(conn, "orders.client_id = ?", [client_id])
        return found[0] if found else None

    def query_orders(self, since: datetime | None = None, until: datetime | None = None) -> list[Order]:
        """Orders created in ``[since, until)`` (aware datetimes; either may be None), oldest first.

        An order without a creation time (``created_ns`` 0, e.g. a refused signal) counts at its journal time.
        """
        where, params = queries.time_range(records.ORDER_TIME, since, until)
        with self._read() as conn:
            return records.select_orders(conn, where, params)

    def query_fills(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        platform: str | None = None,
        root: str | None = None,
    ) -> list[FillRecord]:
        """Executions in journal order whose time (platform's, else journal's) is in ``[since, until)``."""
        return queries.fills(self._conn, since, until, platform, root)

    def order_references(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> dict[str, references.ReferenceQuote]:
        """Signal-time quotes of the orders created in ``[since, until)`` that have one, by order id."""
        with self._read() as conn:
            return references.read(conn, since, until)

    def leg_history(self, leg_id: str) -> list[StatusRecord]:
        """Every status reported for a leg, in journal order."""
        return queries.leg_history(self._conn, leg_id)

    def recover(self) -> Recovery:
        """What to restore on start: open orders (exactly as they were) and unacknowledged NEXUS messages."""
        return Recovery(open_orders=self.load_orders(open_only=True), pending=self.pending())

    def replay_orders(self) -> list[Order]:
        """Every order rebuilt from scratch: recorded legs, then every status and execution in journal order."""
        return replay.replay(self._conn)

    def verify(self) -> list[str]:
        """Problems found (empty when consistent): SQLite integrity, foreign keys, and stored state vs replay."""
        return replay.verify(self._conn)

    # -- events ----------------------------------------------------------------------------
    def record_event(self, kind: str, data: Mapping[str, Any], ts: datetime) -> int:
        """Journal an event (risk-state change, kill switch, roll, alert…) that happened at ``ts``; its seq."""
        if not kind:
            raise UsageError("event kind is empty; name it, e.g. 'risk.state_changed'")
        text = records.encode_event_data(data)
        ts_ns = records.datetime_to_ns(ts, "event time")
        with self._write() as conn:
            return queries.insert_event(conn, kind, text, ts_ns, self._now_ns())

    def events(
        self, kind: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[EventRecord]:
        """Events (of one kind, if given) with ``ts`` in ``[since, until)``, in journal order."""
        return queries.events(self._conn, kind, since, until)

    def latest_event(self, kind: str) -> EventRecord | None:
        """The last journaled event of ``kind`` (e.g. the kill switch's state to restore on start)."""
        return queries.latest_event(self._conn, kind)

    # -- outbox ----------------------------------------------------------------------------
    def enqueue(self, order_id: str, kind: str, payload: bytes, *, key: str = "", created_ns: int | None = None) -> int:
        """Keep a message for NEXUS until it is acknowledged; returns its delivery id.

        (order id, kind, key) names the message: enqueueing it again returns the first id and keeps the first
        payload, so recovery may re-enqueue without creating a second delivery.
        """
        created = self._now_ns() if created_ns is None else created_ns
        with self._write() as conn:
            return outbox.enqueue(conn, order_id, kind, payload, key, created)

    def pending(self, limit: int | None = None) -> list[Delivery]:
        """Messages not yet acknowledged, oldest first: what to (re)send to NEXUS."""
        return outbox.pending(self._conn, limit)

    def ack(self, delivery_id: int, acked_ns: int | None = None) -> bool:
        """Mark a delivery acknowledged; True when it was pending (False if unknown or acknowledged before)."""
        acked = self._now_ns() if acked_ns is None else acked_ns
        with self._write() as conn:
            return outbox.ack(conn, delivery_id, acked)

    # -- reconciliation look-ups (read-only) ------------------------------------------------
    def order_of_leg(self, leg_id: str) -> Order | None:
        """The order (open or finished) that owns ``leg_id``, rebuilt as stored; None for a leg never journaled."""
        order_id = queries.order_id_of_leg(self._conn, leg_id)
        return self.load_order(order_id) if order_id is not None else None

    def leg_executions(self, leg_id: str) -> list[Execution]:
        """The journaled executions of one leg, in journal order (empty for an unknown leg)."""
        return queries.leg_executions(self._conn, leg_id)

    # -- owners and final messages -----------------------------------------------------------
    def owner_of(self, order_id: str) -> str | None:
        """The engine an order belongs to ("" for the gateway's own); None when unknown or not journaled."""
        return queries.owner_of(self._conn, order_id)

    def deliveries(self, order_id: str) -> list[Delivery]:
        """Every outbox message of an order (acknowledged or not), oldest first."""
        return outbox.deliveries(self._conn, order_id)

    def pending_for(self, owner: str) -> list[Delivery]:
        """Unacknowledged messages for the engine ``owner`` (and for orders of unknown owner), oldest first."""
        return outbox.pending_for(self._conn, owner)

    def ack_order(self, order_id: str, keys: dict[str, str], acked_ns: int | None = None) -> int:
        """Acknowledge an order's pending messages, given as kind → dedupe key; how many were pending."""
        acked = self._now_ns() if acked_ns is None else acked_ns
        with self._write() as conn:
            return outbox.ack_order(conn, order_id, keys, acked)

    def derive_missing_finals(self) -> int:
        """Enqueue the final messages of every finished order that lacks them (a crash, an old journal).

        Needs ``finalizer``; returns how many orders were completed. Each order is one transaction.
        """
        if self.finalizer is None:
            return 0
        done = 0
        for order_id in outbox.finals_not_queued(self._conn):
            with self._write() as conn:
                order = records.select_orders(conn, "orders.order_id = ?", [order_id])[0]
                if order.is_terminal:
                    self._tx.finals.add(order_id)
                    done += 1
        return done
