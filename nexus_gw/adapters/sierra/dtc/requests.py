"""Request correlation: DTC RequestID → future, with multi-message answers collected until complete.

DTC answers a request with one or more messages carrying the same ``RequestID`` and batch counters
(``MessageNumber`` of ``TotalNumberMessages``, 1-based), or with a single "nothing" sentinel (NoOrders,
NoPositions, NoOrderFills), or with a reject. Every pending request has a deadline; the session's loop calls
:meth:`RequestBook.expire` so a request the server never answers fails instead of waiting forever.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from nexus_gw.errors import PlatformError, PlatformUnavailable


@dataclass(slots=True)
class _Pending:
    kind: str
    future: Future[list[Any]]
    deadline: float
    timeout: float
    items: list[Any] = field(default_factory=list)
    expected: int | None = None


class RequestBook:
    """Pending requests by RequestID. Thread-safe; futures are completed outside the lock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)

    def open(self, kind: str, timeout: float) -> tuple[int, Future[list[Any]]]:
        """Reserve a RequestID for a request described as ``kind`` (used in error messages)."""
        future: Future[list[Any]] = Future()
        with self._lock:
            request_id = next(self._ids)
            self._pending[request_id] = _Pending(kind, future, self._clock() + timeout, timeout)
        return request_id, future

    def is_pending(self, request_id: int) -> bool:
        with self._lock:
            return request_id in self._pending

    def add(self, request_id: int, item: Any | None, number: int, total: int) -> None:
        """Record message ``number`` of ``total`` (``item=None`` for a "nothing" sentinel); finish when complete.

        ``total <= 0`` or ``number >= total`` completes the request. Unknown RequestIDs are ignored.
        """
        with self._lock:
            pending = self._pending.get(request_id)
            if pending is None:
                return
            if item is not None:
                pending.items.append(item)
            pending.expected = total
            if total > 0 and number < total:
                return
            del self._pending[request_id]
        pending.future.set_result(pending.items)

    def reject(self, request_id: int, text: str) -> None:
        """The server rejected the request: fail its future with :class:`PlatformError` carrying ``text``."""
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is not None:
            pending.future.set_exception(
                PlatformError(f"the DTC server rejected the {pending.kind} request (RequestID {request_id}): {text}")
            )

    def fail(self, request_id: int, error: Exception) -> None:
        """Fail one request with ``error`` (e.g. it could not be sent)."""
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is not None:
            pending.future.set_exception(error)

    def expire(self) -> None:
        """Fail every request whose deadline has passed."""
        now = self._clock()
        with self._lock:
            late = [(rid, p) for rid, p in self._pending.items() if p.deadline <= now]
            for rid, _ in late:
                del self._pending[rid]
        for rid, p in late:
            got = f"{len(p.items)} of {p.expected}" if p.expected else f"{len(p.items)}"
            p.future.set_exception(
                PlatformUnavailable(
                    f"no complete answer to the {p.kind} request (RequestID {rid}) within {p.timeout:g}s "
                    f"({got} messages arrived); the server may be overloaded or not support it"
                )
            )

    def fail_all(self, reason: str) -> None:
        """Fail every pending request (the connection ended)."""
        with self._lock:
            pending = list(self._pending.items())
            self._pending.clear()
        for rid, p in pending:
            p.future.set_exception(
                PlatformUnavailable(f"the {p.kind} request (RequestID {rid}) got no answer: {reason}")
            )
