"""One connection to Bookmap through the ``bookmap`` package: the only module that touches the package.

The package is made for a script Bookmap starts (``python addon.py <port>``): ``create_addon()`` reads the port
from ``sys.argv[1]`` and connects to ``127.0.0.1:<port>``; ``start_addon`` starts its reading, writing and
processing threads; its state is module-global (one addon per process). What this module adds, because the
package does not do it (``docs/bookmap.md``):

- the port comes from the driver's settings (``sys.argv`` is set for the call only);
- the end of the connection is noticed (the package's reader spins on an empty ``recv`` forever): the session
  stops the package's threads and the driver reconnects;
- every line from Bookmap is checked before the package parses it: a garbage or truncated line would stop the
  addon (or silently kill its reader); it is dropped with a log line instead (``frames.py``);
- a write is whole (the package's ``send`` may write part of a line) and a failed write ends the session;
- handlers never raise (a raising handler stops the addon): they put what they got on the driver's inbox.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import logging
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .frames import LineSplitter

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 5.0
"""The package's threads wake every 2 s to see whether the addon still runs."""


class GuardedSocket(socket.socket):
    """The package's socket: checks lines from Bookmap, writes whole lines, and reports the end of the connection."""

    def adopt(self, name: str, on_closed: Callable[[str], None]) -> None:
        self._name = name
        self._on_closed = on_closed
        self._splitter = LineSplitter()
        self._told = False

    @classmethod
    def wrap(cls, sock: socket.socket, name: str, on_closed: Callable[[str], None]) -> GuardedSocket:
        guarded = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        guarded.adopt(name, on_closed)
        return guarded

    def _report_closed(self, why: str) -> None:
        if not self._told:
            self._told = True
            self._on_closed(why)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:  # type: ignore[override]
        try:
            data = super().recv(65536, flags)
        except OSError as exc:
            self._report_closed(f"reading from Bookmap failed: {exc}")
            return b""
        if not data:
            rest = self._splitter.rest()
            if rest:
                log.warning("%s: Bookmap closed the connection inside a message; dropped %r", self._name, rest[:80])
            self._report_closed("Bookmap closed the connection")
            return b""
        good, bad = self._splitter.feed(data)
        for line, why in bad:
            log.error(
                "%s: dropped a malformed message from Bookmap (%s): %r; the addon keeps running",
                self._name,
                why,
                line[:120],
            )
        return good

    def send(self, data: bytes, flags: int = 0) -> int:  # type: ignore[override]
        try:
            super().sendall(data, flags)
        except OSError as exc:
            self._report_closed(f"writing to Bookmap failed: {exc}")
            return 0
        return len(data)


_stopping: tuple[str, set[threading.Thread], socket.socket] | None = None
"""The package's threads and socket of the last session, until those threads ended (one addon per process)."""


def _wait_for_previous() -> None:
    """Close the last session's socket once its threads ended; ConnectionError while they still run."""
    global _stopping
    if _stopping is None:
        return
    name, threads, sock = _stopping
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        raise ConnectionError(f"the bookmap package's threads of the last connection are still stopping ({alive})")
    sock.close()
    _stopping = None
    log.debug("%s: the last connection's threads ended", name)


