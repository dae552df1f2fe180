"""The signal-time price of an order: the last quote the gateway held for the order's root when the signal
arrived, journaled on the order's row (``orders.ref_*`` columns, schema version 3) in the same transaction as
the order. The after-close report measures each platform's fill against it.

A journal written before version 3, or an order placed before any quote arrived, has no reference (None).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nexus_gw.journal import queries, records


@dataclass(frozen=True, slots=True)
class ReferenceQuote:
    """A quote of a root as the gateway last received it: from ``platform`` at ``ts_ns`` (gateway clock)."""

    platform: str
    bid: float
    ask: float
    last: float
    ts_ns: int

    @property
    def price(self) -> float | None:
        """The arrival price: the bid/ask midpoint when both are positive, else the last price (None if 0)."""
        if self.bid > 0 and self.ask > 0:
            return (self.bid + self.ask) / 2
        return self.last if self.last > 0 else None


_COLUMNS = ("ref_platform", "ref_bid", "ref_ask", "ref_last", "ref_ns")


def write(conn: sqlite3.Connection, order_id: str, quote: ReferenceQuote) -> None:
    """Store ``quote`` as the reference of a just-inserted order (inside the caller's transaction)."""
    conn.execute(
        "UPDATE orders SET ref_platform = ?, ref_bid = ?, ref_ask = ?, ref_last = ?, ref_ns = ? WHERE order_id = ?",
        (quote.platform, quote.bid, quote.ask, quote.last, quote.ts_ns, order_id),
    )


def has_columns(conn: sqlite3.Connection) -> bool:
    """True when the journal's ``orders`` table has the reference columns (version 3 or later)."""
    names = {row[1] for row in conn.execute("PRAGMA table_info(orders)")}
    return set(_COLUMNS) <= names


def read(conn: sqlite3.Connection, since: datetime | None, until: datetime | None) -> dict[str, ReferenceQuote]:
    """References of the orders created in ``[since, until)`` by order id; empty for an older journal."""
    if not has_columns(conn):
        return {}
    where, params = queries.time_range(records.ORDER_TIME, since, until)
    rows = conn.execute(
        f"SELECT order_id, {', '.join(_COLUMNS)} FROM orders WHERE {where} AND ref_ns IS NOT NULL", params
    ).fetchall()
    return {row["order_id"]: _quote(row) for row in rows}


def _quote(row: Any) -> ReferenceQuote:
    return ReferenceQuote(
        platform=row["ref_platform"] or "",
        bid=row["ref_bid"] or 0.0,
        ask=row["ref_ask"] or 0.0,
        last=row["ref_last"] or 0.0,
        ts_ns=row["ref_ns"],
    )
