"""A fake Bookmap: the server side of the ``bookmap`` package's socket protocol, on 127.0.0.1.

Bookmap listens, starts the addon with the port (``launch``), and the addon connects. Then, as the package
expects: the addon sends ``0``; the fake sends ``1`` and one ``2`` (INSTRUMENT_INFO) per instrument; it answers
each ``3`` subscription with its data then ``4␟<req>`` (depth: the whole book first; order info: every order of
the instrument in its latest state and its executions, then the position); it streams depth, trades and ``12``
ticks; ``19`` orders are accepted (``21`` PENDING_SUBMIT, WORKING), filled in parts (``20``, ``21``, ``28``),
rejected (``21`` REJECTED: a size over ``max_size``), or — for an alias it never attached — never answered, like
Bookmap; ``23`` cancels. Like Bookmap's server, a malformed or unknown client message makes it stop reading that
client for good (it logs why). Faults for tests: ``drop`` the connection, ``drop_on_next_order`` (the order is
executed but its answers are lost with the connection), ``inject`` raw bytes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from .. import frames as f
from .market import FakeInstrument, FakeMarket

log = logging.getLogger(__name__)

CLIENT_TOKENS = frozenset({"0", "3", "9", "11", "13", "14", "19", "23", "24", "25", "26", "30", "33"})
DATA_TYPES = frozenset({f.TRADE, f.DEPTH, f.ORDER_INFO, f.POSITION_UPDATE, f.BALANCE_UPDATE})


class FakeBookmap:
    """The fake; ``start()`` listens, one addon connection at a time; ``stop()`` ends it."""

    def __init__(
        self,
        instruments: Sequence[FakeInstrument],
        port: int = 0,
        *,
        parts: int = 2,
        max_size: int = 100,
        interval_s: float = 0.1,
        seed: int = 0,
    ) -> None:
        self.market = FakeMarket(list(instruments), parts=parts, max_size=max_size, seed=seed)
        self.interval_s = interval_s
        self._lock = threading.RLock()
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port: int = self._listener.getsockname()[1]
        self._client: socket.socket | None = None
        self._subscribed: set[tuple[str, str]] = set()
        self._stopping = threading.Event()
        self._drop_next_order = False
        self.deaf = False
        """True once a malformed client message stopped the reading (as Bookmap's server does)."""
        self.mute = False
        """True once a request for an unknown data type stopped all output (as Bookmap's server does)."""
        self.received: list[str] = []
        self.connections = 0
        self._threads: list[threading.Thread] = []

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> FakeBookmap:
        for target in (self._accept, self._tick):
            thread = threading.Thread(target=target, name=f"fake-bookmap-{target.__name__}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.drop()
        self._listener.close()

    def launch(self, script: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start the addon script as Bookmap does: ``python <script> <port>`` (the caller kills it at the end)."""
        return subprocess.Popen([sys.executable, str(script), str(self.port)], env=env)

    def drop(self) -> None:
        """Close the addon's connection (Bookmap going away); the fake keeps its orders and accepts a new one."""
        with self._lock:
            client, self._client = self._client, None
            self._subscribed.clear()
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def drop_on_next_order(self) -> None:
        """The next order is executed, but the connection ends before any answer leaves."""
        self._drop_next_order = True

    def detach(self, alias: str) -> None:
        """The user disables the addon on ``alias``: ``7␟alias``; its requests get no answer from now on."""
        with self._lock:
            self.market.instruments.pop(alias, None)
            self._subscribed = {(a, k) for a, k in self._subscribed if a != alias}
            self.send([f.join(f.INSTRUMENT_DETACHED, alias)])

    def inject(self, raw: bytes) -> None:
        """Send raw bytes to the addon (garbage, a truncated frame…)."""
        self._write_raw(raw)

    @property
    def connected(self) -> bool:
        return self._client is not None

    # -- I/O ------------------------------------------------------------------------------------------------
    def _write_raw(self, raw: bytes) -> None:
        with self._lock:
            client = self._client
            if client is None:
                return
            try:
                client.sendall(raw)
            except OSError as exc:
                log.info("fake Bookmap: the addon is gone (%s)", exc)

    def send(self, lines: list[str]) -> None:
        if lines and not self.mute:
            self._write_raw("".join(line + "\n" for line in lines).encode("utf-8"))

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.drop()
            with self._lock:
                self._client = client
                self.deaf = self.mute = False
                self.connections += 1
            log.info("fake Bookmap: an addon connected (connection %d)", self.connections)
            threading.Thread(target=self._read, args=(client,), name="fake-bookmap-read", daemon=True).start()

    def _read(self, client: socket.socket) -> None:
        buffer = b""
        while not self._stopping.is_set():
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                log.info("fake Bookmap: the addon closed the connection")
                return
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                if self.deaf or client is not self._client:
                    continue
                try:
                    self._handle(raw.decode("utf-8").removesuffix("\r"))
                except Exception as exc:  # what Bookmap's server does with a message it cannot read
                    self.deaf = True
                    log.error(
                        "fake Bookmap: malformed addon message %r (%s): no further input is read from this addon, "
                        "as Bookmap's server does",
                        raw[:120],
                        exc,
                    )

    def _tick(self) -> None:
        while not self._stopping.wait(self.interval_s):
            with self._lock:
                lines: list[str] = []
                for alias, kind in list(self._subscribed):
                    if kind == f.DEPTH:
                        lines += self.market.step(alias)
                self.send(lines)

    # -- the protocol ---------------------------------------------------------------------------------------
    def _handle(self, line: str) -> None:
        parts = f.fields(line)
        token = parts[0]
        if token not in CLIENT_TOKENS:
            raise ValueError(f"unknown message type {token!r}")
        self.received.append(line)
        with self._lock:
            if token == f.CLIENT_INIT:
                self.send([f.SERVER_INIT] + [i.info() for i in self.market.instruments.values()])
            elif token == f.REQ_DATA:
                self._subscribe(parts[1], int(parts[2]), parts[3])
            elif token == f.REGISTER_INDICATOR:
                self.send([f.join(f.INDICATOR_RESPONSE, int(parts[2]), int(parts[2]))])
            elif token == f.SEND_ORDER:
                self._order(json.loads(parts[1]))
            elif token == f.CANCEL_ORDER:
                if parts[3] not in ("True", "False"):
                    raise ValueError(f"cancel flag {parts[3]!r}")
                self.send(self.market.cancel(parts[1], parts[2]))
            elif token in (f.MOVE_ORDER, f.MOVE_ORDER_TO_MARKET, f.RESIZE_ORDER):
                log.warning("fake Bookmap: %s is not simulated; ignored", token)

    def _subscribe(self, alias: str, req_id: int, kind: str) -> None:
        if kind not in DATA_TYPES:
            self.mute = True
            log.error("fake Bookmap: request for unknown data type %r: no further output, as Bookmap's server", kind)
            return
        if alias not in self.market.instruments:
            log.warning("fake Bookmap: subscription for %s, which is not attached: no answer", alias)
            return
        lines: list[str] = []
        if kind == f.DEPTH:
            lines = self.market.depth_snapshot(alias)
        elif kind == f.ORDER_INFO:
            lines = self.market.replay(alias)
        elif kind == f.POSITION_UPDATE:
            lines = [self.market.position_line(alias)]
        self._subscribed.add((alias, kind))
        self.send([*lines, f.join(f.RESP_DATA, req_id)])

    def _order(self, body: dict[str, object]) -> None:
        if not isinstance(body, dict) or "alias" not in body or "isBuy" not in body or "size" not in body:
            raise ValueError(f"order without alias, isBuy and size: {body!r}")
        lines = self.market.send_order(body)
        if not lines:
            log.warning("fake Bookmap: order for %s, which is not attached: no answer (as Bookmap)", body["alias"])
            return
        if self._drop_next_order:
            self._drop_next_order = False
            log.info("fake Bookmap: the connection ends before the order's answers leave")
            self.drop()
            return
        self.send(lines)
