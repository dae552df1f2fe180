"""The gateway's durable journal (SQLite, WAL): orders, legs, fills, events and the NEXUS outbox.

See ``docs/journal.md`` for the schema, the durability guarantee and the CLI that reads it.
"""

from nexus_gw.journal.errors import (
    ConflictError,
    JournalError,
    JournalLocked,
    JournalMissing,
    JournalReadOnly,
    NewerSchemaError,
    UnknownLegError,
    UnknownOrderError,
)
from nexus_gw.journal.records import Delivery, EventRecord, FillRecord, Recovery, StatusRecord
from nexus_gw.journal.replay import restore_book
from nexus_gw.journal.store import JOURNAL_FILE, Journal, journal_path

__all__ = [
    "JOURNAL_FILE",
    "ConflictError",
    "Delivery",
    "EventRecord",
    "FillRecord",
    "Journal",
    "JournalError",
    "JournalLocked",
    "JournalMissing",
    "JournalReadOnly",
    "NewerSchemaError",
    "Recovery",
    "StatusRecord",
    "UnknownLegError",
    "UnknownOrderError",
    "journal_path",
    "restore_book",
]
