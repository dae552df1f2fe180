"""The writer's copy of the orders it is still writing to, exactly as journaled, so that a leg report costs the
rows it writes and not a reload of its order.

The gateway is the journal's only writer (``WriterLock``), so what it wrote is what the file holds: an order
recorded by this process is kept here, as stored (REAL columns as floats, the recorded legs and reason), and
every report of its legs is applied to this copy with the same domain methods and written in the same step.
An order that is not here (written before a restart, or dropped) is read from the file first, the way
``records.select_orders`` rebuilds it. The next number of the leg events' sequence is kept too.

Nothing here may hold what the file does not: ``clear()`` drops everything when a transaction rolls back (the
journal calls it), ``forget()`` drops one order when writing it failed halfway, and a finished order leaves
once its final messages are queued. Dropping is always safe: the next report reads the order again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from nexus_gw.domain.orders import Leg, Order
from nexus_gw.journal import records


@dataclass
class Written:
    """An order as journaled, with the ``orders`` columns the writer decides on."""

    order: Order
    owner: str | None
    final_queued: bool


class LiveOrders:
    """Orders the writer is working on, by order id and by leg id; ``enabled=False`` keeps nothing (each write
    reads its order from the file, as before this copy existed)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._orders: dict[str, Written] = {}
        self._legs: dict[str, str] = {}  # leg id -> order id
        self._seq: int | None = None  # the last leg-event sequence number written, once read

    def __len__(self) -> int:
        return len(self._orders)

    def clear(self) -> None:
        """Forget everything (a transaction rolled back: the file no longer holds what was applied here)."""
        self._orders.clear()
        self._legs.clear()
        self._seq = None

    def forget(self, order_id: str) -> None:
        written = self._orders.pop(order_id, None)
        if written is not None:
            for leg_id in written.order.legs:
                self._legs.pop(leg_id, None)

    def recorded(self, order: Order, owner: str | None, final_queued: bool) -> None:
        """An order just inserted: keep a copy of it as the file holds it (the caller's object lives on)."""
        if self.enabled and not order.is_terminal:
            self._keep(Written(stored_copy(order), owner, final_queued))

    def _keep(self, written: Written) -> None:
        self._orders[written.order.order_id] = written
        for leg_id in written.order.legs:
            self._legs[leg_id] = written.order.order_id

    def of_leg(self, conn: sqlite3.Connection, leg_id: str) -> Written | None:
        """The order that owns ``leg_id`` (read from the file when not kept); None for a leg never journaled."""
        order_id = self._legs.get(leg_id)
        if order_id is None:
            row = conn.execute("SELECT order_id FROM legs WHERE leg_id = ?", (leg_id,)).fetchone()
            if row is None:
                return None
            order_id = row[0]
        return self.get(conn, order_id)

    def get(self, conn: sqlite3.Connection, order_id: str) -> Written | None:
        """The order ``order_id`` as journaled (read from the file when not kept); None when not journaled."""
        written = self._orders.get(order_id)
        if written is None:
            written = load(conn, order_id)
            if written is not None and self.enabled and not written.order.is_terminal:
                self._keep(written)  # a finished one is read for this write only: nothing would ever drop it
        return written

    def next_seq(self, conn: sqlite3.Connection) -> int:
        """The next number in the journal order of leg events (status reports and executions share it)."""
        seq = self._seq
        if seq is None or not self.enabled:
            row = conn.execute(
                "SELECT MAX(s) FROM (SELECT MAX(seq) AS s FROM leg_status_history"
                " UNION ALL SELECT MAX(seq) FROM executions)"
            ).fetchone()
            seq = row[0] or 0
        self._seq = seq + 1
        return seq + 1


def load(conn: sqlite3.Connection, order_id: str) -> Written | None:
    """An order with its legs and executions as ``records.select_orders`` builds it, and its writer columns."""
    rows = conn.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchall()
    if not rows:
        return None
    legs = conn.execute("SELECT * FROM legs WHERE order_id = ? ORDER BY position", (order_id,)).fetchall()
    executions = conn.execute(
        "SELECT executions.* FROM executions JOIN legs ON legs.leg_id = executions.leg_id"
        " WHERE legs.order_id = ? ORDER BY executions.seq",
        (order_id,),
    ).fetchall()
    order = records.assemble(rows, legs, executions)[0]
    return Written(order, rows[0]["owner"], bool(rows[0]["final_queued"]))


def _real(value: float | None) -> float | None:
    return None if value is None else float(value)


def stored_copy(order: Order) -> Order:
    """What ``records.select_orders`` returns for ``order`` right after ``writing.insert_order`` stored it."""
    copy = Order(
        order_id=order.order_id,
        client_id=order.client_id,
        root=order.root,
        side=order.side,
        qty=float(order.qty),
        order_type=order.order_type,
        limit_price=_real(order.limit_price),
        stop_price=_real(order.stop_price),
        created_ns=order.created_ns,
        reason=order.reason,
        rejected=bool(order.rejected),
    )
    for leg in order.legs.values():
        copy.add_leg(
            Leg(
                leg_id=leg.leg_id,
                platform=leg.platform,
                symbol=leg.symbol,
                side=leg.side,
                qty=float(leg.qty),
                status=leg.status,
                reason=leg.reason,
                platform_order_id=leg.platform_order_id,
                multiplier=float(leg.multiplier),
            )
        )
    return copy
