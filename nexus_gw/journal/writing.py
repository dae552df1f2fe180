"""Writing orders, legs, leg status reports and executions, inside a transaction the ``Journal`` opened.

Each function takes the open connection and the journal time ``now`` (ns). Leg state follows the domain rules:
a report is applied to the stored leg with the same ``Leg`` methods the order book uses, so stored state and
in-memory state agree, and a duplicate execution (same leg id and fill id) is refused by the state machine and
by a UNIQUE constraint. ``on_finished`` is told the id of every order a write leaves terminal (the journal
queues its final messages before the transaction commits).

The stored order a report applies to comes from ``live`` (the writer's copy of the orders it writes, see
``nexus_gw.journal.live``), read from the file only when not kept there; the derived columns are computed from it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from nexus_gw.domain.fill_times import same_execution
from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.types import OrderStatus
from nexus_gw.journal.errors import ConflictError, UnknownLegError
from nexus_gw.journal.live import LiveOrders, Written

log = logging.getLogger(__name__)

OnFinished = Callable[[str], None]


def insert_order(
    conn: sqlite3.Connection, order: Order, owner: str | None, now: int, live: LiveOrders | None = None
) -> bool:
    """Insert an order and its legs; False (and nothing written) when the same order is already there."""
    if already_recorded(conn, order):
        return False
    final_queued = owner == "" or order.is_terminal  # a refusal is answered directly, not via the outbox
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
            int(final_queued),
        ),
    )
    for position, leg in enumerate(order.legs.values()):
        insert_leg(conn, order.order_id, position, leg, now)
    if live is not None:
        live.recorded(order, owner, final_queued)
    return True


def already_recorded(conn: sqlite3.Connection, order: Order) -> bool:
    """True when this very order is journaled; ConflictError when its id or client id names another one."""
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


def insert_leg(conn: sqlite3.Connection, order_id: str, position: int, leg: Leg, now: int) -> None:
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


def apply_leg_status(
    conn: sqlite3.Connection,
    leg_id: str,
    status: OrderStatus,
    reason: str,
    platform_order_id: str,
    ts_ns: int,
    *,
    now: int,
    on_finished: OnFinished,
    live: LiveOrders | None = None,
) -> bool:
    """Keep a platform's status report for a leg and apply it; True when it changed the leg's status.

    Every report goes to ``leg_status_history`` (stale and repeated ones too, for the audit trail).
    """
    live = live if live is not None else LiveOrders(enabled=False)
    written, leg = _written_leg(conn, leg_id, live)
    try:
        before = (leg.status, leg.reason, leg.platform_order_id)
        changed = leg.apply_status(status, reason, platform_order_id)
        conn.execute(
            "INSERT INTO leg_status_history (seq, leg_id, reported_status, reason, platform_order_id,"
            " status_after, changed, ts_ns, recorded_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                live.next_seq(conn),
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
            store_leg_state(conn, leg, now)
            refresh_order(conn, written.order, now, on_finished)
    except BaseException:
        live.forget(written.order.order_id)  # the copy may hold what the file does not: read it again next time
        raise
    return changed


def apply_execution(
    conn: sqlite3.Connection,
    leg_id: str,
    execution: Execution,
    *,
    now: int,
    on_finished: OnFinished,
    live: LiveOrders | None = None,
) -> bool:
    """Keep an execution once and apply it to its leg; False for a repeat of (leg id, fill id)."""
    live = live if live is not None else LiveOrders(enabled=False)
    written, leg = _written_leg(conn, leg_id, live)
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
    try:
        status_before = leg.status
        # as the file gives it back (REAL columns are floats)
        leg.apply_execution(Execution(execution.fill_id, float(execution.qty), float(execution.price), execution.ts_ns))
        conn.execute(
            "INSERT INTO executions (seq, leg_id, fill_id, qty, price, ts_ns, recorded_ns)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (live.next_seq(conn), leg_id, execution.fill_id, execution.qty, execution.price, execution.ts_ns, now),
        )
        if leg.status != status_before:
            store_leg_state(conn, leg, now)
        if written.final_queued:  # an execution after the order's final messages were queued: a correction is due
            conn.execute("UPDATE orders SET final_queued = 0 WHERE order_id = ?", (written.order.order_id,))
            written.final_queued = False
        refresh_order(conn, written.order, now, on_finished)
    except BaseException:
        live.forget(written.order.order_id)
        raise
    return True


def _written_leg(conn: sqlite3.Connection, leg_id: str, live: LiveOrders) -> tuple[Written, Leg]:
    """The stored order that owns ``leg_id`` and the leg in it (with its executions)."""
    written = live.of_leg(conn, leg_id)
    if written is None:
        raise UnknownLegError(
            f"leg {leg_id} is not in the journal; record_order must journal an order before its legs are "
            "sent, so this report is for a leg this gateway did not place"
        )
    return written, written.order.legs[leg_id]


def store_leg_state(conn: sqlite3.Connection, leg: Leg, now: int) -> None:
    conn.execute(
        "UPDATE legs SET status = ?, reason = ?, platform_order_id = ?, updated_ns = ? WHERE leg_id = ?",
        (leg.status.value, leg.reason, leg.platform_order_id, now, leg.leg_id),
    )


def refresh_order(conn: sqlite3.Connection, order: Order, now: int, on_finished: OnFinished) -> None:
    """Store an order's derived columns (aggregate status, open flag, filled qty, average price) from its stored
    legs and executions."""
    terminal = order.is_terminal
    if terminal:
        on_finished(order.order_id)
    conn.execute(
        "UPDATE orders SET status = ?, is_open = ?, filled_qty = ?, avg_price = ?, updated_ns = ? WHERE order_id = ?",
        (order.status.value, int(not terminal), order.filled_qty, order.avg_price, now, order.order_id),
    )