class Session:
    """The package's addon connected to Bookmap at ``127.0.0.1:port``; events go to ``inbox`` as tuples."""

    def __init__(self, name: str, port: int, inbox: queue.SimpleQueue[tuple[Any, ...]]) -> None:
        self.name = name
        self.port = port
        self.inbox = inbox
        self.bm: Any = None
        self._core: Any = None
        self.addon: dict[str, Any] | None = None
        self._threads: set[threading.Thread] = set()
        self._ids = itertools.count(1)
        self.closed_reason = ""

    # -- lifecycle ----------------------------------------------------------------------------------------
    def open(self) -> None:
        """Connect and start the package's threads (ConnectionError, OSError when Bookmap is not there)."""
        self.bm = importlib.import_module("bookmap")  # the lazy import: only now
        self._core = importlib.import_module("bookmap.bookmap")
        _wait_for_previous()
        if self._core.RUN:
            raise ConnectionError("the bookmap package still runs an addon in this process")
        self._core.MSGS_BUFFER.clear()  # a partial line of an earlier connection must not start this one
        argv = sys.argv
        sys.argv = [argv[0] if argv else "nexusgw", str(self.port)]
        try:
            addon = self.bm.create_addon()  # TCP_SOCKET: connects to 127.0.0.1:sys.argv[1]
        except BaseException:
            self._core.RUN = False  # create_addon marks the addon running before it connects
            raise
        finally:
            sys.argv = argv
        addon["socket"] = GuardedSocket.wrap(addon["socket"], self.name, self._closed)
        self._handlers(addon)
        before = set(threading.enumerate())
        self.bm.start_addon(addon, self._on_instrument, self._on_detached)
        self._threads = set(threading.enumerate()) - before
        self.addon = addon

    def _closed(self, why: str) -> None:
        if self.addon is None:
            return  # a session already closed: the package's state may belong to the next one
        self.closed_reason = why
        self._core.RUN = False  # the package's threads end within their 2 s wait
        self.inbox.put(("closed", why))

    @property
    def running(self) -> bool:
        return self.addon is not None and bool(self._core.RUN)

    def close(self, wait: bool = False) -> None:
        """Stop the package's threads; ``wait``: until they ended (else the next ``open`` waits for them).

        The socket is closed only once those threads ended: a descriptor closed under a running reader could be
        reused by the next connection and read by the old thread."""
        global _stopping
        addon, self.addon = self.addon, None
        if addon is None:
            return
        self._core.RUN = False
        with contextlib.suppress(OSError):
            addon["socket"].shutdown(socket.SHUT_RDWR)
        _stopping = (self.name, self._threads, addon["socket"])
        if wait:
            deadline = time.monotonic() + JOIN_TIMEOUT_S
            for thread in self._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            _wait_for_previous()

    # -- handlers: never raise, only queue ---------------------------------------------------------------
    def _safe(self, kind: str) -> Callable[..., None]:
        def handler(_addon: Any, *args: Any) -> None:
            self.inbox.put((kind, *args))

        return handler

    def _handlers(self, addon: dict[str, Any]) -> None:
        bm = self.bm
        bm.add_depth_handler(addon, self._safe("depth"))
        bm.add_trades_handler(addon, self._safe("trade"))
        bm.add_on_order_updated_handler(addon, self._safe("update"))
        bm.add_on_order_executed_handler(addon, self._safe("execution"))
        bm.add_on_position_update_handler(addon, self._safe("position"))
        bm.add_response_data_handler(addon, self._safe("ack"))

    def _on_instrument(self, addon: Any, alias: str, full_name: str, *info: Any) -> None:
        """Bookmap attached an instrument: subscribe to its depth, trades, orders and position (replies follow)."""
        try:
            _crypto, pips, size_mult, inst_mult, features = info
            ids = {kind: next(self._ids) for kind in ("depth", "trades", "orders", "position")}
            self.bm.subscribe_to_depth(addon, alias, ids["depth"])
            self.bm.subscribe_to_trades(addon, alias, ids["trades"])
            self.bm.subscribe_to_order_info(addon, alias, ids["orders"])
            self.bm.subscribe_to_position_updates(addon, alias, ids["position"])
            self.inbox.put(("instrument", alias, full_name, pips, size_mult, inst_mult, features, ids))
        except Exception as exc:  # never raise into the package: it would stop the addon
            self.inbox.put(("error", f"instrument {alias}: {exc}"))

    def _on_detached(self, _addon: Any, alias: str) -> None:
        self.inbox.put(("detached", alias))

    # -- requests -------------------------------------------------------------------------------------------
    def send_order(self, fields: dict[str, Any]) -> None:
        params = self.bm.OrderSendParameters(fields["alias"], fields["is_buy"], fields["size"])
        for key in ("limit_price", "stop_price", "duration", "client_id"):
            if fields.get(key) is not None:
                setattr(params, key, fields[key])
        self.bm.send_order(self.addon, params)

    def cancel_order(self, alias: str, order_id: str) -> None:
        self.bm.cancel_order(self.addon, alias, order_id)
