"""After every logon: Sierra's open orders, fills and positions re-reported, and in-doubt legs settled."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from nexus_gw.adapters.indoubt import Bind, Candidate, DoubtfulLeg, InDoubt, NotReceived, resolve
from nexus_gw.protocol.constants import OrderStatus

from .dtc.events import (
    Fill,
    Position,
    Reconciliation,
)
from .execution import HISTORY_MARGIN_S, IN_DOUBT_CLOCK_SKEW_S, SierraExecution

log = logging.getLogger(__name__)


class SierraReconciler(SierraExecution):
    """Mixed into :class:`~.driver.SierraDriver`; uses its state."""

    def on_reconciled(self, report: Reconciliation) -> None:
        """Re-report open orders and recent fills; settle in-doubt orders when the report is complete."""
        if report.errors:
            log.warning(
                "%s: reconciliation after logon %d is incomplete (%s); orders and fills it lacks are reported "
                "when Sierra sends them",
                self.name,
                report.logon_count,
                "; ".join(report.errors),
            )
        account = self.settings.trade_account
        if account and report.trade_accounts and account not in report.trade_accounts:
            self._state(
                False,
                f"Sierra does not offer trade account {account!r} (offered: {', '.join(report.trade_accounts)}); set "
                "settings.trade_account to one of them and restart the adapter",
            )
        open_legs: set[str] = set()
        for order in report.open_orders:
            leg = self._leg_of(order.client_order_id, order.server_order_id)
            if leg is not None:
                open_legs.add(leg)
                self._apply(leg, order, restated=True)
        foreign: list[Fill] = []
        reported = 0
        for fill in report.fills:
            leg = self._leg_of(fill.client_order_id, fill.server_order_id)
            if leg is None:
                foreign.append(fill)
            elif self._fill(leg, fill):
                reported += 1
        if report.complete:
            foreign = self._settle_in_doubt(report.logon_count, open_legs, foreign)
            with self._track_lock:
                for leg in [leg for leg, entry in self._working.items() if entry[2] < report.logon_count]:
                    del self._working[leg]  # not listed as open after this logon: no longer working
                self._positions = {p.symbol: p.quantity for p in report.positions if p.quantity}
        log.info(
            "%s: reconciled after logon %d: %d open orders of this gateway, %d fills re-reported, %d fills of other "
            "orders, positions %s",
            self.name,
            report.logon_count,
            len(open_legs),
            reported,
            len(foreign),
            _positions(report.positions),
        )
        self.last_reconciliation = report

    def _settle_in_doubt(self, logon: int, open_legs: set[str], foreign: list[Fill]) -> list[Fill]:
        """Settle legs sent before logon ``logon`` and never acknowledged; return the fills still foreign.

        Listed as open or bound → they stand. Otherwise Sierra's unmapped fills (grouped by ServerOrderID) are the
        candidates: one that has the leg's symbol, side and quantity at or after the send, with no rival, binds
        the leg and its fills are reported under the leg id; none at all, with the send inside the history Sierra
        gave → REJECTED (it never reached Sierra); anything else stays in doubt and is logged for a person.
        """
        waiting = [item for item in self.legs.unacknowledged() if item.logon < logon]
        doubtful: list[DoubtfulLeg] = []
        for item in waiting:
            if item.leg_id in open_legs or self.legs.order_for_leg(item.leg_id):
                self.legs.settle(item.leg_id)
            else:
                doubtful.append(DoubtfulLeg(item.leg_id, item.symbol, item.side, item.qty, item.sent_at))
        if not doubtful:
            return foreign
        history_since = time.time() - self.settings.fill_history_days * 86_400 + HISTORY_MARGIN_S
        decisions = resolve(
            doubtful, _candidates(foreign), complete=True, history_since=history_since, skew_s=IN_DOUBT_CLOCK_SKEW_S
        )
        bound: set[str] = set()
        for decision in decisions:
            leg_id = decision.leg_id
            if isinstance(decision, Bind):
                sid = decision.platform_order_id
                self.legs.bind(leg_id, sid)
                self.legs.settle(leg_id)
                self.legs.drop_cancel(leg_id)  # filled: nothing left to cancel
                bound.add(sid)
                log.warning(
                    "%s: leg %s (sent, answer never read) is Sierra order %s: its fills in Sierra's history match "
                    "the leg's symbol, side and quantity; they are reported for the leg",
                    self.name,
                    leg_id,
                    sid,
                )
                self._status(leg_id, OrderStatus.ACCEPTED, "", sid)
                for fill in foreign:
                    if fill.server_order_id == sid:
                        self._fill(leg_id, fill)
            elif isinstance(decision, NotReceived):
                self.legs.settle(leg_id)
                self.legs.drop_cancel(leg_id)
                self._status(
                    leg_id,
                    OrderStatus.REJECTED,
                    "Sierra's answer to this order was never read (the connection broke or the adapter restarted), and "
                    "after reconnecting Sierra lists neither the order nor a fill that could be it: it never reached "
                    "Sierra",
                )
            elif isinstance(decision, InDoubt):
                item = next(d for d in doubtful if d.leg_id == leg_id)
                log.error(
                    "%s: leg %s (%s %g %s) was sent but Sierra's answer was never read, and it stays in doubt: %s "
                    "(candidate Sierra orders: %s). It is reported to the gateway as in doubt and kept open. Check "
                    "Sierra's Trade Activity log and settle the leg by hand",
                    self.name,
                    leg_id,
                    item.side,
                    item.qty,
                    item.symbol,
                    decision.reason,
                    ", ".join(decision.candidates) or "none",
                )
        return [fill for fill in foreign if fill.server_order_id not in bound]


def _candidates(foreign: Iterable[Fill]) -> list[Candidate]:
    """Sierra orders known only from fills no leg claims: quantity summed, time of the first fill."""
    orders: dict[str, Candidate] = {}
    for fill in foreign:
        sid = fill.server_order_id
        if not sid:
            continue
        seen = orders.get(sid)
        if seen is None:
            orders[sid] = Candidate(sid, fill.symbol, fill.side.name, fill.quantity, fill.time or None)
        else:
            times = [t for t in (seen.time, fill.time or None) if t is not None]
            orders[sid] = Candidate(
                sid, seen.symbol, seen.side, seen.qty + fill.quantity, min(times) if times else None
            )
    return list(orders.values())


def _positions(positions: Iterable[Position]) -> str:
    shown = [f"{p.symbol} {p.quantity:+g}" for p in positions]
    return ", ".join(shown) if shown else "flat"
