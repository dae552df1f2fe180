"""A TCP relay on loopback that records every byte a client sends and receives (what an eavesdropper sees)."""

from __future__ import annotations

import selectors
import socket
import threading


class Recorder:
    """Relays one connection at a time from ``port`` to ``127.0.0.1:upstream``; ``captured`` holds both directions."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.captured = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="recorder", daemon=True)

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                downstream, _ = self.listener.accept()
            except TimeoutError:
                continue
            with downstream, socket.create_connection(("127.0.0.1", self.upstream)) as up:
                self._relay(downstream, up)

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        while not self._stop.is_set():
            for key, _ in selector.select(0.1):
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                if not data:
                    selector.close()
                    return
                self.captured += data
                key.data.sendall(data)
        selector.close()
