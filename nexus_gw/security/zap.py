"""The gateway's ZAP handler: admits a CURVE client on a socket only when its public key is on that socket's list.

Each CURVE server socket names its socket in its ZAP domain (``platform``, ``nexus``, ``admin``); libzmq asks the
handler bound at ``inproc://zeromq.zap.01`` of the same context about every client that completed the CURVE
handshake. The handler answers from the allow-lists, and logs every refusal with the socket, the peer's address
and its public key (Z85; a public key is no secret). A client that does not even know the server's key (or speaks
no CURVE) never reaches ZAP: the sockets' monitors report its failed handshake, logged with the socket (the
monitor knows no peer address or key).

The handler runs in a thread of its own, so handshakes are answered while the gateway's loop is busy. It starts
before the first socket binds; the sockets set ``ZAP_ENFORCE_DOMAIN``, so without a running handler nobody gets in
(fail closed, tested).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Mapping

import zmq
from zmq.utils import z85
from zmq.utils.monitor import recv_monitor_message

log = logging.getLogger(__name__)

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
_WHY = {
    zmq.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH: "a client without CURVE keys",
    zmq.PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC: "a client with the wrong server key (not this gateway's public key)",
}

Socket = zmq.Socket[bytes]


class ZapHandler:
    """Answers ZAP requests from ``allow``: socket (ZAP domain) -> {public key (Z85): the key's name}."""

    def __init__(self, ctx: zmq.Context[Socket], allow: Mapping[str, Mapping[bytes, str]]) -> None:
        self.ctx = ctx
        self.allow = {domain: dict(keys) for domain, keys in allow.items()}
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._monitors: list[tuple[str, Socket]] = []
        self._lock_monitors = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind the ZAP endpoint (in the handler's thread) and return once it answers."""
        self._thread = threading.Thread(target=self._run, name="nexusgw-zap", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)
        if self._error is not None or not self._ready.is_set():
            raise RuntimeError(
                f"the ZAP handler could not bind {ZAP_ENDPOINT}: {self._error or 'no answer within 5 s'}; one ZeroMQ "
                "context holds one handler (is a second gateway running in this process?)"
            )

    def watch(self, domain: str, sock: Socket) -> None:
        """Log failed handshakes on ``sock`` (clients that never reach ZAP). Call before the handler's thread polls
        it, i.e. right after binding; the monitor socket is handed to the thread by ``_monitors``."""
        monitor = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
        with self._lock_monitors:
            self._monitors.append((domain, monitor))

    def stop(self) -> None:
        """Stop answering; the thread closes its sockets (call before the context is terminated)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- the thread ----------------------------------------------------------------------
    def _run(self) -> None:
        try:
            rep = self.ctx.socket(zmq.REP)
            rep.setsockopt(zmq.LINGER, 0)
            rep.bind(ZAP_ENDPOINT)
        except zmq.ZMQError as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        watched: list[tuple[str, Socket]] = []
        try:
            while not self._stop.is_set():
                with self._lock_monitors:
                    watched.extend(self._monitors)
                    self._monitors.clear()
                poller = zmq.Poller()
                poller.register(rep, zmq.POLLIN)
                for _, monitor in watched:
                    poller.register(monitor, zmq.POLLIN)
                ready = dict(poller.poll(100))
                if rep in ready:
                    self._answer_safely(rep)
                for domain, monitor in watched:
                    if monitor in ready:
                        self._handshake_event(domain, monitor)
        finally:
            rep.close(linger=0)
            for _, monitor in watched + self._monitors:
                monitor.close(linger=0)

    def _answer_safely(self, rep: Socket) -> None:
        """A request the handler cannot judge is refused; the handler itself keeps running."""
        try:
            self._answer(rep)
        except Exception:
            log.exception("ZAP request not judged: the client is refused")
            self.counts["zap_errors"] += 1
            with contextlib.suppress(zmq.ZMQError):
                rep.send_multipart([b"1.0", b"", b"500", b"internal error", b"", b""])

    def _answer(self, rep: Socket) -> None:
        frames = rep.recv_multipart()
        if len(frames) < 6:
            rep.send_multipart([b"1.0", b"", b"500", b"malformed ZAP request", b"", b""])
            return
        version, request_id, domain_b, address_b, _identity, mechanism = frames[:6]
        domain, address = domain_b.decode("utf-8", "replace"), address_b.decode("utf-8", "replace")
        if mechanism != b"CURVE" or len(frames) < 7 or len(frames[6]) != 32:
            self.counts[f"refused_{domain}"] += 1
            log.warning(
                "refused a client on the %s socket from %s: mechanism %s, only CURVE clients are admitted",
                domain or "(unnamed)",
                address,
                mechanism.decode("ascii", "replace"),
            )
            rep.send_multipart([version, request_id, b"400", b"CURVE required", b"", b""])
            return
        key = z85.encode(frames[6])
        name = self.allow.get(domain, {}).get(key)
        if name is None:
            self.counts[f"refused_{domain}"] += 1
            log.warning(
                "refused a CURVE client on the %s socket from %s: public key %s is not in gateway.security.allow.%s "
                "(add its .key file there if it should connect)",
                domain or "(unnamed)",
                address,
                key.decode(),
                domain,
            )
            rep.send_multipart([version, request_id, b"400", b"public key not allowed", b"", b""])
            return
        self.counts[f"admitted_{domain}"] += 1
        log.info("admitted %s (key %s) on the %s socket from %s", name, key.decode(), domain, address)
        rep.send_multipart([version, request_id, b"200", b"OK", f"{domain}:{name}".encode(), b""])

    def _handshake_event(self, domain: str, monitor: Socket) -> None:
        try:
            event = recv_monitor_message(monitor, zmq.NOBLOCK)
        except zmq.Again:
            return
        endpoint = event.get("endpoint", b"")
        where = endpoint.decode("utf-8", "replace") if isinstance(endpoint, bytes) else str(endpoint)
        if event["event"] == zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            # The connection ended mid-handshake: a client without CURVE keys that saw the mismatch first, or a
            # bare TCP connection such as the CLI's reachability probe (nothing to warn about; they look alike).
            self.counts[f"handshake_ended_{domain}"] += 1
            log.info(
                "a connection to the %s socket (%s) ended during the CURVE handshake: a client without CURVE keys "
                "that hung up first, or a port probe",
                domain,
                where,
            )
            return
        self.counts[f"handshake_failed_{domain}"] += 1
        value = int(event.get("value", 0))
        why = _WHY.get(value, f"protocol error {value:#x}")
        log.warning("refused a client on the %s socket (%s): it failed the CURVE handshake: %s", domain, where, why)
