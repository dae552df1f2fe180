"""The adapter's side of a bridge connection: connect to the plug-in, hello, heartbeats, frames, reconnect.

One thread per client. It connects to the plug-in's listener, says hello (protocol version and account) and waits
for the plug-in's hello; from then on the connection is *up*: frames go to the listener, heartbeats go out every
``heartbeat_interval_s``, and a plug-in silent for ``heartbeat_timeout_s`` is taken for dead. The connection is
dropped (and made again with ``domain/backoff.Backoff``) when the plug-in stops answering, speaks another protocol
version, announces an oversized frame or closes mid-frame. One bad frame (not JSON, unknown type, missing field)
is logged and skipped: the connection stays up. ``send`` never queues: it returns False when the frame could not
be written, so a caller never believes an order left when it did not.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from nexus_gw.domain.backoff import Backoff

from . import frames
from .codec import BadPayload, FrameReader, FrameTooLarge, decode_payload, encode

log = logging.getLogger(__name__)


class BridgeListener(Protocol):
    """What the client reports, from its own thread."""

    def bridge_up(self, hello: dict[str, Any]) -> None: ...

    def bridge_frame(self, kind: str, frame: dict[str, Any]) -> None: ...

    def bridge_down(self, reason: str) -> None: ...


@dataclass(frozen=True)
class BridgeConfig:
    host: str = "127.0.0.1"
    port: int = 9001
    account: str = "Sim101"
    client: str = "nexusgw"
    heartbeat_interval_s: float = 2.0
    heartbeat_timeout_s: float = 6.0
    connect_timeout_s: float = 2.0
    reconnect_initial_s: float = 0.25
    reconnect_max_s: float = 5.0


class Dropped(Exception):
    """The connection must end (the message says why)."""


class BridgeClient:
    """Keeps one connection to a plug-in up; see the module docstring."""

    def __init__(
        self, config: BridgeConfig, listener: BridgeListener, name: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self.listener = listener
        self.name = name
        self._clock = clock
        self._backoff = Backoff(config.reconnect_initial_s, config.reconnect_max_s)
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._up = False
        self._thread: threading.Thread | None = None
        self.connections = 0
        """Hellos exchanged so far (each reconnect adds one)."""
        self.bad_frames: list[str] = []
        """Why each skipped frame was skipped (the newest 100), for status and tests."""

    @property
    def up(self) -> bool:
        return self._up

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"bridge-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def drop(self, reason: str) -> None:
        """End the current connection (the thread reconnects)."""
        log.warning("%s: dropping the bridge connection: %s", self.name, reason)
        self._close()

    def send(self, frame: dict[str, Any]) -> bool:
        """Write one frame if the connection is up; False if it is not or the write failed."""
        if not self._up:
            return False
        return self._write(frame)

    # ------------------------------------------------------------------------------------------- internals

    def _write(self, frame: dict[str, Any]) -> bool:
        data = encode(frame)
        with self._write_lock:
            sock = self._sock
            if sock is None:
                return False
            try:
                sock.sendall(data)
            except OSError as exc:
                log.warning("%s: bridge write failed (%s); the connection is dropped", self.name, exc)
                self._close()
                return False
        return True

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            address = f"{self.config.host}:{self.config.port}"
            try:
                sock = socket.create_connection((self.config.host, self.config.port), self.config.connect_timeout_s)
            except OSError as exc:
                failures += 1
                if failures == 1 or failures % 20 == 0:
                    log.warning(
                        "%s: cannot reach the platform plug-in at %s (%s); is the platform running with the "
                        "bridge enabled? retrying",
                        self.name,
                        address,
                        exc,
                    )
                self._stopping.wait(self._backoff.next_delay())
                continue
            failures = 0
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            reason = "stopped"
            try:
                self._session(sock)
            except Dropped as exc:
                reason = str(exc)
            except (OSError, FrameTooLarge) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            finally:
                was_up, self._up = self._up, False
                self._close()
            if self._stopping.is_set():
                reason = "stopped"
            log.warning("%s: bridge connection to %s ended: %s", self.name, address, reason)
            if was_up:
                self.listener.bridge_down(reason)
            self._stopping.wait(self._backoff.next_delay())

    def _session(self, sock: socket.socket) -> None:
        config = self.config
        sock.settimeout(min(0.1, config.heartbeat_interval_s))
        hello = frames.frame(
            frames.HELLO, version=frames.VERSION, account=config.account, client=config.client, name=self.name
        )
        if not self._write(hello):
            raise Dropped("the hello could not be written")
        reader = FrameReader()
        last_rx = last_tx = self._clock()
        while not self._stopping.is_set():
            now = self._clock()
            if now - last_rx > config.heartbeat_timeout_s:
                waited = "hello" if not self._up else "frame"
                raise Dropped(f"no {waited} from the plug-in for {now - last_rx:.1f}s: it stopped answering")
            if self._up and now - last_tx >= config.heartbeat_interval_s:
                self._write(frames.frame(frames.HEARTBEAT, ts=int(time.time() * 1000)))
                last_tx = now
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                if reader.pending:
                    raise Dropped(
                        f"the plug-in closed the connection in the middle of a frame ({reader.pending} bytes)"
                    )
                raise Dropped("the plug-in closed the connection")
            last_rx = self._clock()
            for payload in reader.feed(data):
                self._handle(payload)

    def _handle(self, payload: bytes) -> None:
        try:
            frame = decode_payload(payload)
            kind = frames.check(frame, frames.FROM_PLUGIN)
        except (BadPayload, frames.UnknownFrame, frames.BadFrame) as exc:
            self.bad_frames = [*self.bad_frames[-99:], str(exc)]
            log.warning("%s: bridge frame skipped: %s", self.name, exc)
            return
        if kind == frames.HELLO:
            if frame["version"] != frames.VERSION:
                raise Dropped(
                    f"the plug-in speaks bridge protocol version {frame['version']}, this adapter version "
                    f"{frames.VERSION}: install the plug-in of this release (see docs/nt8.md)"
                )
            if frame["account"] != self.config.account:
                raise Dropped(
                    f"the plug-in trades account {frame['account']!r}, this adapter account {self.config.account!r}:"
                    " set the same account in the plug-in and in the instance's settings"
                )
            self._up = True
            self.connections += 1
            self._backoff.reset()
            self.listener.bridge_up(frame)
            return
        if not self._up:
            if kind == frames.ERROR:
                raise Dropped(f"the plug-in refused the connection: {frame['reason']}")
            raise Dropped(f"the plug-in sent a {kind} frame before its hello")
        if kind == frames.HEARTBEAT:
            return
        if kind == frames.ERROR:
            log.warning("%s: the plug-in reports an error: %s", self.name, frame["reason"])
        self.listener.bridge_frame(kind, frame)
