"""Reconciliation with platforms: what a platform reports against the journal's view, and stuck orders.

A report arrives in an adapter's HELLO (after every reconnect, before anything new is sent on the link) or on
request. Missed fills are applied once, legs the platform never received or no longer works are settled,
everything else becomes an alert. An order still working after ``trading.order_timeout_s`` raises an alert
and its platforms are asked for a report.

The rules (docs/journal.md, "Reconciliation rules and held legs"): a leg's absence is never read from a report
that cannot know it (unsent, unacknowledged, or sent after the report was built); unacknowledged legs are
resent instead; legs of finished orders are looked up in the journal, so known executions stay silent and
late ones are applied; an unknown execution is alerted once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from nexus_gw.domain import reconcile as rc
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.orders import Order
from nexus_gw.domain.symbols import SymbolMapper
from nexus_gw.errors import NexusGwError
from nexus_gw.journal.replay import restore_book
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.held import LegHolder
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.protocols import OrderMessages, SendToPlatform
from nexus_gw.server.reports import order_payload

log = logging.getLogger(__name__)


class Reconciler:
    """Reconciles platform reports and watches stuck orders; receives what it uses (never the gateway)."""

    def __init__(
        self,
        desk: ExecutionDesk,
        ledger: Ledger,
        symbols: SymbolMapper,
        dispatch: Dispatch,
        unacked: OrderMessages,
        holder: LegHolder,
        alerts: AlertLog,
        counters: Counter[str],
        clock: Clock,
        order_timeout_s: float,
        kill_switch_active: Callable[[], bool],
        send: SendToPlatform,
    ) -> None:
        self.desk = desk
        self.ledger = ledger
        self.symbols = symbols
        self.dispatch = dispatch
        self.unacked = unacked
        self.holder = holder
        self.alerts = alerts
        self.counters = counters
        self.clock = clock
        self.order_timeout_s = order_timeout_s
        self.kill_switch_active = kill_switch_active
        self.send = send
        self.stuck_alerted: set[str] = set()  # orders already alerted as stuck

    def _tell_in_doubt(self, platform: str, report: m.PlatformReport) -> None:
        """An alert, once per leg, for each leg the adapter reports in doubt: the order waits on it."""
        for reported in report.open_orders:
            if not reported.in_doubt or not self.dispatch.first_alert(platform, f"in_doubt:{reported.leg_id}"):
                continue
            self.alerts.raise_alert(
                "WARNING",
                "LEG_IN_DOUBT",
                f"leg {reported.leg_id} was sent to {platform}, but its adapter never read the platform's answer and "
                "cannot yet tell whether the platform has it. The leg stays open and is never sent again; its order "
                "finishes once the adapter settles it from the platform's orders and history. If it is still open "
                f"in a few minutes, look for order {reported.leg_id} in {platform}'s order list and the adapter's log",
                limit=False,
            )

    def reconcile_report(self, platform: str, report: m.PlatformReport, session: str = "") -> None:
        """Compare what the platform says with the journal's view and act: apply missed fills once, settle
        legs it never received or no longer works, alert on everything else.

        ``session``: the adapter session that built the report. Legs the report cannot speak for (unsent, not
        acknowledged, or sent to that session after it built the report) are never settled by their absence.
        Legs of finished orders the book no longer holds are looked up in the journal."""
        positions: dict[str, float] = {}
        for symbol, qty in report.positions.items():
            try:
                root = self.symbols.normalize(symbol, platform)
            except NexusGwError:
                log.warning("%s reports a position in %s, which maps to no root", platform, symbol)
                continue
            positions[root] = positions.get(root, 0.0) + qty
        journal_positions = {p.root: p.qty for p in self.ledger.positions.positions() if p.platform == platform}
        domain_report = rc.PlatformReport(
            platform=platform,
            open_orders=tuple(
                rc.ReportedOrder(o.leg_id, o.status, o.filled_qty, o.platform_order_id) for o in report.open_orders
            ),
            executions=tuple(
                rc.ReportedExecution(f.leg_id, f.fill_id, f.qty, f.price, f.ts_ns) for f in report.executions
            ),
            positions=positions,
        )
        self._tell_in_doubt(platform, report)
        shown = {o.leg_id for o in report.open_orders} | {f.leg_id for f in report.executions}
        for leg_id in shown:  # the platform has it: received, no resend needed
            entry = self.unacked.get(leg_id)
            if entry is not None and entry[0] == platform:
                del self.unacked[leg_id]
        book = self.desk.book
        lookback = self._finished_orders(shown)
        undecided = self._undecided(platform, report, session)
        actions = rc.reconcile([*book.orders.values(), *lookback.values()], journal_positions, domain_report, undecided)
        self.counters["reconciliations"] += 1
        for action in actions:
            if isinstance(action, rc.ApplyExecution):
                self.counters["reconciled_fills"] += 1
                self.revive(action.leg_id)
                e = action.execution
                self.desk.on_leg_fill(
                    platform,
                    m.LegFill(leg_id=action.leg_id, fill_id=e.fill_id, qty=e.qty, price=e.price, ts_ns=e.ts_ns),
                )
            elif isinstance(action, rc.MarkLeg):
                self.counters["reconciled_legs"] += 1
                self.unacked.pop(action.leg_id, None)
                self.desk.on_leg_update(
                    platform,
                    m.LegUpdate(
                        leg_id=action.leg_id,
                        status=action.status,
                        reason=action.reason,
                        platform_order_id=action.platform_order_id,
                    ),
                )
            else:
                if action.kind in (
                    rc.ALERT_UNKNOWN_EXECUTION,
                    rc.ALERT_UNKNOWN_ORDER,
                ) and not self.dispatch.first_alert(platform, f"{action.kind}:{action.leg_id}:{action.fill_id}"):
                    self.counters["reconcile_alerts_repeated"] += 1
                    continue
                self.counters["reconcile_alerts"] += 1
                self.alerts.raise_alert(
                    "WARNING",
                    f"RECONCILE_{action.kind.upper()}",
                    action.message,
                    limit=False,
                    context={"platform": platform, "leg_id": action.leg_id},
                )

    def _finished_orders(self, leg_ids: set[str]) -> dict[str, Order]:
        """Journaled orders of reported legs the book does not hold (finished and pruned, or from before a
        restart), so their known executions are recognised and new ones applied. Unknown legs are skipped."""
        found: dict[str, Order] = {}
        covered: set[str] = set()
        for leg_id in sorted(leg_ids):
            if leg_id in self.desk.book.by_leg or leg_id in covered:
                continue
            order = self.ledger.journal.order_of_leg(leg_id)
            if order is not None:
                found[order.order_id] = order
                covered.update(order.legs)
        return found

    def revive(self, leg_id: str) -> bool:
        """Put the journaled order of ``leg_id`` back into the book when the book no longer holds it (a late fill
        or report of a finished order); False for a leg the journal does not know either."""
        if leg_id in self.desk.book.by_leg:
            return True
        order = self.ledger.journal.order_of_leg(leg_id)
        if order is None:
            return False
        restore_book(self.desk.book, [order])
        self.counters["orders_revived"] += 1
        log.warning("order %s (finished) is back in the book: its leg %s has a new report", order.order_id, leg_id)
        return True

    def _undecided(self, platform: str, report: m.PlatformReport, session: str) -> set[str]:
        """Working legs on ``platform`` that this report cannot settle (see ``domain.reconcile.undecided_legs``).

        A SENT leg this gateway process did not send (recovered from the journal after a restart) is queued for a
        resend: the adapter answers a repeat by leg id, and its next report can then speak for it."""
        legs = [leg for order in self.desk.book.working() for leg in order.legs.values() if leg.platform == platform]
        for order in self.desk.book.working():
            for leg in order.legs.values():
                if (
                    leg.platform == platform
                    and leg.status is OrderStatus.SENT
                    and leg.leg_id not in self.dispatch.sent
                    and leg.leg_id not in self.unacked
                ):
                    self.unacked[leg.leg_id] = (platform, order_payload(order, leg))
        awaiting = set(self.desk.approvals.awaiting.values())
        never_sent = {h.leg_id for h in self.dispatch.held.for_platform(platform)} | {
            leg.leg_id
            for order in self.desk.book.working()
            if order.order_id in awaiting
            for leg in order.legs.values()
        }
        unacknowledged = {leg_id for leg_id, (p, _) in self.unacked.items() if p == platform}
        coverage = rc.ReportCoverage(session, report.orders_epoch, report.orders_through)
        return rc.undecided_legs(legs, self.dispatch.sent, unacknowledged, coverage, never_sent)

    def resend_unacknowledged(self, platform: str) -> None:
        """After WELCOME: resend every ORDER ``platform`` never acknowledged (the adapter answers a repeat by leg
        id, without placing it twice). Not while the kill switch is on: those legs are cancelled instead."""
        for leg_id, (name, order) in list(self.unacked.items()):
            if name != platform:
                continue
            owner = self.desk.book.orders.get(self.desk.book.by_leg.get(leg_id, ""))
            leg = owner.legs.get(leg_id) if owner is not None else None
            if leg is None or leg.is_terminal:
                del self.unacked[leg_id]
                continue
            if self.kill_switch_active() and not owner.client_id.startswith("flatten:"):  # type: ignore[union-attr]
                log.warning("order %s to %s not resent: the kill switch is active", leg_id, platform)
                continue
            log.warning("resending order %s to %s: it was never acknowledged", leg_id, platform)
            self.counters["orders_resent"] += 1
            self.send(platform, MsgType.ORDER, order)

    def query_stuck_orders(self, now_ns: int) -> None:
        """Each second: held legs first (sent if their platform is back, rejected once the order timeout passed),
        then an alert and a report request for every order still working after the order timeout."""
        self.holder.retry()
        self.holder.expire(now_ns)
        if len(self.dispatch.sent) > 2 * len(self.desk.book.by_leg) + 1000:
            self.dispatch.prune(set(self.desk.book.by_leg))
        limit_ns = int(self.order_timeout_s * 1e9)
        for order in self.desk.book.working():
            if order.order_id in self.stuck_alerted or not order.created_ns or now_ns - order.created_ns < limit_ns:
                continue
            self.stuck_alerted.add(order.order_id)
            platforms = sorted({leg.platform for leg in order.legs.values() if not leg.is_terminal})
            message = (
                f"order {order.order_id} ({order.client_id}) still {order.status.value} after "
                f"{self.order_timeout_s:g}s on {', '.join(platforms)}; asking the platforms"
            )
            self.alerts.raise_alert(
                "WARNING", "ORDER_STUCK", message, limit=False, context={"order_id": order.order_id}
            )
            for platform in platforms:
                self.send(platform, MsgType.STATUS, m.ReportRequest(reason=f"order {order.order_id} stuck"))
