"""The adapter's write-ahead of in-flight legs: which legs it sent, and which platform order each one is.

The runner records a leg here (committed with ``synchronous=FULL``, so it is on disk) *before* it acknowledges
the ORDER and before the driver sends it; it adds the platform order id when the driver reports one
(``order_update(..., platform_order_id=...)``); it closes the record when the leg is finished (rejected,
cancelled, expired, or filled in full). A restarted adapter therefore knows:

- every leg it ever sent (for ``RETENTION_S``), so a repeated ORDER is never sent twice;
- the platform order of every bound leg, so fills the platform lists only by its own order id map to the leg;
- the legs sent but never bound: *in doubt*. Whether the platform has them is settled by the driver against the
  platform's open orders and history (see :mod:`nexus_gw.adapters.indoubt`), never guessed.

SQLite in WAL mode: one file in the adapter's state directory, Windows-safe, used from the runner's thread.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from nexus_gw.protocol.messages import Order

log = logging.getLogger(__name__)

FILE_NAME: Final = "inflight.sqlite"
RETENTION_S: Final = 14 * 86_400
"""Closed records are kept this long (a repeated ORDER is ignored within it), then pruned at start."""
QTY_EPSILON: Final = 1e-9

SCHEMA = """
CREATE TABLE IF NOT EXISTS legs (
    leg_id TEXT PRIMARY KEY,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL,
    order_type TEXT NOT NULL,
    limit_price REAL,
    stop_price REAL,
    sent_ns INTEGER NOT NULL,
    platform_order_id TEXT NOT NULL DEFAULT '',
    filled_qty REAL NOT NULL DEFAULT 0,
    closed TEXT NOT NULL DEFAULT '',
    updated_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
    leg_id TEXT NOT NULL,
    fill_id TEXT NOT NULL,
    qty REAL NOT NULL,
    PRIMARY KEY (leg_id, fill_id)
);
"""


@dataclass(frozen=True, slots=True)
class InFlightLeg:
    """A leg this adapter sent, as written ahead of the send."""

    leg_id: str
    symbol: str
    side: str
    qty: float
    order_type: str
    limit_price: float | None
    stop_price: float | None
    sent_ns: int
    platform_order_id: str = ""
    filled_qty: float = 0.0
    finished: str = ""
    """Empty while the leg is open; else the final status (REJECTED, CANCELLED, EXPIRED, FILLED)."""

    @property
    def sent_at(self) -> float:
        """The send time in Unix seconds."""
        return self.sent_ns / 1e9


class InFlightStore:
    """Durable leg records in ``path`` (``":memory:"`` for a non-durable store, tests only)."""

    def __init__(self, path: Path | str, now_ns: int | None = None) -> None:
        self.path = path
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(SCHEMA)
        cutoff = (now_ns if now_ns is not None else time.time_ns()) - RETENTION_S * 1_000_000_000
        with self._lock, self._conn:
            self._conn.execute(
                "DELETE FROM fills WHERE leg_id IN (SELECT leg_id FROM legs WHERE closed != '' AND updated_ns < ?)",
                (cutoff,),
            )
            self._conn.execute("DELETE FROM legs WHERE closed != '' AND updated_ns < ?", (cutoff,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------------------------------------ writes

    def record(self, order: Order, now_ns: int | None = None) -> bool:
        """Write ``order`` ahead of its send; False (nothing written) if this leg id was recorded before.

        Returns only once the record is on disk; raises ``sqlite3.Error``/``OSError`` if it cannot be written,
        and then the leg must not be sent.
        """
        now = now_ns if now_ns is not None else time.time_ns()
        with self._lock, self._conn:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO legs (leg_id, symbol, side, qty, order_type, limit_price, stop_price, sent_ns,"
                " updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order.leg_id,
                    order.symbol,
                    str(order.side),
                    order.qty,
                    str(order.order_type),
                    order.limit_price,
                    order.stop_price,
                    now,
                    now,
                ),
            )
            return cursor.rowcount == 1

    def bind(self, leg_id: str, platform_order_id: str) -> bool:
        """Record the platform order of ``leg_id``; True when new. The first binding stands."""
        if not platform_order_id:
            return False
        with self._lock, self._conn:
            cursor = self._conn.execute(
                "UPDATE legs SET platform_order_id = ?, updated_ns = ? WHERE leg_id = ? AND platform_order_id = ''",
                (platform_order_id, time.time_ns(), leg_id),
            )
            return cursor.rowcount == 1

    def add_fill(self, leg_id: str, fill_id: str, qty: float) -> bool:
        """Count a fill of ``leg_id`` once; closes the record when the leg is filled in full. True when closed."""
        with self._lock, self._conn:
            row = self._conn.execute("SELECT qty FROM legs WHERE leg_id = ?", (leg_id,)).fetchone()
            if row is None:
                return False
            self._conn.execute(
                "INSERT OR IGNORE INTO fills (leg_id, fill_id, qty) VALUES (?, ?, ?)", (leg_id, fill_id, qty)
            )
            (filled,) = self._conn.execute(
                "SELECT COALESCE(SUM(qty), 0) FROM fills WHERE leg_id = ?", (leg_id,)
            ).fetchone()
            done = filled >= row[0] - QTY_EPSILON
            self._conn.execute(
                "UPDATE legs SET filled_qty = ?, closed = CASE WHEN ? AND closed = '' THEN 'FILLED' ELSE closed END,"
                " updated_ns = ? WHERE leg_id = ?",
                (filled, int(done), time.time_ns(), leg_id),
            )
            return done

    def finish(self, leg_id: str, status: str) -> None:
        """The leg is finished at the platform (``status``: REJECTED, CANCELLED, EXPIRED, FILLED)."""
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE legs SET closed = ?, updated_ns = ? WHERE leg_id = ? AND closed = ''",
                (status, time.time_ns(), leg_id),
            )

    # ------------------------------------------------------------------------------------------------- reads

    def known(self, leg_id: str) -> bool:
        """True if ``leg_id`` was recorded (open or finished, within ``RETENTION_S``)."""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM legs WHERE leg_id = ?", (leg_id,)).fetchone() is not None

    def get(self, leg_id: str) -> InFlightLeg | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM legs WHERE leg_id = ?", (leg_id,)).fetchone()
        return _leg(row) if row is not None else None

    def open_legs(self) -> list[InFlightLeg]:
        """Every leg not finished yet, oldest first (bound or in doubt)."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM legs WHERE closed = '' ORDER BY sent_ns").fetchall()
        return [_leg(row) for row in rows]

    def all_legs(self) -> list[InFlightLeg]:
        """Every record kept (open and finished within ``RETENTION_S``), oldest first."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM legs ORDER BY sent_ns").fetchall()
        return [_leg(row) for row in rows]


_COLUMNS = (
    "leg_id, symbol, side, qty, order_type, limit_price, stop_price, sent_ns, platform_order_id, filled_qty, closed"
)


def _leg(row: tuple[Any, ...]) -> InFlightLeg:
    leg_id, symbol, side, qty, order_type, limit_price, stop_price, sent_ns, platform_order_id, filled_qty, closed = row
    return InFlightLeg(
        leg_id=str(leg_id),
        symbol=str(symbol),
        side=str(side),
        qty=float(qty),
        order_type=str(order_type),
        limit_price=None if limit_price is None else float(limit_price),
        stop_price=None if stop_price is None else float(stop_price),
        sent_ns=int(sent_ns),
        platform_order_id=str(platform_order_id),
        filled_qty=float(filled_qty),
        finished=str(closed),
    )


def default_path(state_dir: Path) -> Path:
    return state_dir / FILE_NAME


__all__ = ["FILE_NAME", "InFlightLeg", "InFlightStore", "default_path"]
