"""The journal's SQL schema, its version, and how a database is brought to it.

Times are integer nanoseconds since the Unix epoch (UTC). Quantities and prices are REAL (IEEE doubles, so a
Python float round-trips exactly). Columns marked *derived* are recomputed by the journal from the domain
rules in the same transaction as the record that changed them; everything else is what was reported.

``leg_status_history.seq`` and ``executions.seq`` share one counter: together they are the order in which the
gateway applied platform reports, which is the order ``replay`` feeds them back through the domain.
"""

from __future__ import annotations

import sqlite3

from nexus_gw.journal.errors import JournalError, NewerSchemaError

#: Version written by this code. Bump it and add a step to ``MIGRATIONS`` for every schema change.
SCHEMA_VERSION = 3

#: Version 2: every order names its owner (the signal engine that sent it; "" for the gateway's own orders;
#: NULL for orders journaled before owners were kept), and ``final_queued`` says whether the messages that
#: tell the owner how the order ended (final ORDER_UPDATE, FILL) are in the outbox. An order that finished in
#: a v1 journal with an execution but without a FILL in the outbox (a crash between the two) is marked as
#: still due, so the recovery step on start derives its FILL from the journal.
_V2 = (
    "ALTER TABLE orders ADD COLUMN owner TEXT",
    "ALTER TABLE orders ADD COLUMN final_queued INTEGER NOT NULL DEFAULT 1 CHECK (final_queued IN (0, 1))",
    "UPDATE orders SET owner = '' WHERE client_id LIKE 'roll:%' OR client_id LIKE 'flatten:%'",
    """
    UPDATE orders SET final_queued = 0
    WHERE is_open = 0 AND avg_price IS NOT NULL AND (owner IS NULL OR owner != '')
      AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.order_id = orders.order_id AND outbox.kind = 'FILL')
    """,
    "CREATE INDEX orders_final_due ON orders (order_id) WHERE final_queued = 0",
    "CREATE INDEX outbox_order ON outbox (order_id)",
)

#: Version 3: the signal-time price. ``ref_*`` hold the last quote the gateway had for the order's root when
#: the signal arrived (platform, bid, ask, last, gateway time in ns); NULL when none was known or for orders
#: journaled before version 3. See nexus_gw/journal/references.py.
_V3 = (
    "ALTER TABLE orders ADD COLUMN ref_platform TEXT",
    "ALTER TABLE orders ADD COLUMN ref_bid REAL",
    "ALTER TABLE orders ADD COLUMN ref_ask REAL",
    "ALTER TABLE orders ADD COLUMN ref_last REAL",
    "ALTER TABLE orders ADD COLUMN ref_ns INTEGER",
)

#: ``MIGRATIONS[n]`` upgrades a journal at version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, tuple[str, ...]] = {1: _V2, 2: _V3}

