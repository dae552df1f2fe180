"""The kill switch's actions: refuse new orders (the risk engine), cancel every working leg until each platform
confirms, reject waiting approvals, optionally flatten every position.

The switch is a state the gateway drives to completion (``domain.risk.kill_progress`` decides what is still
open; this module sends): it acts in memory first, is journaled when the journal takes it (retried every
housekeeping pass, with a CRITICAL alert while it cannot), and its cancels are re-sent on every adapter HELLO
(after that platform's reconciliation), on start, and periodically while legs remain.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nexus_gw import failpoints
from nexus_gw.config.models import Profile
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.risk import kill_progress as kp
from nexus_gw.journal.errors import storage_error
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.protocols import OrderMessages, SendToPlatform
from nexus_gw.server.riskgate import RiskGate

log = logging.getLogger(__name__)

#: A leg still pending this long after its cancel went out makes the gateway ask its platform for a report
#: (reconciliation then settles legs the platform no longer works or never received).
REPORT_AFTER_S = 10.0
#: How often the periodic drive runs from housekeeping.
DRIVE_EVERY_S = 1.0


@dataclass
class KillSwitchState:
    """What the gateway remembers while it drives an active kill switch (in memory; rebuilt after a restart)."""

    tracker: kp.CancelTracker = field(default_factory=kp.CancelTracker)
    unsaved_since: datetime | None = None
    """Set while the switch's state could not be journaled (retried every housekeeping pass)."""
    report_asked: dict[str, float] = field(default_factory=dict)
    next_drive: float = 0.0
    completed_at: datetime | None = None
    """When the gateway first saw the active switch complete (None while something is open)."""


