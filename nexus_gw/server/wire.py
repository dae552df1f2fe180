"""The gateway's three ROUTER sockets: bind, close, read (drain), decode, write and refuse.

One ``Wire`` owns the ZeroMQ context and the platform, NEXUS and admin sockets. Writing order traffic to a
signal engine goes through its outbound queue (``server.outbound``), never straight to the socket.

Nothing acts before its commit: while the loop's journal pass is open (``hold_sends`` … ``release_sends``) every
message for a platform or an unknown NEXUS peer (heartbeats excepted) is encoded and kept, and written in order
only once the pass's transaction is committed. A send that fails then runs the ``on_fail`` its sender gave (an
ORDER is held for its platform's return, as when it fails at once). When the commit failed, only CANCELs go out:
a cancel needs no journal (the kill switch acts without it) and everything else described a state that is lost.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import zmq

from nexus_gw.config.models import SecurityConfig, SocketsConfig
from nexus_gw.errors import ConfigError, GatewayUnavailable, ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType
from nexus_gw.security.curve import ServerCurve
from nexus_gw.security.zap import ZapHandler
from nexus_gw.server import limits as socket_limits
from nexus_gw.server import outbound
from nexus_gw.server.peers import PeerTable

log = logging.getLogger(__name__)

#: At most this many messages are read from one socket per pass (the others get their turn).
MAX_BATCH = 1000

Socket = zmq.Socket[bytes]


@dataclass(slots=True)
class Held:
    """A send kept until the journal pass that produced it commits."""

    sock: Socket
    identity: bytes
    msg_type: MsgType
    header: bytes
    body: bytes
    on_fail: Callable[[], None] | None


def _port(endpoint: str) -> str:
    return str(urlparse(endpoint).port or endpoint)


def server_curve(security: SecurityConfig, sockets: SocketsConfig, config_dir: Path) -> ServerCurve | None:
    """The gateway's CURVE keys and allow-lists from the profile; None when it serves no CURVE (loopback only)."""
    if security.server_secret_key is None:
        exposed = sockets.exposed()
        if exposed:
            raise ConfigError(
                f"refusing to bind {exposed[0]} (not loopback) without CURVE: set gateway.security.server_secret_key "
                "and the allow-lists (docs/deployment.md), or bind tcp://127.0.0.1:PORT"
            )
        return None
    allow = security.allow
    lists = {"platform": allow.platform, "nexus": allow.nexus, "admin": allow.admin}
    curve = ServerCurve.load(security.server_secret_key, lists, config_dir)
    log.info(
        "CURVE on: server key %s; admitted keys: %s",
        curve.keys.public.decode(),
        ", ".join(f"{name} {len(keys)}" for name, keys in curve.allow.items()),
    )
    return curve