_V1 = (
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE orders (
        order_id     TEXT PRIMARY KEY,
        client_id    TEXT NOT NULL UNIQUE,
        root         TEXT NOT NULL,
        side         TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
        qty          REAL NOT NULL CHECK (qty >= 0),
        order_type   TEXT NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT', 'STOP')),
        limit_price  REAL,
        stop_price   REAL,
        created_ns   INTEGER NOT NULL,
        reason       TEXT NOT NULL DEFAULT '',
        rejected     INTEGER NOT NULL DEFAULT 0 CHECK (rejected IN (0, 1)),
        status       TEXT NOT NULL,
        is_open      INTEGER NOT NULL CHECK (is_open IN (0, 1)),
        filled_qty   REAL NOT NULL DEFAULT 0,
        avg_price    REAL,
        recorded_ns  INTEGER NOT NULL,
        updated_ns   INTEGER NOT NULL
    )
    """,
    "CREATE INDEX orders_open ON orders (created_ns) WHERE is_open = 1",
    "CREATE INDEX orders_created ON orders (created_ns)",
    """
    CREATE TABLE legs (
        leg_id                    TEXT PRIMARY KEY,
        order_id                  TEXT NOT NULL REFERENCES orders (order_id),
        position                  INTEGER NOT NULL,
        platform                  TEXT NOT NULL,
        symbol                    TEXT NOT NULL,
        side                      TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
        qty                       REAL NOT NULL CHECK (qty > 0),
        multiplier                REAL NOT NULL DEFAULT 1 CHECK (multiplier > 0),
        initial_status            TEXT NOT NULL,
        initial_reason            TEXT NOT NULL DEFAULT '',
        initial_platform_order_id TEXT NOT NULL DEFAULT '',
        status                    TEXT NOT NULL,
        reason                    TEXT NOT NULL DEFAULT '',
        platform_order_id         TEXT NOT NULL DEFAULT '',
        updated_ns                INTEGER NOT NULL,
        UNIQUE (order_id, position)
    )
    """,
    "CREATE INDEX legs_platform ON legs (platform)",
    """
    CREATE TABLE leg_status_history (
        seq               INTEGER PRIMARY KEY,
        leg_id            TEXT NOT NULL REFERENCES legs (leg_id),
        reported_status   TEXT NOT NULL,
        reason            TEXT NOT NULL,
        platform_order_id TEXT NOT NULL,
        status_after      TEXT NOT NULL,
        changed           INTEGER NOT NULL CHECK (changed IN (0, 1)),
        ts_ns             INTEGER NOT NULL,
        recorded_ns       INTEGER NOT NULL
    )
    """,
    "CREATE INDEX history_leg ON leg_status_history (leg_id, seq)",
    """
    CREATE TABLE executions (
        seq          INTEGER NOT NULL UNIQUE,
        leg_id       TEXT NOT NULL REFERENCES legs (leg_id),
        fill_id      TEXT NOT NULL,
        qty          REAL NOT NULL CHECK (qty > 0),
        price        REAL NOT NULL CHECK (price > 0),
        ts_ns        INTEGER NOT NULL,
        recorded_ns  INTEGER NOT NULL,
        UNIQUE (leg_id, fill_id)
    )
    """,
    "CREATE INDEX executions_time ON executions (recorded_ns)",
    """
    CREATE TABLE events (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        kind         TEXT NOT NULL,
        data         TEXT NOT NULL,
        ts_ns        INTEGER NOT NULL,
        recorded_ns  INTEGER NOT NULL
    )
    """,
    "CREATE INDEX events_kind ON events (kind, seq)",
    """
    CREATE TABLE outbox (
        delivery_id  INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id     TEXT NOT NULL REFERENCES orders (order_id),
        kind         TEXT NOT NULL,
        dedupe_key   TEXT NOT NULL DEFAULT '',
        payload      BLOB NOT NULL,
        created_ns   INTEGER NOT NULL,
        acked_ns     INTEGER,
        UNIQUE (order_id, kind, dedupe_key)
    )
    """,
    "CREATE INDEX outbox_pending ON outbox (delivery_id) WHERE acked_ns IS NULL",
)


def read_version(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in ``meta``; None for an empty database."""
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if not has_meta:
        tables = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise JournalError(
                "the database has tables but no 'meta' table, so it is not a nexusgw journal; "
                "point gateway.data_dir at a directory of its own"
            )
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise JournalError("the journal's meta table has no schema_version; the file is damaged, restore a backup")
    return int(row[0])


def check_version(version: int, where: str) -> None:
    """Refuse a journal written by a newer nexusgw."""
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"journal {where} has schema version {version}, but this nexusgw understands up to {SCHEMA_VERSION}; "
            "upgrade nexusgw, or point gateway.data_dir elsewhere to start a new journal"
        )


def ensure_schema(conn: sqlite3.Connection, where: str) -> int:
    """Create the schema in an empty database or migrate an older one; returns the version now in use.

    Runs in one transaction: a crash leaves either the old schema or the new one.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = read_version(conn)
        if version is None:
            for statement in _V1:
                conn.execute(statement)
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
            version = 1  # then migrated like any version-1 journal
        check_version(version, where)
        while version < SCHEMA_VERSION:
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            version += 1
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version
