"""The composition root: every object of the gateway process, built once from the loaded profile.

Each object receives what it uses (see docs/architecture.md); nothing reaches into another's private members.
``App`` also exposes the handful of attributes operators' tools and tests read (``counters``, ``desk``, …).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import zmq

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.clock import Clock, SimulatedClock, SystemClock
from nexus_gw.domain.fx import FxRate, MissingRateError, StaleRateError
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.domain.risk.engine import RiskEngine
from nexus_gw.domain.rollover import RollWatcher
from nexus_gw.errors import GatewayUnavailable
from nexus_gw.journal import Delivery, Journal, journal_path
from nexus_gw.journal.connection import ensure_writable_dir
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.ops.sdnotify import Notifier
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server import admin, outbound
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.engines import EngineLink
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.fxfeed import HttpRateFeed
from nexus_gw.server.guard import StepGuard
from nexus_gw.server.held import LegHolder
from nexus_gw.server.journal_lost import JournalLost
from nexus_gw.server.killswitch import KillSwitch
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.loop import Housekeeping, Loop
from nexus_gw.server.monitoring import Monitoring
from nexus_gw.server.nexus import NexusHandler
from nexus_gw.server.paper import PaperBroker
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.platforms import PlatformHandler
from nexus_gw.server.protocols import OrderMessages
from nexus_gw.server.pruning import Pruner
from nexus_gw.server.reconciliation import Reconciler
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.rolling import Rolls
from nexus_gw.server.routes import LiveRoute, PaperRoute, PlatformRoutes, Route
from nexus_gw.server.wire import Wire, server_curve

log = logging.getLogger(__name__)


class DeskOutbound:
    """The execution desk's way out: legs by each platform's route, reports by the engines' queues."""

    def __init__(self, routes: PlatformRoutes, engines: EngineLink) -> None:
        self.routes = routes
        self.engines = engines
        self.monitoring: Monitoring | None = None  # gateway-added and signal→fill latency (server/monitoring.py)

    def to_platform(self, name: str, msg_type: MsgType, payload: m.Message) -> bool:
        sent = self.routes.to_platform(name, msg_type, payload)
        if sent and self.monitoring is not None and msg_type == MsgType.ORDER and isinstance(payload, m.Order):
            self.monitoring.order_sent(name, payload.order_id)
        return sent

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        return self.routes.hold(order, leg, payload)

    def to_nexus(self, identity: bytes | None, msg_type: MsgType, payload: m.Message) -> None:
        self.engines.to_nexus(identity, msg_type, payload)

    def to_engine(
        self, name: str | None, msg_type: MsgType, payload: m.Message | bytes, delivery: Delivery | None = None
    ) -> None:
        self.engines.to_engine(name, msg_type, payload, delivery)
        if self.monitoring is not None and msg_type == MsgType.FILL:
            order_id = delivery.order_id if delivery is not None else getattr(payload, "order_id", "")
            self.monitoring.fill_sent(order_id)


