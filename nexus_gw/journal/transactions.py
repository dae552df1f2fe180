"""The journal's write transactions: one per write method, or one per gateway loop pass (group commit).

Outside a pass every write method is its own ``BEGIN IMMEDIATE`` … ``COMMIT``. Inside a pass (``begin_pass`` …
``commit_pass``, opened by the gateway loop) the first write opens one transaction for the whole pass and every
write method runs in a ``SAVEPOINT`` of it: a method that raises (a conflict, a NaN, an unknown leg) rolls back
only itself, as it would on its own, and the others stay. Either way the final messages of orders that finished in
a write method are written in the same (sub)transaction, just before it is released. ``commit_pass`` commits the
lot with one fsync; when the commit fails nothing of the pass is in the file (the caller must then not act on it).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nexus_gw.journal import outbox
from nexus_gw.journal.errors import JournalUnavailable, storage_error
from nexus_gw.journal.records import Finalizer


@dataclass(slots=True)
class _Pass:
    started: float | None = None  # perf_counter at BEGIN; None while the pass has written nothing
    lost: str | None = None  # why the pass's transaction is gone (SQLite rolled it back after an error)


class Transactions:
    """The write transactions of one writer connection (the gateway loop's thread only)."""

    def __init__(self, conn: sqlite3.Connection, path: object, now_ns: Callable[[], int]) -> None:
        self.conn = conn
        self.path = path
        self.now_ns = now_ns
        self.depth = 0  # > 0 inside a write method (nested write methods join it)
        self.finals = outbox.FinalsDue()  # orders that finished in the open (sub)transaction
        self.finalizer: Finalizer | None = None
        self.on_write: Callable[[float], None] | None = None
        self.refusing: str | None = None  # set while the gateway has lost the journal: every write is refused
        self._pass: _Pass | None = None

    # -- one write method -------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        if self.depth:  # inside ``transaction()``: part of the enclosing (sub)transaction
            yield conn
            return
        if self.refusing is not None:
            raise JournalUnavailable(
                f"journal {self.path} takes no write: {self.refusing}; the gateway restarts from the journal as soon "
                "as it takes writes again"
            )
        if self._pass is not None:
            with self._savepoint(self._pass) as joined:
                yield joined
            return
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        self.depth = 1
        self.finals.clear()
        try:
            yield conn
            self.finals.queue(conn, self.finalizer, self.now_ns)
            self.commit(conn)
            if self.on_write is not None:
                self.on_write(time.perf_counter() - started)
        except BaseException:
            self.finals.rolled_back()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self.depth = 0
            self.finals.clear()

    @contextmanager
    def _savepoint(self, current: _Pass) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        if current.lost is None and current.started is not None and not conn.in_transaction:
            current.lost = "SQLite rolled the transaction back after an error"
        if current.lost is not None:
            raise JournalUnavailable(
                f"journal {self.path}: this loop pass's transaction is lost ({current.lost}); nothing of it is kept"
            )
        if current.started is None:
            conn.execute("BEGIN IMMEDIATE")
            current.started = time.perf_counter()
        conn.execute("SAVEPOINT write_method")
        self.depth = 1
        self.finals.clear()
        try:
            yield conn
            self.finals.queue(conn, self.finalizer, self.now_ns)
            conn.execute("RELEASE write_method")
        except BaseException as exc:
            self.finals.rolled_back()  # the writer's copy of its orders may hold what the savepoint wrote
            try:
                if not conn.in_transaction:
                    raise sqlite3.OperationalError("no transaction left to roll back to")
                conn.execute("ROLLBACK TO write_method")
                conn.execute("RELEASE write_method")
            except sqlite3.Error as inner:
                current.lost = storage_error(exc) or str(inner)
            raise
        finally:
            self.depth = 0
            self.finals.clear()

    def commit(self, conn: sqlite3.Connection) -> None:
        """COMMIT (the one place a transaction ends well; tests make it fail here)."""
        conn.execute("COMMIT")

    # -- a loop pass -------------------------------------------------------------------------
    @property
    def in_pass(self) -> bool:
        return self._pass is not None

    @property
    def pass_wrote(self) -> bool:
        """Has the open pass written anything (so one more write costs no fsync of its own)?"""
        return self._pass is not None and self._pass.started is not None

    def begin_pass(self) -> None:
        """Group the writes until ``commit_pass`` in one transaction, opened at the first write."""
        if self._pass is not None or self.depth:
            raise RuntimeError("a journal pass is already open (or a write transaction is); commit it first")
        self._pass = _Pass()

    def commit_pass(self) -> bool:
        """Commit the pass; True when it wrote anything. On failure roll back and raise: then nothing of the pass
        is in the journal."""
        current, self._pass = self._pass, None
        if current is None or current.started is None:
            return False
        conn = self.conn
        try:
            if current.lost is not None or not conn.in_transaction:
                raise JournalUnavailable(
                    f"journal {self.path}: this loop pass's transaction is lost "
                    f"({current.lost or 'SQLite rolled it back'}); nothing of it is kept"
                )
            self.commit(conn)
        except BaseException:
            self._rollback()
            raise
        if self.on_write is not None:
            self.on_write(time.perf_counter() - current.started)
        return True

    def abort_pass(self) -> None:
        """Roll back whatever the pass wrote (nothing of it stays)."""
        current, self._pass = self._pass, None
        if current is not None and current.started is not None:
            self._rollback()

    def _rollback(self) -> None:
        self.finals.rolled_back()
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have ended it already: nothing is left to keep
                self.conn.execute("ROLLBACK")
