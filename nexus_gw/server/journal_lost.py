"""Journal lost: a loop pass whose COMMIT failed (full disk, I/O error), and what the gateway does until the
journal takes writes again.

The pass's changes are in memory (order book, positions, report sequences, risk counters) but not in the journal,
and none of its sends went out except CANCELs (``server.wire``). Memory is not patched back: the gateway refuses
every journal write, refuses new signals with ``JOURNAL_UNAVAILABLE``, leaves leg reports unprocessed and
unacknowledged (adapters keep them and send them again), keeps the kill switch (its cancels need no journal) and
admin ``status`` working, and raises a CRITICAL ``JOURNAL_LOST`` alert. About once a second it writes one event
(``journal.restored``); once that commits, the gateway restarts in-process from the journal (``App.restart``), the
same recovery as after a crash, carrying an active kill switch over.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime

from nexus_gw.domain.clock import Clock
from nexus_gw.journal.errors import storage_error
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.execution import JOURNAL_UNAVAILABLE, ExecutionDesk
from nexus_gw.server.guard import StepGuard
from nexus_gw.server.killswitch import DRIVE_EVERY_S, KillSwitch
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.wire import Wire

log = logging.getLogger(__name__)

#: Seconds between two attempts to write the journal while it is lost.
PROBE_EVERY_S = 1.0
#: The event the probe writes: its commit ends the journal-lost mode.
PROBE_EVENT = "journal.restored"


class JournalLost:
    """The degraded mode after a failed pass commit; ``restart_due`` once the journal takes a write again."""

    def __init__(
        self,
        wire: Wire,
        peers: PeerTable,
        desk: ExecutionDesk,
        kill_switch: KillSwitch,
        ledger: Ledger,
        alerts: AlertLog,
        guard: StepGuard,
        counters: Counter[str],
        clock: Clock,
    ) -> None:
        self.wire = wire
        self.peers = peers
        self.desk = desk
        self.kill_switch = kill_switch
        self.ledger = ledger
        self.alerts = alerts
        self.guard = guard
        self.counters = counters
        self.clock = clock
        self.reason: str | None = None
        self.since: datetime | None = None
        self.restart_due = False
        self.next_probe = 0.0
        self.next_drive = 0.0
        self.platform_decoder = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
        self.nexus_decoder = codec.Decoder(codec.NEXUS_TO_GATEWAY)

    @property
    def active(self) -> bool:
        return self.reason is not None

    def enter(self, exc: BaseException) -> None:
        """The pass's commit failed with ``exc``: stop writing and acting on the journal."""
        self.reason = storage_error(exc) or f"{type(exc).__name__}: {exc}"
        self.since = self.clock.now()
        now = time.monotonic()
        self.next_probe = now + PROBE_EVERY_S
        self.next_drive = now
        self.ledger.journal.refuse_writes(self.reason)
        self.counters["journal_lost"] += 1
        self.alerts.raise_alert(
            "CRITICAL",
            "JOURNAL_LOST",
            f"the journal {self.ledger.journal.path} could not commit a loop pass: {self.reason}. Nothing of that pass "
            "was sent but its cancels; new signals are refused, leg reports wait at the adapters, the kill switch "
            "and status work. Free space there (or fix the data directory): the gateway restarts from the journal "
            "by itself once it takes writes again",
            limit=False,
        )

    def snapshot(self) -> dict[str, object]:
        return {
            "lost": self.active,
            "since": self.since.isoformat() if self.since is not None else None,
            "reason": self.reason,
        }

    # -- the sockets while lost ------------------------------------------------------------
    def on_platform_frames(self, frames: list[bytes]) -> None:
        """Adapters stay alive (heartbeats); their reports are neither processed nor acknowledged."""
        decoded = self.wire.decode(self.wire.platform, frames, self.platform_decoder)  # type: ignore[arg-type]
        if decoded is None or isinstance(decoded[1], m.Hello):
            return  # a HELLO gets its WELCOME from the restarted gateway
        self.peers.seen_platform(frames[0].decode("utf-8", "replace"), time.monotonic())
        if isinstance(decoded[1], m.LegUpdate | m.LegFill):
            self.counters["reports_left_journal_lost"] += 1

    def on_nexus_frames(self, frames: list[bytes]) -> None:
        """Signals are refused with ``JOURNAL_UNAVAILABLE``; cancels still go to the platforms."""
        decoded = self.wire.decode(self.wire.nexus, frames, self.nexus_decoder)  # type: ignore[arg-type]
        if decoded is None:
            return
        _, msg = decoded
        identity = frames[0]
        if isinstance(msg, m.Hello):
            return
        self.peers.seen_nexus(identity, time.monotonic())
        if isinstance(msg, m.Signal):
            self.refuse(identity, msg.client_id)
        elif isinstance(msg, m.Cancel) and identity in self.peers.nexus:
            self.guard.run("journal_lost_cancel", lambda: self.desk.on_cancel(identity, msg))

    def refuse(self, identity: bytes, client_id: str) -> None:
        """Tell an engine its signal was not taken (also each signal of the pass whose commit failed)."""
        self.counters["journal_refusals"] += 1
        message = (
            f"cannot journal the order: {self.reason} at {self.ledger.journal.path}; free space there (or fix the "
            "data directory): the gateway restarts from its journal once it takes writes, then send again; nothing "
            "was sent"
        )
        error = m.Error(code=JOURNAL_UNAVAILABLE, message=message, ref=client_id, ts_ns=time.time_ns())
        header, body = codec.encode(MsgType.ERROR, error)
        self.wire.write_nexus(identity, header, body)  # straight out: engine queues wait for the restart

    # -- each pass while lost --------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Drive an active kill switch (its cancels) and, about once a second, try the journal."""
        if now >= self.next_drive:
            self.next_drive = now + DRIVE_EVERY_S
            self.guard.run("kill_switch", self.kill_switch.drive)
        if now < self.next_probe or self.restart_due:
            return
        self.next_probe = now + PROBE_EVERY_S
        data = {"lost_since": self.since.isoformat() if self.since else None, "reason": self.reason}
        try:
            self.ledger.journal.probe(PROBE_EVENT, data, self.clock.now())
        except Exception as exc:
            self.counters["journal_probes_failed"] += 1
            if storage_error(exc) is None:
                log.exception("journal probe failed")
            return
        log.critical("the journal takes writes again (lost since %s): restarting from the journal", self.since)
        self.restart_due = True
