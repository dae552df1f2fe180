"""The NEXUS outbox: messages kept until their engine acknowledges them, and each order's final messages.

A message is named by (order id, kind, dedupe key): enqueueing it again returns the first delivery and keeps the
first payload. The final messages of an order (how it ended, for its owner) are written in the same transaction
as the change that finished it — ``FinalsDue`` collects the orders that finished in the open transaction and
``FinalsDue.queue`` writes their messages just before the commit.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from nexus_gw.journal import records
from nexus_gw.journal.errors import UnknownOrderError
from nexus_gw.journal.live import LiveOrders
from nexus_gw.journal.records import Delivery, Finalizer

log = logging.getLogger(__name__)

_WITH_OWNER = "SELECT outbox.*, orders.owner FROM outbox JOIN orders ON orders.order_id = outbox.order_id"


def enqueue(conn: sqlite3.Connection, order_id: str, kind: str, payload: bytes, key: str, created_ns: int) -> int:
    """Insert a message unless (order id, kind, key) is there already; the delivery id either way."""
    row = conn.execute(
        "SELECT delivery_id FROM outbox WHERE order_id = ? AND kind = ? AND dedupe_key = ?",
        (order_id, kind, key),
    ).fetchone()
    if row is not None:
        return int(row[0])
    try:
        cursor = conn.execute(
            "INSERT INTO outbox (order_id, kind, dedupe_key, payload, created_ns) VALUES (?, ?, ?, ?, ?)",
            (order_id, kind, key, bytes(payload), created_ns),
        )
    except sqlite3.IntegrityError:
        raise UnknownOrderError(
            f"order {order_id} is not in the journal, so a {kind} message for it cannot be queued; "
            "record the order first"
        ) from None
    return int(cursor.lastrowid or 0)


def pending(conn: sqlite3.Connection, limit: int | None = None) -> list[Delivery]:
    sql = "SELECT * FROM outbox WHERE acked_ns IS NULL ORDER BY delivery_id"
    rows = conn.execute(sql + " LIMIT ?", (limit,)) if limit is not None else conn.execute(sql)
    return [records.delivery_from_row(row) for row in rows]


def ack(conn: sqlite3.Connection, delivery_id: int, acked_ns: int) -> bool:
    cursor = conn.execute(
        "UPDATE outbox SET acked_ns = ? WHERE delivery_id = ? AND acked_ns IS NULL", (acked_ns, delivery_id)
    )
    return cursor.rowcount == 1


def deliveries(conn: sqlite3.Connection, order_id: str) -> list[Delivery]:
    rows = conn.execute(f"{_WITH_OWNER} WHERE outbox.order_id = ? ORDER BY delivery_id", (order_id,))
    return [records.delivery_from_row(row) for row in rows]


def pending_for(conn: sqlite3.Connection, owner: str) -> list[Delivery]:
    rows = conn.execute(
        f"{_WITH_OWNER} WHERE outbox.acked_ns IS NULL AND (orders.owner = ? OR orders.owner IS NULL)"
        " ORDER BY delivery_id",
        (owner,),
    )
    return [records.delivery_from_row(row) for row in rows]


def ack_order(conn: sqlite3.Connection, order_id: str, keys: dict[str, str], acked_ns: int) -> int:
    count = 0
    for kind, key in keys.items():
        cursor = conn.execute(
            "UPDATE outbox SET acked_ns = ? WHERE order_id = ? AND kind = ? AND dedupe_key = ? AND acked_ns IS NULL",
            (acked_ns, order_id, kind, key),
        )
        count += cursor.rowcount
    return count


def finals_not_queued(conn: sqlite3.Connection) -> list[str]:
    """Orders whose final messages were never queued (finished or not)."""
    return [row[0] for row in conn.execute("SELECT order_id FROM orders WHERE final_queued = 0")]


class FinalsDue:
    """The orders that finished in the open write transaction, in the order they finished."""

    def __init__(self, live: LiveOrders | None = None) -> None:
        self.order_ids: list[str] = []
        #: The writer's copy of the orders it writes (journal/live.py), kept in step with the transactions.
        self.live = live if live is not None else LiveOrders()

    def rolled_back(self) -> None:
        """The open (sub)transaction rolled back: the writer's copy may hold what it wrote, so it starts over."""
        self.live.clear()

    def add(self, order_id: str) -> None:
        if order_id not in self.order_ids:
            self.order_ids.append(order_id)

    def clear(self) -> None:
        self.order_ids = []

    def queue(self, conn: sqlite3.Connection, finalizer: Finalizer | None, now_ns: Callable[[], int]) -> None:
        """In the closing transaction: write the final messages of the orders that finished in it.

        Without a finalizer nothing is written and the orders stay due (``finals_not_queued``). An order for the
        gateway itself (owner "") needs no message; a finalizer that raises leaves its order due, never the
        change that finished it lost. A finished order leaves the writer's copy (``live``) either way.
        """
        if not self.order_ids:
            return
        if finalizer is None:
            for order_id in self.order_ids:
                self.live.forget(order_id)
            return
        for order_id in self.order_ids:
            written = self.live.get(conn, order_id)
            self.live.forget(order_id)
            if written is None or written.final_queued:
                continue
            owner = written.owner
            if owner != "":
                revision = conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE order_id = ? AND kind = 'ORDER_UPDATE'", (order_id,)
                ).fetchone()[0]
                try:
                    messages = finalizer(written.order, owner, revision)
                except Exception:  # never lose the change itself: recovery derives the messages on start
                    log.exception("could not build the final messages of order %s; derived again on start", order_id)
                    continue
                now = now_ns()
                for kind, key, payload in messages:
                    conn.execute(
                        "INSERT OR IGNORE INTO outbox (order_id, kind, dedupe_key, payload, created_ns)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (order_id, kind, key, bytes(payload), now),
                    )
            conn.execute("UPDATE orders SET final_queued = 1 WHERE order_id = ?", (order_id,))
