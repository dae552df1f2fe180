"""``NexusGatewayInterface``: the blocking client a signal engine uses.

One I/O thread owns the ZeroMQ socket (sockets are not thread-safe); calls from any thread hand it
frames through a queue. Callbacks run on a separate dispatcher thread, so a callback may itself call
``send_signal``. A FILL (and a final ORDER_UPDATE) is acknowledged to the gateway only after its callback
returned; if the callback raises it is not acknowledged, and the gateway delivers it again.
``send_signal`` waits for the gateway's answer and resends the same client id if the answer is slow:
the gateway treats the client id as an idempotency key, so a resend never creates a second order.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import zmq

from nexus_gw.client.core import ClientCore, Event, Outcome
from nexus_gw.client.liveness import Liveness
from nexus_gw.errors import GatewayUnavailable
from nexus_gw.security.curve import ClientCurve

log = logging.getLogger(__name__)

Callback = Callable[[dict[str, Any]], Any]
_STOP = object()


class NexusGatewayInterface:
    """Connect a signal engine to the gateway's NEXUS socket (default ``tcp://localhost:5556``).

    Against a gateway with CURVE pass ``curve=ClientCurve.load(secret_key_file, server_public_key_file)``: the
    engine's key pair (its public key in the gateway's ``allow.nexus``; in ``allow.admin`` too for the kill-switch
    calls) and the gateway's public key."""

    def __init__(
        self,
        host: str = "localhost",
        port: int = 5556,
        name: str = "nexus",
        timeout_s: float = 5.0,
        retries: int = 3,
        liveness_s: float = 5.0,
        curve: ClientCurve | None = None,
    ) -> None:
        self.endpoint = f"tcp://{host}:{port}"
        self.curve = curve
        self.core = ClientCore(name=name)
        self.timeout_s = timeout_s
        self.retries = retries
        self.liveness_s = liveness_s
        self.last_refusal = ""
        self._callbacks: dict[str, Callback] = {}
        self._outbox: queue.SimpleQueue[tuple[bytes, bytes]] = queue.SimpleQueue()
        self._events: queue.Queue[Any] = queue.Queue(maxsize=100_000)
        self._waiters: dict[str, tuple[threading.Event, list[Outcome]]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._welcomed = threading.Event()
        self._listening = threading.Event()
        self._io: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None
        self.dropped_market_data = 0

    # -- lifecycle ----------------------------------------------------------------------
    def connect(self) -> None:
        """Connect and wait for the gateway's WELCOME; raises GatewayUnavailable if it does not answer."""
        self._io = threading.Thread(target=self._io_loop, name="nexusgw-io", daemon=True)
        self._io.start()
        if not self._welcomed.wait(self.timeout_s):
            self.close()
            raise GatewayUnavailable(
                f"gateway not answering on {self.endpoint} after {self.timeout_s:.0f}s; "
                "is `nexusgw serve` running? (nexusgw status)"
            )

    def start_listening(self, block: bool = False) -> None:
        """Start delivering callbacks; with ``block=True`` return only after ``close()``."""
        if self._dispatcher is None:
            self._listening.set()
            self._dispatcher = threading.Thread(target=self._dispatch_loop, name="nexusgw-callbacks", daemon=True)
            self._dispatcher.start()
        if block:
            self._stop.wait()

    def close(self) -> None:
        self._stop.set()
        self._events.put(_STOP)
        for thread in (self._io, self._dispatcher):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=5)

    def __enter__(self) -> NexusGatewayInterface:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._welcomed.is_set() and not self._stop.is_set()

    # -- callbacks ----------------------------------------------------------------------
    def set_market_data_callback(self, fn: Callback) -> None:
        self._callbacks["market_data"] = fn

    def set_fill_callback(self, fn: Callback) -> None:
        self._callbacks["fill"] = fn

    def set_order_status_callback(self, fn: Callback) -> None:
        self._callbacks["order_status"] = fn

    def set_error_callback(self, fn: Callback) -> None:
        self._callbacks["error"] = fn

    # -- trading ------------------------------------------------------------------------
    def send_signal(
        self,
        symbol: str,
        signal: float,
        confidence: float,
        qty: float | None = None,
        mqscore: dict[str, float] | None = None,
        client_id: str | None = None,
        order_type: str = "MARKET",
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> str | None:
        """Send a signal; return the gateway's order id, or None if it was skipped or refused.

        A refusal's reason is in ``last_refusal``. Raises GatewayUnavailable when the gateway gave no
        answer after ``retries`` resends (the order may or may not exist: resend the same client_id).
        """
        with self._lock:
            built = self.core.signal(
                symbol,
                signal,
                confidence,
                qty,
                mqscore,
                client_id,
                order_type,
                limit_price,
                stop_price,
                time.time_ns(),
            )
            if built is None:
                self.last_refusal = f"{symbol} has a working order (duplicate prevention)"
                return None
            cid, frames = built
            done = threading.Event()
            result: list[Outcome] = []
            self._waiters[cid] = (done, result)
        try:
            for _attempt in range(self.retries):
                self._outbox.put(frames)
                if done.wait(self.timeout_s):
                    outcome = result[0]
                    self.last_refusal = outcome.refusal
                    return outcome.order_id
                log.warning("no answer for signal %s within %.1fs: resending", cid, self.timeout_s)
        finally:
            with self._lock:
                self._waiters.pop(cid, None)
        raise GatewayUnavailable(
            f"no answer from {self.endpoint} for signal {cid} after {self.retries} tries; "
            f"resend with client_id={cid!r} once the gateway is back"
        )

    # -- operator controls (admin socket) -------------------------------------------------
    def activate_kill_switch(self, reason: str, flatten: bool = False, admin_port: int = 5557) -> dict[str, Any]:
        """Stop all trading at the gateway: refuse signals, cancel every open order, optionally flatten."""
        return self._admin(
            "killswitch.activate", {"reason": reason, "flatten": flatten, "who": self.core.name}, admin_port
        )

    def release_kill_switch(self, reason: str, admin_port: int = 5557) -> dict[str, Any]:
        return self._admin("killswitch.release", {"reason": reason, "who": self.core.name}, admin_port)

    def kill_switch_status(self, admin_port: int = 5557) -> dict[str, Any]:
        return self._admin("killswitch.status", {}, admin_port)

    def _admin(self, command: str, args: dict[str, Any], admin_port: int) -> dict[str, Any]:
        from nexus_gw.client.admin import admin_request

        host = self.endpoint.rsplit(":", 1)[0]
        return admin_request(f"{host}:{admin_port}", command, args, curve=self.curve)

    def cancel_all(self, symbol: str = "") -> None:
        """Cancel every working order (of ``symbol``, if given) on every platform."""
        with self._lock:
            self._outbox.put(self.core.cancel_all(symbol))

    def cancel(self, order_or_client_id: str) -> None:
        with self._lock:
            self._outbox.put(self.core.cancel(order_or_client_id))

    # -- threads ------------------------------------------------------------------------
    def _new_socket(self, ctx: zmq.Context[zmq.Socket[bytes]]) -> zmq.Socket[bytes]:
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.IDENTITY, self.core.identity)
        sock.setsockopt(zmq.LINGER, 0)
        if self.curve is not None:
            self.curve.apply(sock)
        sock.connect(self.endpoint)
        sock.send_multipart(self.core.hello())
        return sock

    def _io_loop(self) -> None:
        ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        sock = self._new_socket(ctx)
        last_beat = time.monotonic()
        liveness = Liveness(self.liveness_s, last_beat)
        try:
            while not self._stop.is_set():
                while True:
                    try:
                        sock.send_multipart(self._outbox.get_nowait())
                    except queue.Empty:
                        break
                if sock.poll(20, zmq.POLLIN):
                    while True:
                        try:
                            header = sock.recv(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        payload = sock.recv() if sock.get(zmq.RCVMORE) else b""
                        liveness.heard(time.monotonic())
                        self._on_message(sock, header, payload)
                now = time.monotonic()
                if now - last_beat >= self.core.heartbeat_interval_s:
                    sock.send_multipart(self.core.heartbeat(time.time_ns()))
                    last_beat = now
                silent_s = liveness.silent_for(now)
                if liveness.reconnect_due(now):
                    log.warning(
                        "gateway at %s silent for %.1fs: reconnecting (next try after %.1fs more)",
                        self.endpoint,
                        silent_s,
                        liveness.liveness_s + liveness.pause,
                    )
                    self._welcomed.clear()
                    sock.close(linger=0)
                    sock = self._new_socket(ctx)
        finally:
            sock.close(linger=0)
            ctx.term()

    def _on_message(self, sock: zmq.Socket[bytes], header: bytes, payload: bytes) -> None:
        with self._lock:
            events, outcomes = self.core.receive(header, payload)
            while self.core.outgoing:
                sock.send_multipart(self.core.outgoing.pop(0))
            for outcome in outcomes:
                waiter = self._waiters.get(outcome.client_id)
                if waiter is not None:
                    waiter[1].append(outcome)
                    waiter[0].set()
            if self.core.welcome is None:
                sock.send_multipart(self.core.hello())
                self._welcomed.clear()
        for event in events:
            if event.kind == "welcome":
                self._welcomed.set()
                with self._lock:
                    for frames in self.core.pending.values():
                        sock.send_multipart(frames)
                continue
            self._enqueue(event)

    def _enqueue(self, event: Event) -> None:
        if event.kind == "market_data" and not self._listening.is_set():
            return
        try:
            self._events.put_nowait(event)
        except queue.Full:
            if event.kind == "market_data":
                self.dropped_market_data += 1
            else:
                self._events.put(event)

    def _dispatch_loop(self) -> None:
        while True:
            event = self._events.get()
            if event is _STOP:
                return
            fn = self._callbacks.get(event.kind)
            ok = True
            if fn is not None:
                try:
                    fn(event.data)
                except Exception:
                    ok = False
                    log.exception("%s callback raised; continuing", event.kind)
            if event.ack is not None:  # acknowledged only now that the callback returned
                with self._lock:
                    ack = self.core.settle(event, ok)
                if ack is not None:
                    self._outbox.put(ack)