class App:
    def __init__(self, loaded: LoadedProfile, clock: Clock | None = None) -> None:
        self.loaded = loaded
        self.profile = profile = loaded.profile
        self.symbols = loaded.reference.symbols
        cfg = profile.gateway
        trading = profile.trading
        if clock is None:
            clock = SimulatedClock(cfg.clock.start, cfg.clock.speed) if cfg.clock.start else SystemClock()
        self.clock: Clock = clock
        self.interval = cfg.heartbeat_interval_s
        self.peers = PeerTable(cfg.heartbeat_interval_s, cfg.heartbeat_liveness)
        self.counters: Counter[str] = Counter()
        self.fx = profile.fx.build_book()
        self.data_dir = cfg.data_dir
        curve = server_curve(cfg.security, cfg.sockets, loaded.config_dir)  # bad keys stop here, before the journal
        ensure_writable_dir(self.data_dir)  # a read-only or full data dir stops here with one clear line
        self.ledger = Ledger(
            Journal.open(journal_path(self.data_dir)),
            loaded.reference.instruments,
            self._to_usd,
            lambda platform, root: (
                profile.platforms[platform].sizing_for(root).multiplier if platform in profile.platforms else 1.0
            ),
        )
        self.alerts = AlertLog(None, self.ledger.event, self.clock.now)  # the one alert log (monitor/alerts.py)
        self.unacked_orders: OrderMessages = {}
        self.dispatch = Dispatch()  # ORDER numbering, sent-to sessions, held legs
        self.outbound = outbound.EngineQueues()  # per-engine queues on the NEXUS socket
        self.wire = Wire(cfg.sockets, self.peers, self.outbound, self.counters, curve)
        self.engines = EngineLink(self.wire, self.outbound, self.peers, self.ledger, self.counters)
        self.paper = PaperBroker()
        book = OrderBook(trading.one_order_per_symbol)
        kill_active: Callable[[], bool] = lambda: self.risk.engine.kill_switch.active  # noqa: E731
        self.holder = LegHolder(
            self.dispatch,
            book,
            self.peers,
            self.clock,
            self.counters,
            self.alerts,
            self.ledger.event,
            trading.order_timeout_s,
            kill_active,
            lambda name, msg_type, payload: self.routes.to_platform(name, msg_type, payload),
            lambda platform, update: self.desk.on_leg_update(platform, update),
        )
        routes: dict[str, Route] = {}
        for name, instance in profile.platforms.items():  # chosen here, once: never a branch per message
            routes[name] = (
                PaperRoute(name, self.paper)
                if instance.paper
                else LiveRoute(
                    name, self.peers, self.dispatch, self.unacked_orders, self.holder, self.wire.to_platform_peer
                )
            )
        self.routes = PlatformRoutes(routes)
        desk_out = DeskOutbound(self.routes, self.engines)
        self.desk = ExecutionDesk(loaded, self.peers, self.clock, desk_out, self.counters, self.ledger, book)
        recovered = self.ledger.recover(self.desk.book)
        if recovered:
            log.warning("recovered %d open orders from the journal in %s", recovered, self.data_dir)
        self.risk = RiskGate(
            RiskEngine(profile.risk), self.ledger, loaded.reference.instruments, self._usd_per_unit, self.alerts
        )
        self.desk.risk = self.risk
        send = self.routes.to_platform
        self.kill_switch = KillSwitch(
            profile,
            self.risk,
            self.desk,
            self.ledger,
            self.peers,
            self.clock,
            self.counters,
            self.alerts,
            self.unacked_orders,
            send,
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
            trading.order_timeout_s,
            kill_active,
            send,
        )
        stuck = self.reconciler.stuck_alerted
        self.pruner = Pruner(trading, self.desk, self.ledger, self.unacked_orders, stuck, self.counters)
        self.platforms = PlatformHandler(
            loaded,
            self.wire,
            self.peers,
            self.dispatch,
            self.unacked_orders,
            self.desk,
            self.reconciler,
            self.kill_switch,
            self.holder,
            self.ledger,
            self.risk,
            self.fx,
            self.paper,
            self.engines,
            self.clock,
            self.counters,
        )
        self.nexus = NexusHandler(
            loaded, self.wire, self.engines, self.peers, self.desk, self.ledger, self.risk, self.clock, self.counters
        )
        self.rolls = Rolls(
            RollWatcher(loaded.reference.instruments, list(profile.symbols), self.clock.now()),
            self.ledger,
            self.peers,
            self.desk,
            self.symbols,
            self.clock,
            self.counters,
            self.platforms.resubscribe,
            trading.roll_positions == "auto",
        )
        http = profile.fx.http
        self.fx_feed = HttpRateFeed(http, self.data_dir / "fx_http_cache.json", self.clock.now) if http else None
        self.guard = StepGuard(self.counters, self.alerts)
        housekeeping = Housekeeping(
            profile,
            self.guard,
            self.clock,
            self.peers,
            self.risk,
            self.desk,
            self.kill_switch,
            self.reconciler,
            self.rolls,
            self.pruner,
            self.fx,
            self.fx_feed,
        )
        self.journal_lost = JournalLost(
            self.wire,
            self.peers,
            self.desk,
            self.kill_switch,
            self.ledger,
            self.alerts,
            self.guard,
            self.counters,
            self.clock,
        )
        self.loop = Loop(
            self.wire,
            self.platforms,
            self.nexus,
            self.on_admin_frames,
            self.engines,
            housekeeping,
            self.peers,
            self.interval,
            self.ledger.journal,
            self.journal_lost,
        )
        self.admin_decoder = codec.Decoder(codec.OPERATOR_TO_GATEWAY)
        self.started = time.monotonic()
        self.monitoring = Monitoring(self, self.alerts)  # metrics and alert delivery (server/monitoring.py)
        desk_out.monitoring = self.monitoring
        self.ledger.journal.on_write = self.monitoring.journal_write
        housekeeping.monitoring = self.monitoring.housekeeping
        self.pid = os.getpid()
        self.stop_requested = False
        self.kill_switch.resume()  # an active switch: cancels (and flatten) go out as platforms come

    # -- what tools and tests read -------------------------------------------------------
    @property
    def ctx(self) -> zmq.Context[zmq.Socket[bytes]] | None:
        return self.wire.ctx

    @property
    def roll_log(self) -> list[dict[str, str]]:
        return self.rolls.log

    def to_platform(self, name: str, msg_type: MsgType, payload: m.Message) -> bool:
        return self.routes.to_platform(name, msg_type, payload)

    def fx_rate(self, base: str = "USD", quote: str = "BRL") -> FxRate | str:
        """The usable rate, or the reason there is none."""
        try:
            return self.fx.rate(base, quote, self.clock.now())
        except (MissingRateError, StaleRateError) as exc:
            return str(exc)

    # -- sockets and the loop ------------------------------------------------------------
    def bind(self, announce: Callable[[str], None] = print) -> None:
        try:
            self.wire.bind(announce)
        except GatewayUnavailable:
            self.close()
            raise
        log.info(
            "profile %s: symbols %s, platforms %s",
            self.profile.name,
            ", ".join(self.profile.symbols),
            ", ".join(self.profile.enabled_platforms()),
        )

    def run(self) -> None:
        if self.fx_feed is not None:
            self.fx_feed.start()
        poller = self.loop.poller()
        notifier = Notifier()  # systemd Type=notify: ready once bound and recovered, watchdog from this loop
        if notifier.interval is not None:
            self.loop.max_wait = min(self.loop.max_wait, notifier.interval)
        self.monitoring.start()  # the metrics endpoint and alert delivery threads, beside the loop
        notifier.ready(self._service_status())
        try:
            while not self.stop_requested:
                self.loop.run_once(poller)
                notifier.watchdog(time.monotonic(), self._service_status)
                if self.journal_lost.restart_due and not self.stop_requested:
                    self.restart()
                    poller = self.loop.poller()
        finally:
            notifier.stopping(f"profile {self.profile.name}: stopping")
            log.info("gateway stopping: %d working orders", len(self.desk.book.working()))
            self._stop_threads()
            self.close()

    def _stop_threads(self) -> None:
        if self.fx_feed is not None:
            self.fx_feed.stop()
        self.monitoring.stop()

    def restart(self) -> None:
        """Restart in-process from the journal after it was lost (``server.journal_lost``): close everything, build
        every object again from the same profile (the recovery of a cold start), bind and go on. References to
        this object stay valid. An active kill switch carries over, journaled by the new state at once."""
        switch = self.risk.engine.kill_switch
        carried = (switch.who, switch.reason, switch.when, switch.flatten) if switch.active else None
        stop_requested = self.stop_requested
        log.critical("restarting the gateway in-process from the journal %s", self.ledger.journal.path)
        self._stop_threads()
        self.close()
        self.__init__(self.loaded, self.clock)  # type: ignore[misc]
        self.stop_requested = stop_requested
        self.counters["restarts_from_journal"] += 1
        self.bind(announce=log.info)
        if carried is not None and not self.risk.engine.kill_switch.active:  # activated while the journal was lost
            who, reason, when, flatten = carried
            self.risk.engine.activate_kill_switch(who, reason, when or self.clock.now(), flatten=flatten)
            self.kill_switch.stop_trading(flatten)  # journals it; same activation time, so the same flatten ids
        if self.fx_feed is not None:
            self.fx_feed.start()
        self.monitoring.start()

    def run_once(self, poller: zmq.Poller) -> None:
        self.loop.run_once(poller)

    def _service_status(self) -> str:
        enabled = self.profile.enabled_platforms()
        online = sum(1 for name in enabled if (peer := self.peers.platforms.get(name)) is not None and peer.online)
        return f"profile {self.profile.name}: {online}/{len(enabled)} platforms online"

    def close(self) -> None:
        self.wire.close()
        self.ledger.close()

    def on_admin_frames(self, frames: list[bytes]) -> None:
        """Every request gets a STATUS reply, ``ok: false`` with what was wrong when it was malformed."""
        reply = admin.handle_frames(self, frames)
        try:
            self.wire.admin.send_multipart(reply, zmq.NOBLOCK)  # type: ignore[union-attr]
        except zmq.ZMQError as exc:
            log.warning("admin: reply not sent to %r: %s", frames[0][:64], exc.strerror)

    # -- money ---------------------------------------------------------------------------
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
