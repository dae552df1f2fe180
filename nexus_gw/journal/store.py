"""The SQLite journal: every order, leg status, execution, event and pending NEXUS message, durably.

Durability: every write method is one transaction that is committed before the method returns. The database
runs in WAL mode with ``synchronous=FULL``, so a committed record survives a killed process and, with a disk
that honours fsync, a power loss; a crash mid-write leaves the whole transaction or none of it. Call
``record_order`` before sending any leg and ``record_execution`` before reporting a fill: what the gateway
acted on is then always in the journal.

Concurrency: one writer (the gateway loop, on one thread); any number of readers open it with
``readonly=True`` (the CLI) and see the last committed state without blocking the writer.

Leg state follows the domain rules (``nexus_gw.domain.orders``): the journal applies each report to the
stored leg with the same ``Leg`` methods the order book uses, so stored state and in-memory state agree, and a
duplicate execution (same leg id and fill id) is refused by the state machine and by a UNIQUE constraint.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from nexus_gw.domain.fill_times import same_execution
from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.types import OrderStatus
from nexus_gw.errors import UsageError
from nexus_gw.journal import records, replay
from nexus_gw.journal.connection import WriterLock, connect_reader, connect_writer
from nexus_gw.journal.errors import (
    ConflictError,
    JournalError,
    JournalReadOnly,
    UnknownLegError,
    UnknownOrderError,
)
from nexus_gw.journal.records import Delivery, EventRecord, FillRecord, Finalizer, Recovery, StatusRecord
from nexus_gw.journal.schema import read_version

log = logging.getLogger(__name__)

#: File name of the journal inside the profile's ``gateway.data_dir``.
JOURNAL_FILE = "journal.sqlite3"

_FILL_COLUMNS = """
    e.seq, e.leg_id, e.fill_id, e.qty, e.price, e.ts_ns, e.recorded_ns,
    l.platform, l.symbol, l.side, o.order_id, o.client_id, o.root
