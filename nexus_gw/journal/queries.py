"""Reading the journal: fills, leg histories, events and look-ups by leg or order, over an open connection."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from nexus_gw.domain.orders import Execution
from nexus_gw.journal import records
from nexus_gw.journal.records import EventRecord, FillRecord, StatusRecord

_FILL_COLUMNS = """
    e.seq, e.leg_id, e.fill_id, e.qty, e.price, e.ts_ns, e.recorded_ns,
    l.platform, l.symbol, l.side, o.order_id, o.client_id, o.root
"""
_FILL_TIME = "(CASE WHEN e.ts_ns > 0 THEN e.ts_ns ELSE e.recorded_ns END)"


def time_range(column: str, since: datetime | None, until: datetime | None) -> tuple[str, list[Any]]:
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


def fills(
    conn: sqlite3.Connection,
    since: datetime | None,
    until: datetime | None,
    platform: str | None,
    root: str | None,
) -> list[FillRecord]:
    where, params = time_range(_FILL_TIME, since, until)
    if platform is not None:
        where += " AND l.platform = ?"
        params.append(platform)
    if root is not None:
        where += " AND o.root = ?"
        params.append(root)
    rows = conn.execute(
        f"SELECT {_FILL_COLUMNS} FROM executions e JOIN legs l ON l.leg_id = e.leg_id"
        f" JOIN orders o ON o.order_id = l.order_id WHERE {where} ORDER BY e.seq",
        params,
    ).fetchall()
    return [records.fill_from_row(row) for row in rows]


def leg_history(conn: sqlite3.Connection, leg_id: str) -> list[StatusRecord]:
    rows = conn.execute("SELECT * FROM leg_status_history WHERE leg_id = ? ORDER BY seq", (leg_id,))
    return [records.status_from_row(row) for row in rows]


def leg_executions(conn: sqlite3.Connection, leg_id: str) -> list[Execution]:
    rows = conn.execute("SELECT * FROM executions WHERE leg_id = ? ORDER BY seq", (leg_id,))
    return [records.execution_from_row(row) for row in rows]


def order_id_of_leg(conn: sqlite3.Connection, leg_id: str) -> str | None:
    row = conn.execute("SELECT order_id FROM legs WHERE leg_id = ?", (leg_id,)).fetchone()
    return None if row is None else row["order_id"]


def owner_of(conn: sqlite3.Connection, order_id: str) -> str | None:
    row = conn.execute("SELECT owner FROM orders WHERE order_id = ?", (order_id,)).fetchone()
    return None if row is None else row[0]


def insert_event(conn: sqlite3.Connection, kind: str, data: str, ts_ns: int, now_ns: int) -> int:
    """Insert an event whose data is already encoded (``records.encode_event_data``); its seq."""
    cursor = conn.execute(
        "INSERT INTO events (kind, data, ts_ns, recorded_ns) VALUES (?, ?, ?, ?)", (kind, data, ts_ns, now_ns)
    )
    return int(cursor.lastrowid or 0)


def events(
    conn: sqlite3.Connection, kind: str | None, since: datetime | None, until: datetime | None
) -> list[EventRecord]:
    where, params = time_range("ts_ns", since, until)
    if kind is not None:
        where += " AND kind = ?"
        params.append(kind)
    rows = conn.execute(f"SELECT * FROM events WHERE {where} ORDER BY seq", params)
    return [records.event_from_row(row) for row in rows]


def latest_event(conn: sqlite3.Connection, kind: str) -> EventRecord | None:
    row = conn.execute("SELECT * FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1", (kind,)).fetchone()
    return records.event_from_row(row) if row else None