class Wire:
    def __init__(
        self,
        endpoints: SocketsConfig,
        peers: PeerTable,
        queues: outbound.EngineQueues,
        counters: Counter[str],
        curve: ServerCurve | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.curve = curve
        self.zap: ZapHandler | None = None
        self.peers = peers
        self.queues = queues
        self.counters = counters
        self.ctx: zmq.Context[Socket] | None = None
        self.platform: Socket | None = None
        self.nexus: Socket | None = None
        self.admin: Socket | None = None
        self.held: list[Held] | None = None  # sends kept until the open journal pass commits (None: no pass)

    # -- bind / close --------------------------------------------------------------------
    def bind(self, announce: Callable[[str], None] = print) -> None:
        """Bind the three sockets; GatewayUnavailable (everything closed again) when one cannot be bound."""
        self.ctx = zmq.Context()
        eps = self.endpoints
        if self.curve is not None:  # the handler answers before any socket can take a client
            self.zap = ZapHandler(self.ctx, self.curve.allow)
            self.zap.start()
        self.platform = self._bind(eps.platform, mandatory=True, limits=socket_limits.PLATFORM, name="platform")
        self.nexus = self._bind(eps.nexus, mandatory=True, limits=socket_limits.NEXUS, name="nexus")
        self.admin = self._bind(eps.admin, mandatory=False, limits=socket_limits.ADMIN, name="admin")
        secured = " (CURVE)" if self.curve is not None else ""
        announce("Gateway Server initialized ✓")
        announce(f"Platform socket ({_port(eps.platform)}): ACTIVE{secured}")
        announce(f"NEXUS socket ({_port(eps.nexus)}): ACTIVE{secured}")
        announce(f"Admin socket ({_port(eps.admin)}): ACTIVE{secured}")

    def _bind(self, endpoint: str, mandatory: bool, limits: socket_limits.SocketLimits, name: str) -> Socket:
        assert self.ctx is not None
        sock = self.ctx.socket(zmq.ROUTER)
        sock.setsockopt(zmq.LINGER, 1000)
        if self.curve is not None:
            self.curve.apply(sock, name)  # encryption, and only this socket's allow-list gets in
        limits.apply(sock)  # message size and per-connection queue: what one peer can make us hold
        if mandatory:
            sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
            sock.setsockopt(zmq.ROUTER_HANDOVER, 1)
        if endpoint == self.endpoints.nexus:
            outbound.tune_socket(sock)  # before bind: a listener copies the options its connections get
        try:
            sock.bind(endpoint)
        except zmq.ZMQError as exc:
            sock.close(linger=0)
            self.close()
            raise GatewayUnavailable(
                f"cannot bind {endpoint}: {exc.strerror}; is another nexusgw serve running? "
                "(check with nexusgw status, or change gateway.sockets in the profile)"
            ) from None
        if self.zap is not None:
            self.zap.watch(name, sock)
        return sock

    def close(self) -> None:
        if self.ctx is not None:
            for sock in (self.platform, self.nexus, self.admin):
                if sock is not None:
                    sock.close()
            self.platform = self.nexus = self.admin = None
            if self.zap is not None:
                self.zap.stop()
                self.zap = None
            self.ctx.term()
            self.ctx = None

    # -- reading -------------------------------------------------------------------------
    def drain(self, sock: Socket, handle: Callable[[list[bytes]], None]) -> None:
        for _ in range(MAX_BATCH):
            try:
                frames = [sock.recv(zmq.NOBLOCK)]
            except zmq.Again:
                return
            while sock.get(zmq.RCVMORE):
                frames.append(sock.recv())
            self.counters["messages_in"] += 1
            try:
                handle(frames)
            except Exception:  # one bad message must never take the gateway down
                log.exception("unexpected error handling a message from %r", frames[0][:64])
                self.counters["errors"] += 1
                self.counters["unexpected_errors"] += 1

    def decode(self, sock: Socket, frames: list[bytes], decoder: codec.Decoder) -> tuple[MsgType, m.Message] | None:
        identity = frames[0]
        if len(frames) != 3:
            self._seen_despite_error(sock, identity)
            self.reply_error(
                sock,
                identity,
                ProtocolError(
                    ErrorCode.BAD_FRAME,
                    f"expected 2 frames [header, payload], got {len(frames) - 1}; send b'TYPE/1' then the payload",
                ),
            )
            return None
        try:
            return decoder.decode(frames[1], frames[2])
        except ProtocolError as exc:
            self._seen_despite_error(sock, identity)
            self.reply_error(sock, identity, exc, codec.recover_ref(frames[2]))
            return None

    def _seen_despite_error(self, sock: Socket, identity: bytes) -> None:
        """A refused message from a known peer is still a sign of life (a HEARTBEAT with a bad field must not
        get its engine dropped as silent)."""
        now = time.monotonic()
        if sock is self.nexus:
            self.peers.seen_nexus(identity, now)
        elif sock is self.platform:
            self.peers.seen_platform(identity.decode("utf-8", "replace"), now)

    # -- writing -------------------------------------------------------------------------
    def reply_error(self, sock: Socket, identity: bytes, exc: ProtocolError, ref: str = "") -> None:
        self.counters["errors"] += 1
        log.warning("bad message from %r: %s", identity[:64], str(exc)[:300])
        error = m.Error(code=exc.code, message=str(exc), ref=ref, ts_ns=time.time_ns())
        self.send(sock, identity, MsgType.ERROR, error)

    def send(
        self,
        sock: Socket | None,
        identity: bytes,
        msg_type: MsgType,
        payload: m.Message,
        on_fail: Callable[[], None] | None = None,
    ) -> bool:
        """Write one message (or queue it: for an engine, or until the open journal pass commits); False when it
        could not be written now. ``on_fail`` runs when a send held for the commit fails after it."""
        if sock is None:
            return False
        if sock is self.nexus and msg_type is not MsgType.HEARTBEAT:
            queue = self.queues.by_identity(identity)
            if queue is not None:  # order traffic to an engine: queued, never dropped (flushed after the commit)
                header, body = codec.encode(msg_type, payload)
                queue.push_order(outbound.Item(msg_type, header, body))
                return True
        header, body = codec.encode(msg_type, payload)
        if self.held is not None and msg_type is not MsgType.HEARTBEAT:
            self.held.append(Held(sock, identity, msg_type, header, body, on_fail))
            return True
        return self._write(sock, identity, msg_type, header, body)

    def hold_sends(self) -> None:
        """A journal pass opens: keep every send (heartbeats excepted) until ``release_sends``."""
        self.held = []

    def holds(self, msg_type: MsgType) -> bool:
        """Is a message of ``msg_type`` waiting for the commit?"""
        return any(item.msg_type is msg_type for item in self.held or ())

    def release_sends(self, committed: bool) -> None:
        """The pass ended: write what it kept, in order (``committed``), or only its CANCELs (the commit failed)."""
        held, self.held = self.held, None
        for item in held or ():
            if not committed and item.msg_type is not MsgType.CANCEL:
                self.counters["sends_discarded_journal_lost"] += 1
                continue
            if not self._write(item.sock, item.identity, item.msg_type, item.header, item.body) and item.on_fail:
                item.on_fail()

    def _write(self, sock: Socket, identity: bytes, msg_type: MsgType, header: bytes, body: bytes) -> bool:
        try:
            sock.send(identity, zmq.SNDMORE | zmq.NOBLOCK)
            sock.send(header, zmq.SNDMORE | zmq.NOBLOCK)
            sock.send(body, zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            self.counters["send_failures"] += 1
            if exc.errno == zmq.EHOSTUNREACH:
                self._peer_unreachable(identity, msg_type)
            elif msg_type is MsgType.HEARTBEAT and exc.errno == zmq.EAGAIN:
                self.counters["heartbeats_not_sent"] += 1  # a slow peer: its queue is full, no log line each
            else:
                log.warning("could not send %s to %r: %s", msg_type.value, identity, exc.strerror)
            return False
        self.counters["messages_out"] += 1
        return True

    def to_platform_peer(
        self, identity: bytes, msg_type: MsgType, payload: m.Message, on_fail: Callable[[], None] | None = None
    ) -> bool:
        return self.send(self.platform, identity, msg_type, payload, on_fail)

    def write_nexus(self, identity: bytes, header: bytes, body: bytes) -> outbound.Sent:
        """One queued message to a signal engine (the queues' flush calls this)."""
        assert self.nexus is not None
        try:
            self.nexus.send(identity, zmq.SNDMORE | zmq.NOBLOCK)
            self.nexus.send(header, zmq.SNDMORE | zmq.NOBLOCK)
            self.nexus.send(body, zmq.NOBLOCK)
        except zmq.Again:
            self.counters["nexus_pipe_full"] += 1
            return outbound.Sent.AGAIN
        except zmq.ZMQError as exc:
            if exc.errno == zmq.EHOSTUNREACH:
                peer = self.peers.nexus.pop(identity, None)
                if peer is not None:
                    log.warning("signal engine %s disconnected; its order traffic waits for its next HELLO", peer.name)
                return outbound.Sent.GONE
            log.warning("could not send to signal engine %r: %s", identity, exc.strerror)
            return outbound.Sent.AGAIN
        self.counters["messages_out"] += 1
        return outbound.Sent.OK

    def _peer_unreachable(self, identity: bytes, msg_type: MsgType) -> None:
        """The peer's connection is gone: stop addressing it until it says HELLO again."""
        nexus_peer = self.peers.nexus.pop(identity, None)
        if nexus_peer is not None:
            self.queues.disconnect(identity)
            log.warning(
                "signal engine %s disconnected (seen sending %s); its order traffic waits for its next HELLO",
                nexus_peer.name,
                msg_type.value,
            )
            return
        name = identity.decode("utf-8", "replace")
        peer = self.peers.platforms.get(name)
        if peer is not None and not peer.unreachable:
            peer.alive = False
            peer.unreachable = True
            log.warning("platform %s disconnected (%s not delivered)", name, msg_type.value)
