"""The gateway process: one zmq.Poller loop over the platform, NEXUS and admin sockets.

Every state change happens in this loop, in message order. Each pass: poll with a timeout no longer
than the heartbeat interval, drain every ready socket (single-frame recv with known framing), then
expire silent peers and send heartbeats.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlparse

import zmq

from nexus_gw import __version__
from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.clock import Clock, SimulatedClock, SystemClock
from nexus_gw.domain.fx import FxRate, MissingRateError, StaleRateError, rate_from_wdo
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.domain.risk.engine import RiskEngine
from nexus_gw.domain.rollover import RollWatcher
from nexus_gw.errors import GatewayUnavailable, ProtocolError
from nexus_gw.journal import Delivery, Journal, journal_path
from nexus_gw.journal.connection import ensure_writable_dir
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, header_for
from nexus_gw.protocol.refs import delivery_ref
from nexus_gw.server import admin, outbound
from nexus_gw.server import limits as socket_limits
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.fxfeed import HttpRateFeed
from nexus_gw.server.guard import StepGuard
from nexus_gw.server.held import LegHolder
from nexus_gw.server.killswitch import KillSwitch
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.paper import PaperBroker
from nexus_gw.server.peers import NexusPeer, PeerTable, PlatformPeer
from nexus_gw.server.protocols import OrderMessages
from nexus_gw.server.pruning import Pruner
from nexus_gw.server.reconciliation import Reconciler
from nexus_gw.server.reports import revision_of
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.rolling import Rolls
from nexus_gw.server.routes import LiveRoute, PaperRoute, PlatformRoutes

log = logging.getLogger(__name__)

MAX_BATCH = 1000


def _port(endpoint: str) -> str:
    return str(urlparse(endpoint).port or endpoint)


class Gateway:
    def __init__(self, loaded: LoadedProfile, clock: Clock | None = None) -> None:
        self.loaded = loaded
        self.profile = loaded.profile
        self.symbols = loaded.reference.symbols
        cfg = self.profile.gateway
        if clock is None:
            clock = SimulatedClock(cfg.clock.start, cfg.clock.speed) if cfg.clock.start else SystemClock()
        self.clock: Clock = clock
        self.interval = cfg.heartbeat_interval_s
        self.peers = PeerTable(cfg.heartbeat_interval_s, cfg.heartbeat_liveness)
        self.counters: Counter[str] = Counter()
        self.fx = self.profile.fx.build_book()
        self.data_dir = cfg.data_dir
        ensure_writable_dir(self.data_dir)  # a read-only or full data dir stops here with one clear line
        self.ledger = Ledger(
            Journal.open(journal_path(self.data_dir)),
            loaded.reference.instruments,
            self._to_usd,
            lambda platform, root: (
                self.profile.platforms[platform].sizing_for(root).multiplier
                if platform in self.profile.platforms
                else 1.0
            ),
        )
        self.alerts = AlertLog(None, self.ledger.event, self.clock.now)  # the one alert log (monitor/alerts.py)
        self.unacked_orders: OrderMessages = {}
        self.dispatch = Dispatch()  # ORDER numbering, sent-to sessions, held legs (server/dispatch.py)
        self.outbound = outbound.EngineQueues()  # per-engine queues on the NEXUS socket
        self.paper = PaperBroker()
        book = OrderBook(self.profile.trading.one_order_per_symbol)
        self.holder = LegHolder(
            self.dispatch,
            book,
            self.peers,
            self.clock,
            self.counters,
            self.alerts,
            self.ledger.event,
            self.profile.trading.order_timeout_s,
            lambda: self.risk.engine.kill_switch.active,
            lambda name, msg_type, payload: self.routes.to_platform(name, msg_type, payload),
            lambda platform, update: self.desk.on_leg_update(platform, update),
        )
        self.routes = PlatformRoutes(
            {
                name: PaperRoute(name, self.paper)
                if instance.paper
                else LiveRoute(name, self.peers, self.dispatch, self.unacked_orders, self.holder, self._write_platform)
                for name, instance in self.profile.platforms.items()
            }
        )
        self.desk = ExecutionDesk(loaded, self.peers, self.clock, self, self.counters, self.ledger, book)
        recovered = self.ledger.recover(self.desk.book)
        if recovered:
            log.warning("recovered %d open orders from the journal in %s", recovered, self.data_dir)
        self.risk = RiskGate(
            RiskEngine(self.profile.risk), self.ledger, loaded.reference.instruments, self._usd_per_unit, self.alerts
        )
        self.desk.risk = self.risk
        self.guard = StepGuard(self.counters, self.alerts)
        self.kill_switch = KillSwitch(
            self.profile,
            self.risk,
            self.desk,
            self.ledger,
            self.peers,
            self.clock,
            self.counters,
            self.alerts,
            self.unacked_orders,
            self.routes.to_platform,
            self.data_dir,
        )
        self.desk.on_kill_switch = self.kill_switch.stop_trading
        self.risk.restore()
        self.reconciler = Reconciler(
            self.desk,
            self.ledger,
            self.symbols,
            self.dispatch,
            self.unacked_orders,
            self.holder,
            self.alerts,
            self.counters,
            self.clock,
            self.profile.trading.order_timeout_s,
            lambda: self.risk.engine.kill_switch.active,
            self.routes.to_platform,
        )
        self.pruner = Pruner(
            self.profile.trading,
            self.desk,
            self.ledger,
            self.unacked_orders,
            self.reconciler.stuck_alerted,
            self.counters,
        )
        self.platform_decoder = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
        self.nexus_decoder = codec.Decoder(codec.NEXUS_TO_GATEWAY)
        self.admin_decoder = codec.Decoder(codec.OPERATOR_TO_GATEWAY)
        self.ctx: zmq.Context[zmq.Socket[bytes]] | None = None
        self.started = time.monotonic()
        self.pid = os.getpid()
        self.stop_requested = False
        self._next_heartbeat = 0.0
        self._next_roll_check = 0.0
        self.rolls = Rolls(
            RollWatcher(loaded.reference.instruments, list(self.profile.symbols), self.clock.now()),
            self.ledger,
            self.peers,
            self.desk,
            self.symbols,
            self.clock,
            self.counters,
            self._resubscribe,
            self.profile.trading.roll_positions == "auto",
        )
        self._seq_seen: dict[str, int] = {}  # adapter session -> highest report sequence processed
        http = self.profile.fx.http
        self.fx_feed = HttpRateFeed(http, self.data_dir / "fx_http_cache.json", self.clock.now) if http else None
        self.kill_switch.resume()  # an active switch: cancels (and flatten) go out as platforms come

    @property
    def roll_log(self) -> list[dict[str, str]]:
        return self.rolls.log

    # -- sockets -------------------------------------------------------------------------
    def bind(self, announce: Callable[[str], None] = print) -> None:
        self.ctx = zmq.Context()
        sockets = self.profile.gateway.sockets
        self.platform_sock = self._bind(sockets.platform, mandatory=True, limits=socket_limits.PLATFORM)
        self.nexus_sock = self._bind(sockets.nexus, mandatory=True, limits=socket_limits.NEXUS)
        self.admin_sock = self._bind(sockets.admin, mandatory=False, limits=socket_limits.ADMIN)
        announce("Gateway Server initialized ✓")
        announce(f"Platform socket ({_port(sockets.platform)}): ACTIVE")
        announce(f"NEXUS socket ({_port(sockets.nexus)}): ACTIVE")
        announce(f"Admin socket ({_port(sockets.admin)}): ACTIVE")
        log.info(
            "profile %s: symbols %s, platforms %s",
            self.profile.name,
            ", ".join(self.profile.symbols),
            ", ".join(self.profile.enabled_platforms()),
        )

    def _bind(
        self, endpoint: str, mandatory: bool, limits: socket_limits.SocketLimits = socket_limits.NEXUS
    ) -> zmq.Socket[bytes]:
        assert self.ctx is not None
        sock = self.ctx.socket(zmq.ROUTER)
        sock.setsockopt(zmq.LINGER, 1000)
        limits.apply(sock)  # message size and per-connection queue: what one peer can make us hold
        if mandatory:
            sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
            sock.setsockopt(zmq.ROUTER_HANDOVER, 1)
        if endpoint == self.profile.gateway.sockets.nexus:
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
        return sock

    def close(self) -> None:
        if self.ctx is not None:
            for name in ("platform_sock", "nexus_sock", "admin_sock"):
                sock = getattr(self, name, None)
                if sock is not None:
                    sock.close()
            self.ctx.term()
            self.ctx = None
        self.ledger.close()

    # -- Outbound (used by the execution desk) --------------------------------------------
    def _send(self, sock: zmq.Socket[bytes], identity: bytes, msg_type: MsgType, payload: m.Message) -> bool:
        if sock is getattr(self, "nexus_sock", None) and msg_type is not MsgType.HEARTBEAT:
            queue = self.outbound.by_identity(identity)
            if queue is not None:  # order traffic to an engine: queued, never dropped
                header, body = codec.encode(msg_type, payload)
                queue.push_order(outbound.Item(msg_type, header, body))
                return True
        header, body = codec.encode(msg_type, payload)
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

    def _peer_unreachable(self, identity: bytes, msg_type: MsgType) -> None:
        """The peer's connection is gone: stop addressing it until it says HELLO again."""
        nexus_peer = self.peers.nexus.pop(identity, None)
        if nexus_peer is not None:
            self.outbound.disconnect(identity)
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

    def to_platform(self, name: str, msg_type: MsgType, payload: m.Message) -> bool:
        return self.routes.to_platform(name, msg_type, payload)

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        return self.routes.hold(order, leg, payload)

    def _write_platform(self, identity: bytes, msg_type: MsgType, payload: m.Message) -> bool:
        return self._send(self.platform_sock, identity, msg_type, payload)

    def _resubscribe(self, peer: PlatformPeer) -> None:
        subscriptions = self._subscriptions(peer.name)
        peer.symbols = {s.symbol: s.root for s in subscriptions}
        self._send(self.platform_sock, peer.identity, MsgType.WELCOME, self._welcome(subscriptions))

    def to_nexus(self, identity: bytes | None, msg_type: MsgType, payload: m.Message) -> None:
        """To one connection (``identity``), or market data (``None``) to every engine's queue."""
        if identity is None:
            if msg_type is MsgType.MARKET_DATA and isinstance(payload, m.MarketData):
                header, body = codec.encode(msg_type, payload)
                self.outbound.push_market(payload, header, body)
            else:
                self.to_engine(None, msg_type, payload)
            return
        if identity in self.peers.nexus:
            self._send(self.nexus_sock, identity, msg_type, payload)

    def to_engine(
        self, name: str | None, msg_type: MsgType, payload: m.Message | bytes, delivery: Delivery | None = None
    ) -> None:
        """Order traffic for the engine ``name`` (queued while it is slow or offline); ``None``: an order of
        unknown owner (journaled before owners were kept), to every connected engine."""
        body = payload if isinstance(payload, bytes) else codec.encode(msg_type, payload)[1]
        item = outbound.Item(
            msg_type,
            header_for(msg_type),
            body,
            order_id=delivery_ref(delivery.order_id, revision_of(delivery.key)) if delivery is not None else "",
            delivery_id=delivery.delivery_id if delivery is not None else None,
        )
        if name is not None:
            self.outbound.get(name).push_order(item)
            return
        for queue_name in {peer.name for peer in self.peers.nexus.values()}:
            self.outbound.get(queue_name).push_order(outbound.Item(**{f: getattr(item, f) for f in item.__slots__}))

    def _flush_engines(self) -> bool:
        """Write what waits for each engine, order traffic first; True when nothing is left for an online one."""
        now = time.monotonic()
        for queue in self.outbound.engines.values():
            if queue.identity is not None and queue.identity not in self.peers.nexus:
                queue.go_offline()  # dropped as silent: what waits goes after its next HELLO
            elif now >= self._next_redelivery:
                queue.redeliver(now)
        if now >= self._next_redelivery:
            self._next_redelivery = now + 1.0
        return self.outbound.flush(self._write_nexus, self._written, now)

    def _write_nexus(self, identity: bytes, header: bytes, body: bytes) -> outbound.Sent:
        try:
            self.nexus_sock.send(identity, zmq.SNDMORE | zmq.NOBLOCK)
            self.nexus_sock.send(header, zmq.SNDMORE | zmq.NOBLOCK)
            self.nexus_sock.send(body, zmq.NOBLOCK)
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

    def _written(self, queue: outbound.EngineQueue, item: outbound.Item) -> None:
        """An engine that does not acknowledge final ORDER_UPDATEs (an older SDK) gets each once, as before."""
        if item.msg_type is MsgType.ORDER_UPDATE and item.delivery_id is not None and not queue.acks_updates:
            self.ledger.acknowledged(item.order_id, MsgType.ORDER_UPDATE.value, queue.name)

    # -- the loop ------------------------------------------------------------------------
    def run(self) -> None:
        if self.fx_feed is not None:
            self.fx_feed.start()
        poller = zmq.Poller()
        for sock in (self.platform_sock, self.nexus_sock, self.admin_sock):
            poller.register(sock, zmq.POLLIN)
        try:
            while not self.stop_requested:
                self.run_once(poller)
        finally:
            log.info("gateway stopping: %d working orders", len(self.desk.book.working()))
            if self.fx_feed is not None:
                self.fx_feed.stop()
            self.close()

    _engines_waiting = False
    _next_redelivery = 0.0

    def run_once(self, poller: zmq.Poller) -> None:
        now = time.monotonic()
        timeout_ms = max(0, int((self._next_heartbeat - now) * 1000))
        if self._engines_waiting:
            timeout_ms = min(timeout_ms, 5)  # an engine's pipe was full: try again soon
        ready = dict(poller.poll(min(timeout_ms, int(self.interval * 1000))))
        if self.platform_sock in ready:
            self._drain(self.platform_sock, self._on_platform_frames)
        if self.nexus_sock in ready:
            self._drain(self.nexus_sock, self._on_nexus_frames)
        if self.admin_sock in ready:
            self._drain(self.admin_sock, self._on_admin_frames)
        self.guard.run("paper_reports", self._paper_reports)  # a full disk must not end the loop
        self._flush_engines()  # what this pass produced, before housekeeping may drop a silent engine
        self._housekeeping(time.monotonic())
        self._engines_waiting = not self._flush_engines()

    def _drain(self, sock: zmq.Socket[bytes], handle: Callable[[list[bytes]], None]) -> None:
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

    def _reply_error(self, sock: zmq.Socket[bytes], identity: bytes, exc: ProtocolError, ref: str = "") -> None:
        self.counters["errors"] += 1
        log.warning("bad message from %r: %s", identity[:64], str(exc)[:300])
        error = m.Error(code=exc.code, message=str(exc), ref=ref, ts_ns=time.time_ns())
        self._send(sock, identity, MsgType.ERROR, error)

    def _decode(
        self, sock: zmq.Socket[bytes], frames: list[bytes], decoder: codec.Decoder
    ) -> tuple[MsgType, m.Message] | None:
        identity = frames[0]
        if len(frames) != 3:
            self._seen_despite_error(sock, identity)
            self._reply_error(
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
            self._reply_error(sock, identity, exc, codec.recover_ref(frames[2]))
            return None

    def _seen_despite_error(self, sock: zmq.Socket[bytes], identity: bytes) -> None:
        """A refused message from a known peer is still a sign of life (a HEARTBEAT with a bad field must not
        get its engine dropped as silent)."""
        now = time.monotonic()
        if sock is self.nexus_sock:
            self.peers.seen_nexus(identity, now)
        elif sock is self.platform_sock:
            self.peers.seen_platform(identity.decode("utf-8", "replace"), now)

    # -- platform socket -----------------------------------------------------------------
    def _on_platform_frames(self, frames: list[bytes]) -> None:
        decoded = self._decode(self.platform_sock, frames, self.platform_decoder)
        if decoded is None:
            return
        _, msg = decoded
        identity = frames[0]
        name = identity.decode("utf-8", "replace")
        now = time.monotonic()
        if isinstance(msg, m.Hello):
            self._platform_hello(identity, msg, now)
            return
        peer = self.peers.seen_platform(name, now)
        if peer is None:
            if not self.dispatch.may_answer_unknown_peer(identity, now):
                self.counters["unknown_peer_unanswered"] += 1  # one answer per burst: one HELLO, one reconcile
                return
            self._reply_error(
                self.platform_sock,
                identity,
                ProtocolError(ErrorCode.UNKNOWN_PEER, f"platform {name!r} has not said HELLO; send HELLO first"),
            )
            return
        if isinstance(msg, m.MarketData):
            self._platform_market_data(peer, msg)
        elif isinstance(msg, m.LegUpdate | m.LegFill):
            self._platform_report(peer, msg)
        elif isinstance(msg, m.Ack):
            self.unacked_orders.pop(msg.ref, None)
        elif isinstance(msg, m.PlatformReport):
            self.reconciler.reconcile_report(name, msg, peer.session)
        elif isinstance(msg, m.Heartbeat):
            if msg.connected is not None and msg.connected != peer.platform_connected:
                peer.platform_connected = msg.connected
                log.log(
                    logging.INFO if msg.connected else logging.WARNING,
                    "platform %s reports its connection %s",
                    name,
                    "up" if msg.connected else "down",
                )
        elif isinstance(msg, m.Error):
            log.error("platform %s error %s: %s", name, msg.code, msg.message)

    def _platform_report(self, peer: PlatformPeer, msg: m.LegUpdate | m.LegFill) -> None:
        """A leg report: processed once (journaled inside), then acknowledged so the adapter can forget it."""
        last = self._seq_seen.get(peer.session, 0)
        if msg.seq and msg.seq <= last:
            self.counters["duplicate_reports"] += 1
        else:
            self.reconciler.revive(msg.leg_id)  # a report on a finished order the book no longer holds
            if isinstance(msg, m.LegUpdate):
                self.desk.on_leg_update(peer.name, msg)
            else:
                self.desk.on_leg_fill(peer.name, msg)
            if msg.seq:
                self._seq_seen[peer.session] = msg.seq
        if msg.seq:
            self._send(self.platform_sock, peer.identity, MsgType.ACK, m.Ack(kind="REPORT", seq=msg.seq))

    def _paper_reports(self) -> None:
        """What paper platforms did since the last pass, handled as if the platforms had reported it."""
        for _ in range(100):  # a report can trigger more (fills release quotes); bounded per pass
            reports = self.paper.drain()
            if not reports:
                return
            for platform, report in reports:
                if isinstance(report, m.LegUpdate):
                    self.desk.on_leg_update(platform, report)
                else:
                    self.desk.on_leg_fill(platform, report)

    def _platform_hello(self, identity: bytes, hello: m.Hello, now: float) -> None:
        name = identity.decode("utf-8", "replace")
        instance = self.profile.platforms.get(name)
        if hello.role != "platform" or instance is None or not instance.enabled:
            known = ", ".join(self.profile.enabled_platforms())
            self._reply_error(
                self.platform_sock,
                identity,
                ProtocolError(
                    ErrorCode.UNKNOWN_PLATFORM,
                    f"platform {name!r} is not an enabled platform of profile {self.profile.name}; enabled: {known}",
                ),
            )
            return
        subscriptions = self._subscriptions(name)
        previous = self.peers.platforms.get(name)
        if hello.report is not None:
            self.reconciler.reconcile_report(name, hello.report, hello.session)  # before anything new is sent
        self.peers.platforms[name] = PlatformPeer(
            identity=identity,
            name=name,
            session=hello.session,
            connected_at=now,
            last_seen=now,
            driver=hello.driver,
            capabilities=hello.capabilities,
            symbols={s.symbol: s.root for s in subscriptions},
        )
        if previous is not None and previous.session != hello.session:
            log.warning(
                "platform %s reconnected with a new session %s (was %s)",
                name,
                hello.session,
                previous.session,
            )
        log.info(
            "platform %s online (driver %s, session %s): %s",
            name,
            hello.driver,
            hello.session,
            ", ".join(f"{s.root}={s.symbol}" for s in subscriptions),
        )
        self._send(self.platform_sock, identity, MsgType.WELCOME, self._welcome(subscriptions))
        self.kill_switch.on_platform_hello(name)  # after reconciliation: re-send its pending cancels
        self.reconciler.resend_unacknowledged(name)
        self.holder.send_held(name)

    def _subscriptions(self, platform: str) -> list[m.Subscription]:
        now = self.clock.now()
        subs = []
        for root in self.profile.symbols:
            if self.symbols.supports(platform, root):
                tick = float(self.loaded.reference.instruments.get(root).tick_size)
                subs.append(m.Subscription(root=root, symbol=self.symbols.resolve(root, platform, now), tick_size=tick))
        return subs

    def _platform_market_data(self, peer: PlatformPeer, md: m.MarketData) -> None:
        now = self.clock.now()
        paper = self.profile.platforms[peer.name].paper
        ticks = []
        for tick in md.ticks:
            root = peer.symbols.get(tick.symbol)
            if root is None:
                self.counters["market_data_unknown_symbol"] += 1
                continue
            if root == self.profile.fx.quote_instrument and tick.last > 0:
                self.fx.update(rate_from_wdo(tick.last, now, tick.symbol))
            self.ledger.mark(root, peer.name, tick.last)
            if paper:
                self.paper.on_quote(peer.name, tick.symbol, tick.bid, tick.ask, tick.last)
            self.risk.last_prices[root] = tick.last
            self.risk.engine.on_market_data(root, now)
            ticks.append(m.Tick(root, tick.bid, tick.ask, tick.last, tick.size, tick.ts_ns))
        self.counters["market_data_ticks"] += len(ticks)
        if ticks and self.peers.nexus:
            self.to_nexus(None, MsgType.MARKET_DATA, m.MarketData(platform=peer.name, ticks=ticks))

    # -- NEXUS socket --------------------------------------------------------------------
    def _on_nexus_frames(self, frames: list[bytes]) -> None:
        decoded = self._decode(self.nexus_sock, frames, self.nexus_decoder)
        if decoded is None:
            return
        _, msg = decoded
        identity = frames[0]
        now = time.monotonic()
        if isinstance(msg, m.Hello):
            self.peers.nexus[identity] = NexusPeer(
                identity=identity, name=msg.name, session=msg.session, connected_at=now, last_seen=now
            )
            log.info("signal engine %s connected (session %s)", msg.name, msg.session)
            queue = self.outbound.connect(msg.name, identity, "ORDER_UPDATE" in msg.acks)
            welcome = self._welcome([])
            welcome.working = [
                o.order_id for o in self.desk.book.working() if self.desk.owners.name_of(o.order_id) == msg.name
            ]
            queue.push_order(outbound.Item(MsgType.WELCOME, *codec.encode(MsgType.WELCOME, welcome)), front=True)
            self._resend_unacked_fills(identity)
            return
        if self.peers.seen_nexus(identity, now) is None:
            ref = msg.client_id if isinstance(msg, m.Signal) else ""
            self._reply_error(
                self.nexus_sock,
                identity,
                ProtocolError(ErrorCode.UNKNOWN_PEER, "this client has not said HELLO; send HELLO first"),
                ref,
            )
            return
        self.risk.raise_alerts(self.risk.engine.on_engine_seen(self.clock.now()))
        if isinstance(msg, m.Signal):
            self.desk.on_signal(identity, msg)
        elif isinstance(msg, m.Cancel):
            self.desk.on_cancel(identity, msg)
        elif isinstance(msg, m.Ack) and msg.kind in ("FILL", "ORDER_UPDATE"):
            peer = self.peers.nexus[identity]
            if self.ledger.acknowledged(msg.ref, msg.kind, peer.name):
                self.outbound.get(peer.name).acked(
                    msg.ref, ("FILL", "ORDER_UPDATE") if msg.kind == "FILL" else ("ORDER_UPDATE",)
                )
            else:
                self.counters["acks_not_owner"] += 1
                log.warning(
                    "signal engine %s acknowledged %s of order %s it does not own: ignored",
                    peer.name,
                    msg.kind,
                    msg.ref,
                )
        elif isinstance(msg, m.Error):
            log.error("signal engine error %s: %s", msg.code, msg.message)

    def _resend_unacked_fills(self, identity: bytes) -> None:
        """Final ORDER_UPDATEs and FILLs this engine (by name) never acknowledged, lost with a connection or
        before a restart: queued again, oldest first. Only what the engine owns (or of unknown owner)."""
        peer = self.peers.nexus[identity]
        for delivery in self.ledger.pending_for(peer.name):
            if self.to_engine_delivery(peer.name, delivery):
                self.counters["fills_resent" if delivery.kind == MsgType.FILL.value else "updates_resent"] += 1

    def to_engine_delivery(self, name: str, delivery: Delivery) -> bool:
        item = outbound.Item(
            MsgType(delivery.kind),
            header_for(MsgType(delivery.kind)),
            delivery.payload,
            delivery_ref(delivery.order_id, revision_of(delivery.key)),
            delivery.delivery_id,
        )
        return self.outbound.get(name).push_order(item)

    # -- admin socket --------------------------------------------------------------------
    def _on_admin_frames(self, frames: list[bytes]) -> None:
        """Every request gets a STATUS reply, ``ok: false`` with what was wrong when it was malformed."""
        reply = admin.handle_frames(self, frames)
        try:
            self.admin_sock.send_multipart(reply, zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            log.warning("admin: reply not sent to %r: %s", frames[0][:64], exc.strerror)

    # -- housekeeping --------------------------------------------------------------------
    def _welcome(self, subscriptions: list[m.Subscription]) -> m.Welcome:
        return m.Welcome(
            gateway=self.profile.gateway.name,
            version=__version__,
            profile=self.profile.name,
            heartbeat_interval_s=self.interval,
            roots=list(self.profile.symbols),
            subscriptions=subscriptions,
        )

    def _to_usd(self, amount: Decimal, currency: str) -> Decimal:
        """Money in ``currency`` as USD at the current usable rate (raises when stale or missing)."""
        return self.fx.convert(amount, currency, "USD", self.clock.now())

    def _usd_per_unit(self, currency: str, at: datetime) -> float | None:
        """USD for one unit of ``currency`` at the newest usable rate (unrounded), None when there is none."""
        if currency == "USD":
            return 1.0
        try:
            return 1.0 / float(self.fx.rate("USD", currency, at).rate)
        except (MissingRateError, StaleRateError):
            return None

    def _platform_status_alerts(self, wall: datetime) -> None:
        for name in self.profile.enabled_platforms():
            peer = self.peers.platforms.get(name)
            self.risk.raise_alerts(self.risk.engine.on_platform_status(name, bool(peer and peer.online), wall))

    def fx_rate(self, base: str = "USD", quote: str = "BRL") -> FxRate | str:
        """The usable rate, or the reason there is none."""
        try:
            return self.fx.rate(base, quote, self.clock.now())
        except (MissingRateError, StaleRateError) as exc:
            return str(exc)

    def _housekeeping(self, now: float) -> None:
        """Each step guarded: a failing one (a full disk) is counted and alerted, never stops the loop."""
        step = self.guard.run
        if self.fx_feed is not None:
            fx_feed = self.fx_feed
            step("fx_feed", lambda: self.fx.update_all(fx_feed.drain()))
        wall = self.clock.now()
        step("platform_status", lambda: self._platform_status_alerts(wall))
        step("risk_tick", lambda: self.risk.raise_alerts(self.risk.engine.tick(wall)))
        step("approvals", self.desk.expire_approvals)
        step("kill_switch", lambda: self.kill_switch.housekeeping(now))
        if now >= self._next_roll_check:
            step("stuck_orders", lambda: self.reconciler.query_stuck_orders(time.time_ns()))
            step("rolls", self.rolls.check)
            step("prune", lambda: self.pruner.prune(now))
            self._next_roll_check = now + min(1.0, self.interval)
        went, back, gone = self.peers.expire(now)
        for peer in went:
            log.warning("platform %s offline: silent for %.1fs", peer.name, now - peer.last_seen)
        for peer in back:
            log.info("platform %s back online", peer.name)
        for nexus_peer in gone:
            log.warning("signal engine %s silent: dropped", nexus_peer.name)
        if now >= self._next_heartbeat:
            beat = m.Heartbeat(ts_ns=time.time_ns())
            for peer in list(self.peers.platforms.values()):
                if peer.alive:
                    self._send(self.platform_sock, peer.identity, MsgType.HEARTBEAT, beat)
            for nexus_peer in list(self.peers.nexus.values()):
                self._send(self.nexus_sock, nexus_peer.identity, MsgType.HEARTBEAT, beat)
            self._next_heartbeat = now + self.interval