"""
_FILL_TIME = "(CASE WHEN e.ts_ns > 0 THEN e.ts_ns ELSE e.recorded_ns END)"


def journal_path(data_dir: Path) -> Path:
    """Where the journal of a gateway with this data directory lives."""
    return Path(data_dir) / JOURNAL_FILE


def _range(column: str, since: datetime | None, until: datetime | None) -> tuple[str, list[Any]]:
    """SQL condition ``since <= column < until`` (either bound optional) and its parameters."""
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(records.datetime_to_ns(since, "since"))
    if until is not None:
        clauses.append(f"{column} < ?")
        params.append(records.datetime_to_ns(until, "until"))
    return " AND ".join(clauses), params


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
        self._depth = 0  # > 0 inside a write transaction (write methods then join it)
        self._finished: list[str] = []  # orders that became terminal in the open transaction
        #: Builds the messages that tell an order's owner how it ended (kind, key, payload), written to the
        #: outbox in the same transaction as the change that finished the order. Installed by the gateway;
        #: without it, finished orders stay due and ``derive_missing_finals`` completes them later.
        self.finalizer: Finalizer | None = None

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
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise JournalReadOnly(f"journal {self.path} is open read-only; only the gateway process writes it")
        conn = self._conn
        if self._depth:  # inside ``transaction()``: part of the enclosing transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        self._finished = []
        try:
            yield conn
            self._queue_finals(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
            self._finished = []

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One transaction for several write methods: all of them are committed together, or none.

        The final messages of orders that finish inside it are enqueued just before the commit, so they see
        everything the caller did in it (e.g. the P&L an execution caused).
        """
        return self._write()

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
    def record_order(self, order: Order, owner: str | None = None) -> bool:
        """Write an order and all its legs in one transaction; True when written, False when already there.

        Call it before any leg is sent. A refused order (``rejected``, no legs) is recorded too, so a resent
        client id gets the same answer after a restart. Executions are recorded with ``record_execution``.
        ``owner`` is the signal engine the order's reports go to ("" for the gateway's own, None if unknown).
        """
        if any(leg.executions for leg in order.legs.values()):
            raise UsageError(
                f"order {order.order_id} already has executions; record the order before any leg is sent and "
                "each fill with record_execution"
            )
        now = self._now_ns()
        with self._write() as conn:
            if self._already_recorded(conn, order):
                return False
            conn.execute(
                "INSERT INTO orders (order_id, client_id, root, side, qty, order_type, limit_price, stop_price,"
                " created_ns, reason, rejected, status, is_open, recorded_ns, updated_ns, owner, final_queued)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order.order_id,
                    order.client_id,
                    order.root,
                    order.side.value,
                    order.qty,
                    order.order_type.value,
                    order.limit_price,
                    order.stop_price,
                    order.created_ns,
                    order.reason,
                    int(order.rejected),
                    order.status.value,
                    int(not order.is_terminal),
                    now,
                    now,
                    owner,
                    int(owner == "" or order.is_terminal),  # a refusal is answered directly, not via the outbox
                ),
            )
            for position, leg in enumerate(order.legs.values()):
                self._insert_leg(conn, order.order_id, position, leg, now)
        return True

    def _already_recorded(self, conn: sqlite3.Connection, order: Order) -> bool:
        rows = conn.execute(
            "SELECT order_id, client_id FROM orders WHERE order_id = ? OR client_id = ?",
            (order.order_id, order.client_id),
        ).fetchall()
        for row in rows:
            if row["order_id"] != order.order_id or row["client_id"] != order.client_id:
                raise ConflictError(
                    f"order {order.order_id} (client id {order.client_id}) clashes with journaled order "
                    f"{row['order_id']} (client id {row['client_id']}); a client id names one order only, "
                    "look the existing one up with order_for_client"
                )
            leg_ids = {r[0] for r in conn.execute("SELECT leg_id FROM legs WHERE order_id = ?", (order.order_id,))}
            if leg_ids != set(order.legs):
                raise ConflictError(
                    f"order {order.order_id} is journaled with legs {sorted(leg_ids)} but was given again with "
                    f"legs {sorted(order.legs)}; an order's legs are fixed when it is recorded"
                )
            return True
        return False

    @staticmethod
    def _insert_leg(conn: sqlite3.Connection, order_id: str, position: int, leg: Leg, now: int) -> None:
        try:
            conn.execute(
                "INSERT INTO legs (leg_id, order_id, position, platform, symbol, side, qty, multiplier,"
                " initial_status, initial_reason, initial_platform_order_id, status, reason, platform_order_id,"
                " updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    leg.leg_id,
                    order_id,
                    position,
                    leg.platform,
                    leg.symbol,
                    leg.side.value,
                    leg.qty,
                    leg.multiplier,
                    leg.status.value,
                    leg.reason,
                    leg.platform_order_id,
                    leg.status.value,
                    leg.reason,
                    leg.platform_order_id,
                    now,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(
                f"leg {leg.leg_id} of order {order_id} cannot be journaled ({exc}); leg ids must be unique and "
                "quantities positive"
            ) from None

    def record_leg_status(
        self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "", ts_ns: int = 0
    ) -> bool:
        """Journal a platform's status report for a leg and apply it; True when the leg's status changed.

        Every report is kept in ``leg_status_history`` (stale and repeated ones too, for the audit trail).
        """
        status = OrderStatus(status)
        now = self._now_ns()
        with self._write() as conn:
            order_id, leg = self._load_leg(conn, leg_id)
            before = (leg.status, leg.reason, leg.platform_order_id)
            changed = leg.apply_status(status, reason, platform_order_id)
            conn.execute(
                "INSERT INTO leg_status_history (seq, leg_id, reported_status, reason, platform_order_id,"
                " status_after, changed, ts_ns, recorded_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self._next_seq(conn),
                    leg_id,
                    status.value,
                    reason,
                    platform_order_id,
                    leg.status.value,
                    int(changed),
                    ts_ns,
                    now,
                ),
            )
            if (leg.status, leg.reason, leg.platform_order_id) != before:
                self._store_leg_state(conn, leg, now)
                self._refresh_order(conn, order_id, now)
        return changed

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
            order_id, leg = self._load_leg(conn, leg_id)
            known = leg.executions.get(execution.fill_id)
            if known is not None:
                if not same_execution(known, execution):
                    log.warning(
                        "leg %s: fill %s repeated with different values (%s, journaled %s); ignored",
                        leg_id,
                        execution.fill_id,
                        execution,
                        known,
                    )
                return False
            status_before = leg.status
            leg.apply_execution(execution)
            conn.execute(
                "INSERT INTO executions (seq, leg_id, fill_id, qty, price, ts_ns, recorded_ns)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._next_seq(conn), leg_id, execution.fill_id, execution.qty, execution.price, execution.ts_ns, now),
            )
            if leg.status != status_before:
                self._store_leg_state(conn, leg, now)
            # an execution after the order's final messages were queued: its corrected final state is due
            conn.execute("UPDATE orders SET final_queued = 0 WHERE order_id = ? AND final_queued = 1", (order_id,))
            self._refresh_order(conn, order_id, now)
        return True

    @staticmethod
    def _next_seq(conn: sqlite3.Connection) -> int:
        row = conn.execute(
            "SELECT MAX(s) FROM (SELECT MAX(seq) AS s FROM leg_status_history"
            " UNION ALL SELECT MAX(seq) FROM executions)"
        ).fetchone()
        return (row[0] or 0) + 1

    @staticmethod
    def _load_leg(conn: sqlite3.Connection, leg_id: str) -> tuple[str, Leg]:
        row = conn.execute("SELECT * FROM legs WHERE leg_id = ?", (leg_id,)).fetchone()
        if row is None:
            raise UnknownLegError(
                f"leg {leg_id} is not in the journal; record_order must journal an order before its legs are "
                "sent, so this report is for a leg this gateway did not place"
            )
        leg = records.leg_from_row(row)
        for exec_row in conn.execute("SELECT * FROM executions WHERE leg_id = ? ORDER BY seq", (leg_id,)):
            execution = records.execution_from_row(exec_row)
            leg.executions[execution.fill_id] = execution
        return row["order_id"], leg

    @staticmethod
    def _store_leg_state(conn: sqlite3.Connection, leg: Leg, now: int) -> None:
        conn.execute(
            "UPDATE legs SET status = ?, reason = ?, platform_order_id = ?, updated_ns = ? WHERE leg_id = ?",
            (leg.status.value, leg.reason, leg.platform_order_id, now, leg.leg_id),
        )

    def _refresh_order(self, conn: sqlite3.Connection, order_id: str, now: int) -> None:
        """Recompute an order's derived columns (aggregate status, open flag, filled qty, average price)."""
        order = records.select_orders(conn, "orders.order_id = ?", [order_id])[0]
        if order.is_terminal and order_id not in self._finished:
            self._finished.append(order_id)
        conn.execute(
            "UPDATE orders SET status = ?, is_open = ?, filled_qty = ?, avg_price = ?, updated_ns = ?"
            " WHERE order_id = ?",
            (order.status.value, int(not order.is_terminal), order.filled_qty, order.avg_price, now, order_id),
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
        where, params = _range(records.ORDER_TIME, since, until)
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
        where, params = _range(_FILL_TIME, since, until)
        if platform is not None:
            where += " AND l.platform = ?"
            params.append(platform)
        if root is not None:
            where += " AND o.root = ?"
            params.append(root)
        rows = self._conn.execute(
            f"SELECT {_FILL_COLUMNS} FROM executions e JOIN legs l ON l.leg_id = e.leg_id"
            f" JOIN orders o ON o.order_id = l.order_id WHERE {where} ORDER BY e.seq",
            params,
        ).fetchall()
        return [records.fill_from_row(row) for row in rows]

    def leg_history(self, leg_id: str) -> list[StatusRecord]:
        """Every status reported for a leg, in journal order."""
        rows = self._conn.execute("SELECT * FROM leg_status_history WHERE leg_id = ? ORDER BY seq", (leg_id,))
        return [records.status_from_row(row) for row in rows]

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
            cursor = conn.execute(
                "INSERT INTO events (kind, data, ts_ns, recorded_ns) VALUES (?, ?, ?, ?)",
                (kind, text, ts_ns, self._now_ns()),
            )
        return int(cursor.lastrowid or 0)

    def events(
        self, kind: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[EventRecord]:
        """Events (of one kind, if given) with ``ts`` in ``[since, until)``, in journal order."""
        where, params = _range("ts_ns", since, until)
        if kind is not None:
            where += " AND kind = ?"
            params.append(kind)
        rows = self._conn.execute(f"SELECT * FROM events WHERE {where} ORDER BY seq", params)
        return [records.event_from_row(row) for row in rows]

    def latest_event(self, kind: str) -> EventRecord | None:
        """The last journaled event of ``kind`` (e.g. the kill switch's state to restore on start)."""
        row = self._conn.execute("SELECT * FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1", (kind,)).fetchone()
        return records.event_from_row(row) if row else None

    # -- outbox ----------------------------------------------------------------------------
    def enqueue(self, order_id: str, kind: str, payload: bytes, *, key: str = "", created_ns: int | None = None) -> int:
        """Keep a message for NEXUS until it is acknowledged; returns its delivery id.

        (order id, kind, key) names the message: enqueueing it again returns the first id and keeps the first
        payload, so recovery may re-enqueue without creating a second delivery.
        """
        created = self._now_ns() if created_ns is None else created_ns
        with self._write() as conn:
            row = conn.execute(
                "SELECT delivery_id FROM outbox WHERE order_id = ? AND kind = ? AND dedupe_key = ?",
                (order_id, kind, key),
            ).fetchone()
            if row is not None:
                return int(row[0])
            try:
                cursor = conn.execute(
                    "INSERT INTO outbox (order_id, kind, dedupe_key, payload, created_ns) VALUES (?, ?, ?, ?, ?)",
                    (order_id, kind, key, bytes(payload), created),
                )
            except sqlite3.IntegrityError:
                raise UnknownOrderError(
                    f"order {order_id} is not in the journal, so a {kind} message for it cannot be queued; "
                    "record the order first"
                ) from None
        return int(cursor.lastrowid or 0)

    def pending(self, limit: int | None = None) -> list[Delivery]:
        """Messages not yet acknowledged, oldest first: what to (re)send to NEXUS."""
        sql = "SELECT * FROM outbox WHERE acked_ns IS NULL ORDER BY delivery_id"
        rows = self._conn.execute(sql + " LIMIT ?", (limit,)) if limit is not None else self._conn.execute(sql)
        return [records.delivery_from_row(row) for row in rows]

    def ack(self, delivery_id: int, acked_ns: int | None = None) -> bool:
        """Mark a delivery acknowledged; True when it was pending (False if unknown or acknowledged before)."""
        acked = self._now_ns() if acked_ns is None else acked_ns
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE outbox SET acked_ns = ? WHERE delivery_id = ? AND acked_ns IS NULL", (acked, delivery_id)
            )
        return cursor.rowcount == 1

    # -- reconciliation look-ups (read-only) ------------------------------------------------
    def order_of_leg(self, leg_id: str) -> Order | None:
        """The order (open or finished) that owns ``leg_id``, rebuilt as stored; None for a leg never journaled."""
        row = self._conn.execute("SELECT order_id FROM legs WHERE leg_id = ?", (leg_id,)).fetchone()
        return self.load_order(row["order_id"]) if row is not None else None

    def leg_executions(self, leg_id: str) -> list[Execution]:
        """The journaled executions of one leg, in journal order (empty for an unknown leg)."""
        rows = self._conn.execute("SELECT * FROM executions WHERE leg_id = ? ORDER BY seq", (leg_id,))
        return [records.execution_from_row(row) for row in rows]

    # -- owners and final messages -----------------------------------------------------------
    def owner_of(self, order_id: str) -> str | None:
        """The engine an order belongs to ("" for the gateway's own); None when unknown or not journaled."""
        row = self._conn.execute("SELECT owner FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        return None if row is None else row[0]

    def deliveries(self, order_id: str) -> list[Delivery]:
        """Every outbox message of an order (acknowledged or not), oldest first."""
        rows = self._conn.execute(
            "SELECT outbox.*, orders.owner FROM outbox JOIN orders ON orders.order_id = outbox.order_id"
            " WHERE outbox.order_id = ? ORDER BY delivery_id",
            (order_id,),
        )
        return [records.delivery_from_row(row) for row in rows]

    def pending_for(self, owner: str) -> list[Delivery]:
        """Unacknowledged messages for the engine ``owner`` (and for orders of unknown owner), oldest first."""
        rows = self._conn.execute(
            "SELECT outbox.*, orders.owner FROM outbox JOIN orders ON orders.order_id = outbox.order_id"
            " WHERE outbox.acked_ns IS NULL AND (orders.owner = ? OR orders.owner IS NULL) ORDER BY delivery_id",
            (owner,),
        )
        return [records.delivery_from_row(row) for row in rows]

    def ack_order(self, order_id: str, keys: dict[str, str], acked_ns: int | None = None) -> int:
        """Acknowledge an order's pending messages, given as kind → dedupe key; how many were pending."""
        acked = self._now_ns() if acked_ns is None else acked_ns
        count = 0
        with self._write() as conn:
            for kind, key in keys.items():
                cursor = conn.execute(
                    "UPDATE outbox SET acked_ns = ? WHERE order_id = ? AND kind = ? AND dedupe_key = ?"
                    " AND acked_ns IS NULL",
                    (acked, order_id, kind, key),
                )
                count += cursor.rowcount
        return count

    def derive_missing_finals(self) -> int:
        """Enqueue the final messages of every finished order that lacks them (a crash, an old journal).

        Needs ``finalizer``; returns how many orders were completed. Each order is one transaction.
        """
        if self.finalizer is None:
            return 0
        due = [row[0] for row in self._conn.execute("SELECT order_id FROM orders WHERE final_queued = 0")]
        done = 0
        for order_id in due:
            with self._write() as conn:
                order = records.select_orders(conn, "orders.order_id = ?", [order_id])[0]
                if order.is_terminal:
                    self._finished.append(order_id)
                    done += 1
        return done

    def _queue_finals(self, conn: sqlite3.Connection) -> None:
        """In the closing transaction: the final messages of the orders that finished in it."""
        finalizer = self.finalizer
        if finalizer is None or not self._finished:
            return
        for order_id in self._finished:
            row = conn.execute("SELECT owner, final_queued FROM orders WHERE order_id = ?", (order_id,)).fetchone()
            if row is None or row["final_queued"]:
                continue
            owner = row["owner"]
            if owner != "":
                order = records.select_orders(conn, "orders.order_id = ?", [order_id])[0]
                revision = conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE order_id = ? AND kind = 'ORDER_UPDATE'", (order_id,)
                ).fetchone()[0]
                try:
                    messages = finalizer(order, owner, revision)
                except Exception:  # never lose the change itself: recovery derives the messages on start
                    log.exception("could not build the final messages of order %s; derived again on start", order_id)
                    continue
                now = self._now_ns()
                for kind, key, payload in messages:
                    conn.execute(
                        "INSERT OR IGNORE INTO outbox (order_id, kind, dedupe_key, payload, created_ns)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (order_id, kind, key, bytes(payload), now),
                    )
            conn.execute("UPDATE orders SET final_queued = 1 WHERE order_id = ?", (order_id,))
