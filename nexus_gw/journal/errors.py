"""Errors of the journal, named by what the operator or the caller should do."""

from __future__ import annotations

import errno

from nexus_gw.errors import NexusGwError


class JournalError(NexusGwError):
    """The journal could not do what was asked; the message says why and what to do."""


class JournalMissing(JournalError):
    """There is no journal file where one was expected (wrong profile or data directory)."""

    exit_code = 2


class NewerSchemaError(JournalError):
    """The journal was written by a newer nexusgw; upgrade before reading or writing it."""

    exit_code = 2


class JournalLocked(JournalError):
    """Another process already writes this journal; only one gateway may use a data directory."""


class JournalReadOnly(JournalError):
    """A write was attempted on a journal opened read-only."""


class UnknownLegError(JournalError, LookupError):
    """A leg report names a leg that was never recorded (record the order before sending its legs)."""


class UnknownOrderError(JournalError, LookupError):
    """An outbox message names an order that was never recorded."""


class ConflictError(JournalError):
    """A record contradicts one already in the journal (same client id for another order, …)."""


class DataDirNotWritable(JournalError):
    """The gateway's data directory cannot be written (permissions, read-only file system): fix it first."""

    exit_code = 2


class JournalUnavailable(JournalError):
    """The journal cannot take a write right now (disk full, read-only, I/O error); nothing was recorded."""


#: Fragments of SQLite messages that mean "the storage refuses writes", not "the statement is wrong".
_SQLITE_STORAGE_ERRORS = (
    "database or disk is full",
    "disk i/o error",
    "attempt to write a readonly database",
    "unable to open database file",
    "readonly database",
)
#: errno names that mean the same for plain files (those the platform defines).
_STORAGE_ERRNOS = {
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EROFS", "EIO", "EACCES", "EPERM") if hasattr(errno, name)
}


def storage_error(exc: BaseException) -> str | None:
    """Why ``exc`` is a storage failure (full disk, read-only, I/O), or None if it is something else.

    A storage failure is an operating condition: the gateway must keep running, refuse what it cannot record and
    alert. Anything else is a bug and is re-raised by the caller.
    """
    import sqlite3

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, JournalUnavailable):
            return str(current)
        if isinstance(current, sqlite3.OperationalError | sqlite3.DatabaseError):
            text = str(current).lower()
            if any(fragment in text for fragment in _SQLITE_STORAGE_ERRORS):
                return str(current)
        if isinstance(current, OSError) and current.errno in _STORAGE_ERRNOS:
            return current.strerror or str(current)
        current = current.__cause__ or current.__context__
    return None
