"""Opening the journal's SQLite file: one writer with durable settings, or read-only readers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import IO

from nexus_gw.journal import filelock
from nexus_gw.journal.errors import DataDirNotWritable, JournalError, JournalLocked, JournalMissing
from nexus_gw.journal.schema import SCHEMA_VERSION, check_version, ensure_schema, read_version

#: Seconds a connection waits for another one's lock before giving up.
BUSY_TIMEOUT_S = 5.0


class WriterLock:
    """An exclusive lock on ``<journal>.lock``, held while a writer has the journal open.

    A second gateway on the same data directory fails to open the journal instead of writing beside the
    first. The operating system releases the lock when the process ends, however it ends (``journal.filelock``:
    ``flock`` on POSIX, ``msvcrt.locking`` on Windows).
    """

    def __init__(self, journal: Path) -> None:
        self.path = journal.with_name(journal.name + ".lock")
        self._file: IO[str] | None = None
        handle = self.path.open("a+", encoding="ascii")
        if not filelock.try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise JournalLocked(
                f"journal {journal} is being written by another process (pid {holder}); stop that "
                "`nexusgw serve`, or give this profile its own gateway.data_dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            filelock.unlock(self._file)
            self._file.close()
            self._file = None


def connect_writer(path: Path) -> sqlite3.Connection:
    """A connection that may write: creates the file and schema, WAL, synchronous=FULL, foreign keys on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # One writer owns the connection, but it may be opened in one thread and used by the loop in another.
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise JournalError(
                f"journal {path}: SQLite refused WAL mode (got {mode}); put gateway.data_dir on a local "
                "file system (WAL does not work over network shares)"
            )
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        ensure_schema(conn, str(path))
    except BaseException:
        conn.close()
        raise
    return conn


def connect_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing journal at the current schema version."""
    if not path.is_file():
        raise JournalMissing(
            f"no journal at {path}; it is created when `nexusgw serve` first runs with this profile. "
            "Check --profile, or NEXUSGW_GATEWAY__DATA_DIR / gateway.data_dir"
        )
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        version = read_version(conn)
        if version is None:
            raise JournalError(f"journal {path} is empty (no schema); start `nexusgw serve` once to create it")
        check_version(version, str(path))
        if version < SCHEMA_VERSION:
            raise JournalError(
                f"journal {path} has schema version {version}, older than {SCHEMA_VERSION}; start "
                "`nexusgw serve` once with this nexusgw to migrate it, then read it"
            )
    except BaseException:
        conn.close()
        raise
    return conn


def ensure_writable_dir(path: Path) -> None:
    """Create ``path`` if needed and prove a file can be written and removed in it; raise DataDirNotWritable.

    Checked before the journal opens, so a read-only or full data directory stops ``nexusgw serve`` with one clear
    line (exit code 2) instead of a traceback.
    """
    probe = path / f".nexusgw-write-test-{os.getpid()}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with probe.open("wb") as handle:
            handle.write(b"nexusgw")
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink()
    except OSError as exc:
        raise DataDirNotWritable(
            f"data dir {path} is not writable: {exc.strerror or exc}; fix permissions or free space there, or set "
            "gateway.data_dir (NEXUSGW_GATEWAY__DATA_DIR) to a writable directory"
        ) from None
