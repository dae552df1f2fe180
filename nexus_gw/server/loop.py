"""The gateway's one loop: poll the three sockets, drain what is ready, then housekeeping and heartbeats.

Every state change happens in this loop, in message order. Each pass: poll with a timeout no longer than the
heartbeat interval; then, inside one journal pass (group commit: ``Journal.begin_pass``, one transaction), drain the
platform and NEXUS sockets and handle what paper platforms did; commit, and only then write what the pass sent
(``Wire.release_sends``). Admin requests are answered after the commit, outside any pass (each of their writes
commits on its own, so a reply says what is journaled). Then write what waits for engines, run the guarded
housekeeping steps as a second pass (it usually writes nothing, so it commits nothing), expire silent peers and send
heartbeats. A failed commit puts the gateway in journal-lost mode (``server.journal_lost``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import zmq

from nexus_gw import failpoints
from nexus_gw.config.models import Profile
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.fx import RateBook
from nexus_gw.journal import Journal
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.engines import EngineLink
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.fxfeed import HttpRateFeed
from nexus_gw.server.guard import StepGuard
from nexus_gw.server.journal_lost import JournalLost
from nexus_gw.server.killswitch import KillSwitch
from nexus_gw.server.nexus import NexusHandler
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.platforms import PlatformHandler
from nexus_gw.server.pruning import Pruner
from nexus_gw.server.reconciliation import Reconciler
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.rolling import Rolls
from nexus_gw.server.wire import Wire

log = logging.getLogger(__name__)


@dataclass
class Housekeeping:
    """The periodic work of each pass, each step guarded (a failing one is counted and alerted, never fatal)."""

    profile: Profile
    guard: StepGuard
    clock: Clock
    peers: PeerTable
    risk: RiskGate
    desk: ExecutionDesk
    kill_switch: KillSwitch
    reconciler: Reconciler
    rolls: Rolls
    pruner: Pruner
    fx: RateBook
    fx_feed: HttpRateFeed | None
    next_check: float = 0.0
    monitoring: Callable[[float], None] | None = None  # publish figures, evaluate alert rules (server/monitoring.py)

    def run(self, now: float) -> None:
        step = self.guard.run
        if self.fx_feed is not None:
            fx_feed = self.fx_feed
            step("fx_feed", lambda: self.fx.update_all(fx_feed.drain()))
        wall = self.clock.now()
        step("platform_status", lambda: self.platform_status(wall))
        step("risk_tick", lambda: self.risk.raise_alerts(self.risk.engine.tick(wall)))
        step("approvals", self.desk.approvals.expire)
        step("kill_switch", lambda: self.kill_switch.housekeeping(now))
        if now >= self.next_check:
            step("stuck_orders", lambda: self.reconciler.query_stuck_orders(time.time_ns()))
            step("rolls", self.rolls.check)
            step("prune", lambda: self.pruner.prune(now))
            self.next_check = now + min(1.0, self.profile.gateway.heartbeat_interval_s)
        if self.monitoring is not None:
            monitoring = self.monitoring
            step("monitoring", lambda: monitoring(now))

    def platform_status(self, wall: object) -> None:
        for name in self.profile.enabled_platforms():
            peer = self.peers.platforms.get(name)
            self.risk.raise_alerts(self.risk.engine.on_platform_status(name, bool(peer and peer.online), wall))  # type: ignore[arg-type]


class Loop:
    def __init__(
        self,
        wire: Wire,
        platforms: PlatformHandler,
        nexus: NexusHandler,
        admin: Callable[[list[bytes]], None],
        engines: EngineLink,
        housekeeping: Housekeeping,
        peers: PeerTable,
        interval_s: float,
        journal: Journal,
        lost: JournalLost,
    ) -> None:
        self.wire = wire
        self.platforms = platforms
        self.nexus = nexus
        self.admin = admin
        self.engines = engines
        self.housekeeping = housekeeping
        self.peers = peers
        self.interval = interval_s
        self.max_wait = interval_s  # the longest poll; a systemd watchdog may ask for a shorter one
        self.next_heartbeat = 0.0
        self.engines_waiting = False
        self.journal = journal
        self.lost = lost

    def poller(self) -> zmq.Poller:
        poller = zmq.Poller()
        for sock in (self.wire.platform, self.wire.nexus, self.wire.admin):
            poller.register(sock, zmq.POLLIN)
        return poller

    def run_once(self, poller: zmq.Poller) -> None:
        wire = self.wire
        now = time.monotonic()
        timeout_ms = max(0, int((self.next_heartbeat - now) * 1000))
        if self.engines_waiting:
            timeout_ms = min(timeout_ms, 5)  # an engine's pipe was full: try again soon
        ready = dict(poller.poll(min(timeout_ms, int(self.max_wait * 1000))))
        if self.lost.active:
            self.run_lost(ready)
            return
        if not self.journal_pass(lambda: self.drain(ready)):
            return
        if wire.admin in ready:
            wire.drain(wire.admin, self.admin)  # type: ignore[arg-type]
        self.engines.flush()  # what this pass produced, before housekeeping may drop a silent engine
        now = time.monotonic()
        if not self.journal_pass(lambda: self.housekeeping.run(now)):  # usually writes nothing: no commit
            return
        self.expire_and_beat(now)
        self.engines_waiting = not self.engines.flush()

    def drain(self, ready: dict[object, int]) -> None:
        wire = self.wire
        if wire.platform in ready:
            wire.drain(wire.platform, self.platforms.on_frames)  # type: ignore[arg-type]
        if wire.nexus in ready:
            wire.drain(wire.nexus, self.nexus.on_frames)  # type: ignore[arg-type]
        self.housekeeping.guard.run("paper_reports", self.platforms.paper_reports)  # a full disk must not end it
        if self.journal.pass_wrote:  # the risk state these changes moved rides on the same commit
            self.housekeeping.guard.run("kill_switch", self.housekeeping.kill_switch.persist)

    def journal_pass(self, work: Callable[[], None]) -> bool:
        """Run ``work`` as one journal pass: its writes in one transaction, its sends after the commit. False when
        the commit failed (the journal is lost)."""
        self.journal.begin_pass()
        self.wire.hold_sends()
        self.nexus.signals_in_pass.clear()
        try:
            work()
        except BaseException:  # leaving the loop: what the pass did is as if the process had died here
            self.journal.abort_pass()
            self.wire.release_sends(committed=False)
            raise
        return self.commit()

    def commit(self) -> bool:
        """Commit the pass, then write what it sent; False when the commit failed (the journal is lost)."""
        try:
            wrote = self.journal.commit_pass()
        except Exception as exc:
            self.wire.release_sends(committed=False)  # only its cancels go out
            self.lost.enter(exc)
            for identity, client_id in self.nexus.signals_in_pass:  # their answers were not sent: say so
                self.lost.refuse(identity, client_id)
            return False
        if wrote and self.wire.holds(MsgType.ORDER):
            failpoints.hit("journal.after_commit")  # tests: a crash between the commit and the sends
        self.wire.release_sends(committed=True)
        return True

    def run_lost(self, ready: dict[object, int]) -> None:
        """A pass while the journal is lost: no journal pass, heartbeats, the kill switch, status, the probe."""
        wire = self.wire
        if wire.platform in ready:
            wire.drain(wire.platform, self.lost.on_platform_frames)  # type: ignore[arg-type]
        if wire.nexus in ready:
            wire.drain(wire.nexus, self.lost.on_nexus_frames)  # type: ignore[arg-type]
        if wire.admin in ready:
            wire.drain(wire.admin, self.admin)  # type: ignore[arg-type]
        now = time.monotonic()
        self.lost.tick(now)
        self.expire_and_beat(now)

    def expire_and_beat(self, now: float) -> None:
        went, back, gone = self.peers.expire(now)
        for peer in went:
            log.warning("platform %s offline: silent for %.1fs", peer.name, now - peer.last_seen)
        for peer in back:
            log.info("platform %s back online", peer.name)
        for nexus_peer in gone:
            log.warning("signal engine %s silent: dropped", nexus_peer.name)
        if now >= self.next_heartbeat:
            beat = m.Heartbeat(ts_ns=time.time_ns())
            for peer in list(self.peers.platforms.values()):
                if peer.alive:
                    self.wire.send(self.wire.platform, peer.identity, MsgType.HEARTBEAT, beat)
            for nexus_peer in list(self.peers.nexus.values()):
                self.wire.send(self.wire.nexus, nexus_peer.identity, MsgType.HEARTBEAT, beat)
            self.next_heartbeat = now + self.interval
