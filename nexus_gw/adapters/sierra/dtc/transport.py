"""TCP transport for DTC: a socket with bounded reads and writes, and a message stream on top of it.

Nothing here blocks without a limit: reads wait at most the given timeout (``select``), writes at most
``send_timeout`` seconds, connects at most ``connect_timeout``. A write that times out leaves the stream in an
unknown state, so the connection is closed and the caller sees :class:`ConnectionClosed`.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from collections.abc import Callable

from nexus_gw.errors import PlatformUnavailable

from .codec import Codec, codec_for, negotiation_codec
from .constants import DEFAULT_MAX_FRAME_BYTES, Encoding
from .wire import Message

log = logging.getLogger(__name__)

RECV_CHUNK = 65536


class ConnectionClosed(PlatformUnavailable):
    """The DTC peer closed the connection or the socket failed; reconnecting may help."""


class Connection:
    """One connected TCP socket. ``send`` may be called from any thread; ``recv`` from one reader thread."""

    def __init__(self, sock: socket.socket, *, send_timeout: float = 5.0) -> None:
        self._sock = sock
        self._send_lock = threading.Lock()
        self._closed = threading.Event()
        sock.settimeout(send_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            log.debug("TCP_NODELAY not available on this socket")
        try:
            host, port = sock.getpeername()[:2]
            self.peer = f"{host}:{port}"
        except OSError:
            self.peer = "?"

    @classmethod
    def open(cls, host: str, port: int, *, connect_timeout: float, send_timeout: float = 5.0) -> Connection:
        """Connect to ``host:port`` within ``connect_timeout`` seconds or raise :class:`PlatformUnavailable`."""
        try:
            sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as exc:
            raise PlatformUnavailable(
                f"cannot connect to the DTC server at {host}:{port} ({exc}); check that Sierra Chart is running, "
                "its DTC Protocol Server is enabled and the port matches"
            ) from exc
        return cls(sock, send_timeout=send_timeout)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def send(self, data: bytes) -> None:
        """Write all of ``data`` or close the connection and raise :class:`ConnectionClosed`."""
        if self._closed.is_set():
            raise ConnectionClosed(f"DTC connection to {self.peer} is closed; the message was not sent")
        with self._send_lock:
            try:
                self._sock.sendall(data)
            except OSError as exc:
                self.close()
                raise ConnectionClosed(
                    f"sending to the DTC peer {self.peer} failed ({exc or type(exc).__name__}); "
                    "the connection was closed"
                ) from exc

    def recv(self, timeout: float) -> bytes | None:
        """Bytes that arrived within ``timeout`` seconds, ``None`` if none did; raises on EOF or socket error."""
        if self._closed.is_set():
            raise ConnectionClosed(f"DTC connection to {self.peer} is closed")
        try:
            readable, _, _ = select.select([self._sock], [], [], max(0.0, timeout))
            if not readable:
                return None
            data = self._sock.recv(RECV_CHUNK)
        except (OSError, ValueError) as exc:  # ValueError: socket closed by another thread
            self.close()
            raise ConnectionClosed(f"reading from the DTC peer {self.peer} failed ({exc})") from exc
        if not data:
            self.close()
            raise ConnectionClosed(f"the DTC peer {self.peer} closed the connection")
        return data

    def close(self) -> None:
        """Close once; safe from any thread and idempotent."""
        if self._closed.is_set():
            return
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()


class MessageStream:
    """DTC messages over a :class:`Connection` in one current encoding, switchable mid-stream.

    ``receive`` returns at most one message per call. When the encoding switches (after the ENCODING_RESPONSE),
    bytes already buffered are handed to the new encoding's reader, so a peer that writes the response and its
    next message in one TCP segment is read correctly.
    """

    def __init__(
        self,
        connection: Connection,
        encoding: Encoding = Encoding.BINARY,
        *,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self.max_frame_bytes = max_frame_bytes
        self._clock = clock
        self._codec: Codec = codec_for(encoding)
        self._reader = self._codec.reader(max_frame_bytes)
        self._encode_lock = threading.Lock()
        self.last_received = clock()
        """Time (of ``clock``) of the last bytes received: any message is a sign of life."""

    @property
    def encoding(self) -> Encoding:
        return self._codec.encoding

    def send(self, msg: Message) -> None:
        """Encode in the current encoding and write; raises :class:`ConnectionClosed` on failure."""
        with self._encode_lock:
            self.connection.send(self._codec.encode(msg))

    def send_binary(self, msg: Message) -> None:
        """Write in binary whatever the current encoding (encoding negotiation messages)."""
        with self._encode_lock:
            self.connection.send(negotiation_codec().encode(msg))

    def switch_encoding(self, encoding: Encoding) -> None:
        """Use ``encoding`` for every later send and receive."""
        with self._encode_lock:
            codec = codec_for(encoding)
            leftover = self._reader.take_remaining()
            self._codec = codec
            self._reader = codec.reader(self.max_frame_bytes)
            self._reader.feed(leftover)

    def feed(self, data: bytes) -> None:
        """Add bytes already read from the connection (e.g. peeked to detect the peer's encoding)."""
        self.last_received = self._clock()
        self._reader.feed(data)

    def receive(self, timeout: float) -> Message | None:
        """The next message within ``timeout`` seconds, or ``None``.

        Raises :class:`ConnectionClosed` when the peer goes away and ``ProtocolError`` for a broken frame (the
        connection cannot continue) or :class:`~.wire.UnknownMessageType` (that frame was skipped; go on).
        """
        deadline = time.monotonic() + timeout
        while True:
            frame = self._reader.next_frame()
            if frame is not None:
                return self._codec.decode(frame)
            remaining = deadline - time.monotonic()
            try:
                data = self.connection.recv(remaining)
            except ConnectionClosed:
                self._reader.check_complete()
                raise
            if data is None:
                return None
            self.last_received = self._clock()
            self._reader.feed(data)

    def close(self) -> None:
        self.connection.close()
