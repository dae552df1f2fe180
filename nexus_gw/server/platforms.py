"""The platform socket's handler: adapters' HELLO (reconcile first, then WELCOME), leg reports (once, then
acknowledged), ACKs of ORDERs, market data (marks, risk, FX, paper quotes, engines) and heartbeats."""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from collections import Counter

from nexus_gw import __version__
from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.fx import RateBook, rate_from_wdo
from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.engines import EngineLink
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.held import LegHolder
from nexus_gw.server.killswitch import KillSwitch
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.marketdata import last_price, latest, marks
from nexus_gw.server.paper import PaperBroker
from nexus_gw.server.peers import PeerTable, PlatformPeer
from nexus_gw.server.protocols import OrderMessages
from nexus_gw.server.reconciliation import Reconciler
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.wire import Wire

log = logging.getLogger(__name__)


def welcome(loaded: LoadedProfile, subscriptions: list[m.Subscription], roots_key: str = "") -> m.Welcome:
    profile = loaded.profile
    return m.Welcome(
        gateway=profile.gateway.name,
        version=__version__,
        profile=profile.name,
        heartbeat_interval_s=profile.gateway.heartbeat_interval_s,
        roots=list(profile.symbols),
        subscriptions=subscriptions,
        roots_key=roots_key,
    )


