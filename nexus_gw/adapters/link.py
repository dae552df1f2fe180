"""The adapter's link to the gateway: a DEALER socket whose identity is the platform instance name.

It says HELLO after every (re)connect, expects WELCOME, heartbeats at the gateway's interval, and treats
``liveness`` silent intervals as a dead gateway: it closes the socket (LINGER 0), waits with exponential
backoff and connects again.

Order traffic (leg updates and fills) carries a per-link sequence number and stays in ``unacked`` until the
gateway acknowledges it (after journaling it); everything unacknowledged is sent again after every WELCOME,
so a message lost with a dying connection or a restarting gateway arrives later, and the gateway discards
what it already has. Market data is never resent: it is dropped (and counted) when it cannot go. Ticks go
under their roots (by the latest WELCOME's subscriptions) with its ``roots_key``, so the gateway forwards each
batch to engines as it is, encoded once; to a gateway without ``roots_key`` they go under platform symbols.

A gateway that does not know the link (it restarted) answers with UNKNOWN_PEER: the link then says HELLO
once and waits for WELCOME; further UNKNOWN_PEER errors (one per message that was queued) do not trigger
another HELLO until ``hello_backoff`` has passed, doubling each time, so a restart costs one reconcile.

Every report the link sends (in HELLO or on request) says which of the gateway's ORDERs the adapter had
handled when it was built (``orders_epoch``/``orders_through``: the highest ``gw_seq`` acknowledged), so the
gateway never reads a leg's absence from a report that predates it.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable

import zmq

from nexus_gw import __version__
from nexus_gw.domain.backoff import Backoff
from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.security.curve import ClientCurve

log = logging.getLogger(__name__)


class GatewayLink:
    def __init__(
        self,
        ctx: zmq.Context[zmq.Socket[bytes]],
        endpoint: str,
        name: str,
        driver: str,
        capabilities: m.Capabilities,
        heartbeat_interval_s: float = 1.0,
        liveness: int = 3,
        backoff: Backoff | None = None,
        hello_backoff: Backoff | None = None,
        curve: ClientCurve | None = None,
    ) -> None:
        self.ctx = ctx
        self.curve = curve
        self.endpoint = endpoint
        self.name = name
        self.driver = driver
        self.capabilities = capabilities
        self.heartbeat_interval_s = heartbeat_interval_s
        self.liveness = liveness
        self.backoff = backoff or Backoff(0.25, 8.0)
        self.hello_backoff = hello_backoff or Backoff(1.0, 8.0, jitter=0.0)
        self.hellos_sent = 0
        self._hello_retry_at = 0.0  # while no WELCOME: no new HELLO before this
        self.orders_epoch = ""
        self.orders_through = 0
        self._order_seqs: dict[str, tuple[str, int]] = {}  # leg id -> (gw_epoch, gw_seq) of ORDERs not yet acked
        self.session = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.decoder = codec.Decoder(codec.GATEWAY_TO_PLATFORM)
        self.socket: zmq.Socket[bytes] | None = None
        self.welcome: m.Welcome | None = None
        self._roots: dict[str, str] = {}  # platform symbol -> root, from the WELCOME
        self.unacked: dict[int, tuple[bytes, bytes]] = {}
        self.report_provider: Callable[[], m.PlatformReport | None] = lambda: None
        self._seq = 0
        self.dropped_market_data = 0
        self.platform_connected: bool | None = None
        self.symbol_checks: dict[str, m.SymbolCheck] = {}  # platform symbol -> what the platform said of it
        self._last_heard = 0.0
        self._next_heartbeat = 0.0
        self._reconnect_at = 0.0

    # -- connection ----------------------------------------------------------------------
    def connect(self) -> None:
        sock = self.ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.IDENTITY, self.name.encode())
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SNDHWM, 100_000)
        sock.setsockopt(zmq.RCVHWM, 100_000)
        if self.curve is not None:
            self.curve.apply(sock)
        sock.connect(self.endpoint)
        self.socket = sock
        self.welcome = None
        now = time.monotonic()
        self._last_heard = now
        self._next_heartbeat = now
        self._send_hello()

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close(linger=0)
            self.socket = None
        self.welcome = None

    def _send_hello(self) -> None:
        self.hellos_sent += 1
        self._hello_retry_at = time.monotonic() + self.hello_backoff.next_delay()
        hello = m.Hello(
            role="platform",
            name=self.name,
            driver=self.driver,
            session=self.session,
            version=__version__,
            capabilities=self.capabilities,
            report=self._stamped(self.report_provider()),
        )
        self._send_now(*codec.encode(MsgType.HELLO, hello))

    def _send_now(self, header: bytes, payload: bytes) -> bool:
        if self.socket is None:
            return False
        try:
            self.socket.send(header, zmq.SNDMORE | zmq.NOBLOCK)
            self.socket.send(payload, zmq.NOBLOCK)
            return True
        except zmq.Again:
            return False

    # -- sending -------------------------------------------------------------------------
    def send_market_data(self, ticks: list[m.Tick]) -> None:
        """Ticks named by platform symbol. To a gateway that gave a ``roots_key`` they go under their roots with
        that key (the gateway forwards such a batch to engines as it is); a symbol the WELCOME did not subscribe
        goes in a batch of its own under its platform symbol (the gateway counts it and drops it)."""
        if not ticks:
            return
        if self.welcome is None:
            self.dropped_market_data += len(ticks)
            return
        key = self.welcome.roots_key
        if not key:  # an older gateway: it renames the ticks itself
            self._send_ticks(ticks, "")
            return
        roots = self._roots
        named: list[m.Tick] = []
        unknown: list[m.Tick] = []
        for tick in ticks:
            root = roots.get(tick.symbol)
            if root is None:
                unknown.append(tick)
            else:
                tick.symbol = root
                named.append(tick)
        self._send_ticks(named, key)
        self._send_ticks(unknown, "")

    def _send_ticks(self, ticks: list[m.Tick], roots_key: str) -> None:
        if ticks:
            md = m.MarketData(platform=self.name, ticks=ticks, roots_key=roots_key)
            if not self._send_now(*codec.encode(MsgType.MARKET_DATA, md)):
                self.dropped_market_data += len(ticks)

    def send_reliable(self, msg_type: MsgType, payload: m.LegUpdate | m.LegFill) -> int:
        """Order traffic: numbered, kept until acknowledged, sent now if the gateway is there; its seq."""
        self._seq += 1
        payload.seq = self._seq
        frames = codec.encode(msg_type, payload)
        self.unacked[self._seq] = frames
        if self.welcome is not None:
            self._send_now(*frames)
        return self._seq

    def resend_unacked(self) -> None:
        """After a WELCOME: everything the gateway has not acknowledged, in order."""
        for frames in list(self.unacked.values()):
            if not self._send_now(*frames):
                return

    def _stamped(self, report: m.PlatformReport | None) -> m.PlatformReport | None:
        """The report with the gateway ORDERs it covers (those acknowledged before it was built)."""
        if report is not None:
            report.orders_epoch = self.orders_epoch
            report.orders_through = self.orders_through
        return report

    def send_report(self) -> None:
        report = self._stamped(self.report_provider())
        if report is not None:
            self._send_now(*codec.encode(MsgType.POSITION, report))

    def ack_order(self, leg_id: str) -> None:
        """Tell the gateway an ORDER arrived (it resends unacknowledged orders after a reconnect); reports
        built from now on cover it."""
        epoch, seq = self._order_seqs.pop(leg_id, ("", 0))
        if seq:
            if epoch != self.orders_epoch:
                self.orders_epoch, self.orders_through = epoch, seq
            else:
                self.orders_through = max(self.orders_through, seq)
        self._send_now(*codec.encode(MsgType.ACK, m.Ack(kind="ORDER", ref=leg_id)))

    def set_symbol_state(self, symbol: str, known: bool, reason: str = "") -> None:
        """Record what the platform said of ``symbol``; a change is sent in the next heartbeat, at once."""
        check = m.SymbolCheck(symbol=symbol, known=known, reason=reason)
        if self.symbol_checks.get(symbol) != check:
            self.symbol_checks[symbol] = check
            self._next_heartbeat = 0.0

    def keep_symbol_checks(self, symbols: set[str]) -> None:
        for symbol in set(self.symbol_checks) - symbols:
            del self.symbol_checks[symbol]

    def set_platform_connected(self, connected: bool) -> None:
        if connected != self.platform_connected:
            self.platform_connected = connected
            self._next_heartbeat = 0.0

    # -- receiving and liveness ----------------------------------------------------------
    def receive(self) -> list[tuple[MsgType, m.Message]]:
        """Drain the socket; return decoded messages (bad ones are logged and skipped)."""
        out: list[tuple[MsgType, m.Message]] = []
        if self.socket is None:
            return out
        while True:
            try:
                header = self.socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                return out
            payload = self.socket.recv() if self.socket.getsockopt(zmq.RCVMORE) else b""
            while self.socket.getsockopt(zmq.RCVMORE):
                self.socket.recv()
            self._last_heard = time.monotonic()
            try:
                msg_type, msg = self.decoder.decode(header, payload)
            except ProtocolError as exc:
                log.error("bad message from gateway: %s", exc)
                continue
            if msg_type is MsgType.WELCOME:
                assert isinstance(msg, m.Welcome)
                self.welcome = msg
                self._roots = {sub.symbol: sub.root for sub in msg.subscriptions}
                self.heartbeat_interval_s = msg.heartbeat_interval_s
                self.backoff.reset()
                self.hello_backoff.reset()
                self._hello_retry_at = 0.0
                log.info("gateway %s welcomed %s (profile %s)", msg.gateway, self.name, msg.profile)
            elif msg_type is MsgType.ERROR and isinstance(msg, m.Error) and msg.code == "UNKNOWN_PEER":
                self.welcome = None
                if time.monotonic() >= self._hello_retry_at:
                    log.warning("gateway does not know us (it restarted?): saying HELLO again")
                    self._send_hello()
                continue  # a HELLO is already on its way: one per WELCOME, not one per queued message
            elif isinstance(msg, m.Order) and msg.gw_seq:
                self._order_seqs[msg.leg_id] = (msg.gw_epoch, msg.gw_seq)
                if len(self._order_seqs) > 10_000:
                    self._order_seqs.pop(next(iter(self._order_seqs)))
            if isinstance(msg, m.Ack):
                self.unacked.pop(msg.seq, None)
                continue
            out.append((msg_type, msg))
            if msg_type is MsgType.WELCOME:
                self.resend_unacked()

    def tick(self, now: float) -> float:
        """Heartbeat and liveness; returns seconds until the link next needs attention."""
        if self.socket is None:
            if now >= self._reconnect_at:
                log.info("connecting to gateway at %s", self.endpoint)
                self.connect()
            else:
                return self._reconnect_at - now
        silent = now - self._last_heard
        if silent > self.heartbeat_interval_s * self.liveness:
            delay = self.backoff.next_delay()
            log.warning("gateway at %s silent for %.1fs; reconnecting in %.1fs", self.endpoint, silent, delay)
            self.close()
            self._reconnect_at = now + delay
            return delay
        if now >= self._next_heartbeat:
            checks = list(self.symbol_checks.values()) or None
            beat = m.Heartbeat(ts_ns=time.time_ns(), connected=self.platform_connected, symbols=checks)
            self._send_now(*codec.encode(MsgType.HEARTBEAT, beat))
            self._next_heartbeat = now + self.heartbeat_interval_s
        return max(
            0.0,
            min(self._next_heartbeat - now, self._last_heard + self.heartbeat_interval_s * self.liveness - now),
        )