class KillSwitch:
    """Drives an active kill switch to completion; receives what it uses (never the gateway)."""

    def __init__(
        self,
        profile: Profile,
        risk: RiskGate,
        desk: ExecutionDesk,
        ledger: Ledger,
        peers: PeerTable,
        clock: Clock,
        counters: Counter[str],
        alerts: AlertLog,
        unacked: OrderMessages,
        send: SendToPlatform,
        data_dir: Path,
    ) -> None:
        self.profile = profile
        self.risk = risk
        self.desk = desk
        self.ledger = ledger
        self.peers = peers
        self.clock = clock
        self.counters = counters
        self.alerts = alerts
        self.unacked = unacked
        self.send = send
        self.data_dir = data_dir
        self.state = KillSwitchState()

    # -- operator actions --------------------------------------------------------------------------------------------
    def activate(self, who: str, reason: str, flatten: bool) -> dict[str, object]:
        """Stop new orders at once (in memory first), journal it if possible, then cancel and flatten."""
        now = self.clock.now()
        self.risk.engine.activate_kill_switch(who, reason, now, flatten=flatten)
        self.state.completed_at = None
        log.critical("KILL SWITCH activated by %s: %s%s", who, reason, " (flatten)" if flatten else "")
        self.persist()
        failpoints.hit("killswitch.after_journal")
        return self.stop_trading(flatten)

    def stop_trading(self, flatten: bool) -> dict[str, object]:
        """What follows an activation (by an operator or the daily-loss breaker): reject approvals, cancel, flatten."""
        for approval_id in list(self.desk.approvals.awaiting):
            try:
                self.desk.approvals.reject(approval_id, "kill switch")
            except Exception as exc:
                if storage_error(exc) is None:
                    raise
                log.error("approval %s not rejected in the journal: %s", approval_id, storage_error(exc))
        flattened = self.drive(force=True)
        self.persist()
        return self.result(flattened)

    def release(self, who: str, reason: str) -> dict[str, object]:
        now = self.clock.now()
        self.risk.engine.release_kill_switch(who, reason, now)
        self.state.tracker.clear()
        self.state.completed_at = None
        self.persist()
        log.warning("kill switch released by %s: %s", who, reason)
        return {"kill_switch": self.risk.engine.snapshot(now).get("kill_switch")}

    # -- driving it to completion ------------------------------------------------------------------------------------
    def drive(self, platform: str | None = None, force: bool = False) -> list[str]:
        """Send the cancels that are due (all of ``platform``'s, or every platform's, with ``force``) and, with
        flatten, the flatten orders that can go now; returns the ids of flatten orders created."""
        ks = self.risk.engine.kill_switch
        if not ks.active:
            return []
        st = self.state
        wall, mono = self.clock.now(), time.monotonic()
        legs = kp.legs_to_cancel(self.desk.book.orders.values())
        st.tracker.settle(legs)
        for leg in legs:
            st.tracker.requested(leg, wall)
        due = st.tracker.due(legs, mono, platform, force)
        for leg in due:
            sent = self.send(leg.platform, MsgType.CANCEL, m.Cancel(order_id=leg.order_id, leg_id=leg.leg_id))
            st.tracker.sent(leg, wall, mono)  # an offline platform is retried after the interval or at its HELLO
            self.counters["kill_switch_cancels_sent" if sent else "kill_switch_cancels_unsent"] += 1
        if due:
            log.warning(
                "kill switch: cancel %s for %d legs: %s",
                "re-sent" if not force else "sent",
                len(due),
                ", ".join(f"{leg.platform}:{leg.leg_id}" for leg in due),
            )
        self._ask_reports(legs, mono)
        created = self._flatten_if_journaled() if ks.flatten else []
        progress_now = self.progress()
        if progress_now.complete and st.completed_at is None:
            st.completed_at = wall
            log.warning("kill switch complete: no leg working, nothing left to flatten")
        elif not progress_now.complete:
            st.completed_at = None
        return created

    def _ask_reports(self, legs: list[kp.WorkingLeg], mono: float) -> None:
        """Ask platforms with legs pending for a while for a report: reconciliation settles what they do not work."""
        st = self.state
        stale = {leg.platform for leg in legs}
        for platform in [p for p in st.report_asked if p not in stale]:
            del st.report_asked[platform]
        for platform in sorted(stale):
            peer = self.peers.platforms.get(platform)
            if peer is None or not peer.online:
                continue
            last = st.report_asked.get(platform)
            if last is None:
                st.report_asked[platform] = mono  # first time: give the cancels a chance before asking
                continue
            if mono - last >= REPORT_AFTER_S:
                st.report_asked[platform] = mono
                self.send(platform, MsgType.STATUS, m.ReportRequest(reason="kill switch: legs still pending cancel"))

    def _ready_platforms(self) -> list[str]:
        ready = []
        for name in self.profile.enabled_platforms():
            instance = self.profile.platforms[name]
            peer = self.peers.platforms.get(name)
            if instance.paper or (peer is not None and peer.online):
                ready.append(name)
        return ready

    def _positions(self) -> dict[tuple[str, str], float]:
        return {(p.platform, p.root): p.qty for p in self.ledger.positions.positions()}

    def _flatten_if_journaled(self) -> list[str]:
        """Flatten orders go out only once journaled: on a storage error the cancels above stand, and the flatten
        is tried again on the next drive."""
        try:
            return self._flatten()
        except Exception as exc:
            reason = storage_error(exc)
            if reason is None:
                raise
            self.alerts.raise_alert(
                "CRITICAL",
                "FLATTEN_NOT_JOURNALED",
                f"kill switch: a flatten order could not be journaled ({reason}), so it was not sent; the cancels "
                "went out; it is tried again once the journal takes writes",
            )
            return []

    def _flatten(self) -> list[str]:
        """One flatten order per open (platform, root) once no cancel is pending there; deterministic client ids from
        the activation time, so a restarted gateway finds the ones it already sent instead of sending them again."""
        ks = self.risk.engine.kill_switch
        activation = kp.activation_tag(ks.when)
        created = []
        book = self.desk.book
        for need in kp.flatten_needed(self._positions(), book.orders.values(), self._ready_platforms()):
            for attempt in range(1, kp.MAX_FLATTEN_ATTEMPTS + 1):
                tag = kp.flatten_tag(activation, attempt)
                client_id = kp.flatten_client_id(tag, need.platform, need.root)
                existing = book.existing(client_id) or self.ledger.existing(client_id)
                if existing is None:
                    order = self.desk.gateway_orders.flatten(need.root, need.platform, need.qty, tag)
                    if order is not None:
                        created.append(order.order_id)
                    break
                if not existing.is_terminal:
                    break
            else:
                self.alerts.raise_alert(
                    "CRITICAL",
                    "FLATTEN_FAILED",
                    f"kill switch: {kp.MAX_FLATTEN_ATTEMPTS} flatten orders for {need.root} on {need.platform} ended "
                    f"and the position is still {need.qty:+g}; close it at the platform by hand",
                    key=f"FLATTEN_FAILED:{need.platform}:{need.root}",
                )
        return created

    def on_platform_hello(self, platform: str) -> None:
        """After ``platform``'s reconciliation: never resend an order the switch wants cancelled, re-send every
        pending cancel of that platform (reconciliation may just have found its orders working again)."""
        if not self.risk.engine.kill_switch.active:
            return
        for leg in kp.legs_to_cancel(self.desk.book.orders.values()):
            if leg.platform == platform and self.unacked.pop(leg.leg_id, None) is not None:
                log.warning("kill switch: order %s to %s not resent (it is to be cancelled)", leg.leg_id, platform)
        self.state.report_asked.pop(platform, None)
        self.drive(platform=platform, force=True)

    def resume(self) -> None:
        """At start with the switch active: say what is still open and send what can go (paper platforms now, the
        others at their HELLO)."""
        ks = self.risk.engine.kill_switch
        if not ks.active:
            return
        log.critical(
            "KILL SWITCH is active (since %s, by %s: %s); `nexusgw killswitch release` lifts it",
            ks.when,
            ks.who,
            ks.reason,
        )
        self.drive(force=True)
        for line in self.progress().lines():
            log.warning("kill switch: %s", line)

    def housekeeping(self, now: float) -> None:
        """Every pass: journal the switch's state if it is not yet; every ``DRIVE_EVERY_S``: drive it."""
        st = self.state
        self.persist()
        if now >= st.next_drive:
            st.next_drive = now + DRIVE_EVERY_S
            self.drive()

    def persist(self) -> bool:
        """Journal the risk state (kill switch included) if it changed; on a storage error keep acting, alert
        CRITICAL (rate-limited) and return False: housekeeping retries every pass."""
        st = self.state
        try:
            self.risk.save_if_changed(self.clock.now())
        except Exception as exc:
            reason = storage_error(exc)
            if reason is None:
                raise
            if st.unsaved_since is None:
                st.unsaved_since = self.clock.now()
            self.counters["kill_switch_unsaved"] += 1
            ks = self.risk.engine.kill_switch
            self.alerts.raise_alert(
                "CRITICAL",
                "RISK_STATE_NOT_JOURNALED",
                f"the risk state (kill switch {'ACTIVE' if ks.active else 'off'}) could not be journaled in "
                f"{self.data_dir}: {reason}; it is in force in memory and retried every second; free space there "
                "before restarting the gateway, or the restarted gateway will not know it",
            )
            return False
        if st.unsaved_since is not None:
            log.warning("risk state journaled again (unsaved since %s)", st.unsaved_since.isoformat())
            st.unsaved_since = None
        return True

    # -- what status shows -------------------------------------------------------------------------------------------
    def progress(self) -> kp.Progress:
        ks = self.risk.engine.kill_switch
        if not ks.active:
            return kp.Progress(active=False)
        orders = list(self.desk.book.orders.values())
        open_positions: tuple[kp.FlattenNeed, ...] = ()
        if ks.flatten:
            open_positions = tuple(
                kp.FlattenNeed(platform, root, qty)
                for (platform, root), qty in sorted(self._positions().items())
                if abs(qty) > 1e-9
            )
        return kp.Progress(
            active=True,
            pending=tuple(kp.legs_to_cancel(orders)),
            since=dict(self.state.tracker.first),
            flattening=tuple(kp.flatten_working(orders)),
            open_positions=open_positions,
        )

    def report(self) -> dict[str, object]:
        """The kill switch section of admin replies: progress plus whether it is journaled."""
        data = self.progress().to_dict()
        unsaved = self.state.unsaved_since
        data["journaled"] = unsaved is None
        data["unsaved_since"] = unsaved.isoformat() if unsaved else None
        completed = self.state.completed_at
        data["completed_at"] = completed.isoformat() if completed and data["complete"] else None
        return data

    def result(self, flattened: list[str]) -> dict[str, object]:
        """The reply to an activation: what was asked, where, and what is still working (never "cancelled" before the
        platforms confirm)."""
        progress_data = self.report()
        pending = progress_data["pending_cancel"]
        assert isinstance(pending, list)
        return {
            "cancel_requested_legs": len(pending),
            "cancel_requested_platforms": sorted({p["platform"] for p in pending}),
            "flatten_orders": flattened,
            "kill_switch": self.risk.engine.snapshot(self.clock.now()).get("kill_switch"),
            "progress": progress_data,
        }