class PlatformHandler:
    def __init__(
        self,
        loaded: LoadedProfile,
        wire: Wire,
        peers: PeerTable,
        dispatch: Dispatch,
        unacked: OrderMessages,
        desk: ExecutionDesk,
        reconciler: Reconciler,
        kill_switch: KillSwitch,
        holder: LegHolder,
        ledger: Ledger,
        risk: RiskGate,
        fx: RateBook,
        paper: PaperBroker,
        engines: EngineLink,
        clock: Clock,
        counters: Counter[str],
    ) -> None:
        self.loaded = loaded
        self.profile = loaded.profile
        self.symbols = loaded.reference.symbols
        self.wire = wire
        self.peers = peers
        self.dispatch = dispatch
        self.unacked = unacked
        self.desk = desk
        self.reconciler = reconciler
        self.kill_switch = kill_switch
        self.holder = holder
        self.ledger = ledger
        self.risk = risk
        self.fx = fx
        self.paper = paper
        self.engines = engines
        self.clock = clock
        self.counters = counters
        self.decoder = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
        # (platform, adapter session) -> highest report sequence processed: per platform, so adapters that leave
        # the optional session empty never take each other's reports for duplicates
        self.seq_seen: dict[tuple[str, str], int] = {}
        # names each WELCOME's subscriptions, unique to this gateway process (MARKET_DATA by root echoes it)
        self._roots_keys = (f"{uuid.uuid4().hex[:8]}.{n}" for n in itertools.count(1))

    def on_frames(self, frames: list[bytes]) -> None:
        decoded = self.wire.decode(self.wire.platform, frames, self.decoder)  # type: ignore[arg-type]
        if decoded is None:
            return
        _, msg = decoded
        identity = frames[0]
        name = identity.decode("utf-8", "replace")
        now = time.monotonic()
        if isinstance(msg, m.Hello):
            self.hello(identity, msg, now)
            return
        peer = self.peers.seen_platform(name, now)
        if peer is None:
            if not self.dispatch.may_answer_unknown_peer(identity, now):
                self.counters["unknown_peer_unanswered"] += 1  # one answer per burst: one HELLO, one reconcile
                return
            self.wire.reply_error(
                self.wire.platform,  # type: ignore[arg-type]
                identity,
                ProtocolError(ErrorCode.UNKNOWN_PEER, f"platform {name!r} has not said HELLO; send HELLO first"),
            )
            return
        if isinstance(msg, m.MarketData):
            self.market_data(peer, msg, frames[2])
        elif isinstance(msg, m.LegUpdate | m.LegFill):
            self.report(peer, msg)
        elif isinstance(msg, m.Ack):
            self.unacked.pop(msg.ref, None)
        elif isinstance(msg, m.PlatformReport):
            self.reconciler.reconcile_report(name, msg, peer.session)
        elif isinstance(msg, m.Heartbeat):
            if msg.symbols is not None:
                peer.symbol_checks = {check.symbol: check for check in msg.symbols}
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

    def report(self, peer: PlatformPeer, msg: m.LegUpdate | m.LegFill) -> None:
        """A leg report: processed once (journaled inside), then acknowledged so the adapter can forget it."""
        key = (peer.name, peer.session)
        last = self.seq_seen.get(key, 0)
        if msg.seq and msg.seq <= last:
            self.counters["duplicate_reports"] += 1
        else:
            self.reconciler.revive(msg.leg_id)  # a report on a finished order the book no longer holds
            if isinstance(msg, m.LegUpdate):
                self.desk.on_leg_update(peer.name, msg)
            else:
                self.desk.on_leg_fill(peer.name, msg)
            if msg.seq:
                self.seq_seen[key] = msg.seq
        if msg.seq:
            self.wire.to_platform_peer(peer.identity, MsgType.ACK, m.Ack(kind="REPORT", seq=msg.seq))

    def paper_reports(self) -> None:
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

    def hello(self, identity: bytes, hello: m.Hello, now: float) -> None:
        name = identity.decode("utf-8", "replace")
        instance = self.profile.platforms.get(name)
        if hello.role != "platform" or instance is None or not instance.enabled:
            known = ", ".join(self.profile.enabled_platforms())
            self.wire.reply_error(
                self.wire.platform,  # type: ignore[arg-type]
                identity,
                ProtocolError(
                    ErrorCode.UNKNOWN_PLATFORM,
                    f"platform {name!r} is not an enabled platform of profile {self.profile.name}; enabled: {known}",
                ),
            )
            return
        subscriptions = self.subscriptions(name)
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
        )
        peer = self.peers.platforms[name]
        self._subscribe(peer, subscriptions)
        if previous is not None and previous.session != hello.session:
            log.warning("platform %s reconnected with a new session %s (was %s)", name, hello.session, previous.session)
        log.info(
            "platform %s online (driver %s, session %s): %s",
            name,
            hello.driver,
            hello.session,
            ", ".join(f"{s.root}={s.symbol}" for s in subscriptions),
        )
        self.wire.to_platform_peer(identity, MsgType.WELCOME, welcome(self.loaded, subscriptions, peer.roots_key))
        self.kill_switch.on_platform_hello(name)  # after reconciliation: re-send its pending cancels
        self.reconciler.resend_unacknowledged(name)
        self.holder.send_held(name)

    def subscriptions(self, platform: str) -> list[m.Subscription]:
        now = self.clock.now()
        subs = []
        for root in self.profile.symbols:
            if self.symbols.supports(platform, root):
                instrument = self.loaded.reference.instruments.get(root)
                symbol = self.symbols.resolve(root, platform, now)
                subs.append(
                    m.Subscription(
                        root=root, symbol=symbol, tick_size=float(instrument.tick_size), exchange=instrument.exchange
                    )
                )
        return subs

    def resubscribe(self, peer: PlatformPeer) -> None:
        """Send ``peer`` its subscriptions again (after a contract roll)."""
        subscriptions = self.subscriptions(peer.name)
        self._subscribe(peer, subscriptions)
        self.wire.to_platform_peer(peer.identity, MsgType.WELCOME, welcome(self.loaded, subscriptions, peer.roots_key))

    def _subscribe(self, peer: PlatformPeer, subscriptions: list[m.Subscription]) -> None:
        """What ``peer`` streams from now on, under a new key (ticks named by an older WELCOME's roots are stale)."""
        peer.symbols = {s.symbol: s.root for s in subscriptions}
        peer.roots = {s.root: s.symbol for s in subscriptions}
        peer.roots_key = next(self._roots_keys)

    def market_data(self, peer: PlatformPeer, md: m.MarketData, body: bytes | None = None) -> None:
        """A batch of ticks, passed on to the engines under roots: as it came (``body``, encoded once by the
        adapter) when the adapter named its ticks by root under the key of its current WELCOME, else renamed here
        and encoded again. What the gateway keeps from a batch (marks, the reference quote, the risk engine's
        freshness, the FX rate) is applied once, from the last tick of each root. Paper platforms see every quote
        (their fills depend on each)."""
        if not md.roots_key:  # platform symbols (an adapter older than roots_key): renamed here
            ticks = self._renamed(peer, md.ticks)
            last = latest(ticks)
            body = None
        elif md.roots_key != peer.roots_key:  # named by the roots of an earlier WELCOME (a roll since): stale
            self.counters["market_data_unknown_symbol"] += len(md.ticks)
            return
        else:
            ticks = md.ticks
            last = latest(ticks)
            roots = peer.roots
            if not roots.keys() >= last.keys():  # a root this platform was not given: counted, not forwarded
                ticks = [tick for tick in ticks if tick.symbol in roots]
                self.counters["market_data_unknown_symbol"] += len(md.ticks) - len(ticks)
                last = latest(ticks)
                body = None
            if self.profile.platforms[peer.name].paper:
                on_quote = self.paper.on_quote
                for tick in ticks:
                    on_quote(peer.name, roots[tick.symbol], tick.bid, tick.ask, tick.last)
        self.counters["market_data_ticks"] += len(ticks)
        self.counters["market_data_ticks." + peer.name] += len(ticks)  # per platform, for the metrics
        if not ticks:
            return
        self._keep(peer, ticks, last)
        if self.peers.nexus:
            if body is None or md.platform != peer.name:
                md, body = m.MarketData(platform=peer.name, ticks=ticks), None
            self.engines.market_data(md, body, last)

    def _renamed(self, peer: PlatformPeer, ticks: list[m.Tick]) -> list[m.Tick]:
        """Ticks named by platform symbol, renamed to their roots in place (the decoded batch is this handler's);
        unknown symbols counted and left out; paper platforms see each quote under its platform symbol."""
        symbols = peer.symbols
        paper = self.paper if self.profile.platforms[peer.name].paper else None
        kept = []
        for tick in ticks:
            root = symbols.get(tick.symbol)
            if root is None:
                continue
            if paper is not None:
                paper.on_quote(peer.name, tick.symbol, tick.bid, tick.ask, tick.last)
            tick.symbol = root  # the engines' name for it
            kept.append(tick)
        if len(kept) != len(ticks):
            self.counters["market_data_unknown_symbol"] += len(ticks) - len(kept)
        return kept

    def _keep(self, peer: PlatformPeer, ticks: list[m.Tick], latest: dict[str, m.Tick]) -> None:
        """Once per batch, as if applied tick by tick: the FX rate (the last positive price of the FX root), marks
        (the last positive price of each root), the last price for risk, the reference quote and market-data
        freshness of each root."""
        now = self.clock.now()
        fx_root = self.profile.fx.quote_instrument
        fx_tick = latest.get(fx_root)
        if fx_tick is not None:
            price = fx_tick.last if fx_tick.last > 0 else last_price(ticks, fx_root)
            if price > 0:
                self.fx.update(rate_from_wdo(price, now, peer.roots.get(fx_root, fx_root)))
        prices = {root: tick.last for root, tick in latest.items()}
        self.risk.last_prices.update(prices)
        self.ledger.mark_many(peer.name, marks(ticks, prices))
        self.ledger.quotes.update(peer.name, latest, time.time_ns())
        self.risk.engine.on_market_data_many(latest, now)
