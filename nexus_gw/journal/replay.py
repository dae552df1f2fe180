"""Rebuilding orders from the journal's history, checking the stored state against it, and recovery on start.

``replay`` starts every leg in the state it was recorded in and feeds it every journaled status report and
execution in journal order (``seq``), through the same domain methods the gateway used live. The result must
equal the stored state (``load_orders``); ``verify`` says where it does not.
"""

from __future__ import annotations

import sqlite3

from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.domain.types import OrderStatus
from nexus_gw.journal import records


def replay(conn: sqlite3.Connection) -> list[Order]:
    """Every journaled order, rebuilt from its recorded legs and its leg events in journal order."""
    conn.execute("BEGIN")
    try:
        order_rows = conn.execute(f"SELECT * FROM orders ORDER BY {records.ORDER_TIME}, order_id").fetchall()
        leg_rows = conn.execute("SELECT * FROM legs ORDER BY order_id, position").fetchall()
        history = conn.execute("SELECT * FROM leg_status_history").fetchall()
        executions = conn.execute("SELECT * FROM executions").fetchall()
    finally:
        conn.execute("COMMIT")
    orders = {row["order_id"]: records.order_from_row(row) for row in order_rows}
    legs: dict[str, Leg] = {}
    for row in leg_rows:
        leg = records.leg_from_row(row, initial=True)
        orders[row["order_id"]].add_leg(leg)
        legs[leg.leg_id] = leg
    events = sorted([*history, *executions], key=lambda row: row["seq"])
    for row in events:
        leg = legs[row["leg_id"]]
        if "fill_id" in row.keys():  # noqa: SIM118 (sqlite3.Row supports keys() only)
            leg.apply_execution(records.execution_from_row(row))
        else:
            leg.apply_status(OrderStatus(row["reported_status"]), row["reason"], row["platform_order_id"])
    return list(orders.values())


def _describe_leg(leg: Leg) -> tuple[object, ...]:
    return (leg.status, leg.reason, leg.platform_order_id, list(leg.executions.items()))


def verify(conn: sqlite3.Connection) -> list[str]:
    """Problems found in the journal; an empty list means it is consistent. Reads the whole journal."""
    problems = [f"integrity: {row[0]}" for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"foreign key: {tuple(row)}" for row in conn.execute("PRAGMA foreign_key_check")]
    if problems:
        return problems
    stored = {o.order_id: o for o in records.select_orders(conn, "1 = 1", [])}
    derived = {row["order_id"]: row for row in conn.execute("SELECT order_id, status, is_open, filled_qty FROM orders")}
    try:
        replayed = replay(conn)
    except (ValueError, KeyError) as exc:
        return [f"replay failed: {exc}"]
    for order in replayed:
        kept = stored[order.order_id]
        for leg_id, leg in order.legs.items():
            if _describe_leg(leg) != _describe_leg(kept.legs[leg_id]):
                problems.append(
                    f"leg {leg_id}: stored {_describe_leg(kept.legs[leg_id])[:3]} but replay gives "
                    f"{_describe_leg(leg)[:3]}"
                )
        row = derived[order.order_id]
        expected = (order.status.value, int(not order.is_terminal), order.filled_qty)
        if (row["status"], row["is_open"], row["filled_qty"]) != expected:
            problems.append(
                f"order {order.order_id}: stored status/open/filled {tuple(row)[1:]} but replay gives {expected}"
            )
    return problems


def restore_book(book: OrderBook, orders: list[Order]) -> None:
    """Put journaled orders back into an empty order book, with its client-id, leg and per-root indexes.

    Orders that finished before the crash are not loaded; a resent client id of one of those must be
    looked up with ``Journal.order_for_client`` before a new order is created.
    """
    for order in orders:
        book.orders[order.order_id] = order
        book.by_client[order.client_id] = order.order_id
        for leg_id in order.legs:
            book.by_leg[leg_id] = order.order_id
        if not order.is_terminal:
            book.active_by_root[order.root] = order.order_id
