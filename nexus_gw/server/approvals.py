"""Orders waiting for an operator's approval (``risk.auto_execute: false``): approved (checked again, then
sent), rejected, or expired unsent. The kill switch rejects every waiting one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.orders import Order
from nexus_gw.domain.risk.approvals import ApprovalQueue, PendingApproval
from nexus_gw.domain.risk.decision import Decision
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.reporter import OrderReporter
from nexus_gw.server.riskgate import RiskGate

log = logging.getLogger(__name__)


class Approvals:
    def __init__(
        self,
        queue: ApprovalQueue,
        book: OrderBook,
        ledger: Ledger,
        clock: Clock,
        reporter: OrderReporter,
        send_legs: Callable[[Order], None],
    ) -> None:
        self.queue = queue
        self.book = book
        self.ledger = ledger
        self.clock = clock
        self.report = reporter.report
        self.send_legs = send_legs
        self.risk: RiskGate | None = None
        self.awaiting: dict[str, str] = {}  # approval id -> order id

    def pending(self) -> list[PendingApproval]:
        return self.queue.pending()

    def wait(self, order: Order, intent: OrderIntent, decision: Decision, now: datetime) -> None:
        """Keep ``order`` (journaled, no leg sent) until an operator approves it."""
        pending = self.queue.enqueue(intent, decision, now)
        self.awaiting[pending.id] = order.order_id
        order.reason = f"AWAITING_APPROVAL: {pending.id} (nexusgw approvals approve {pending.id})"
        log.warning("order %s waits for approval %s", order.order_id, pending.id)
        self.report(order)

    def approve(self, approval_id: str, who: str) -> Order:
        """Send a waiting order after checking it again (the market may have moved since)."""
        now = self.clock.now()
        pending = self.queue.approve(approval_id, who, now)
        order = self.book.orders[self.awaiting.pop(approval_id)]
        assert self.risk is not None
        decision = self.risk.engine.check(pending.intent, now)
        if not decision.accepted:
            reason = decision.reason.value if decision.reason else "RISK"
            self.end_unsent(order, f"RISK_{reason} at approval: {decision.message}")
            return order
        order.reason = f"approved by {who} ({approval_id})"
        self.send_legs(order)
        self.risk.order_sent(order.root, now)
        self.report(order)
        return order

    def reject(self, approval_id: str, who: str, note: str = "") -> Order:
        self.queue.reject(approval_id, who, self.clock.now(), note)
        order = self.book.orders[self.awaiting.pop(approval_id)]
        self.end_unsent(order, f"REJECTED_BY_OPERATOR: {who}{': ' + note if note else ''}")
        return order

    def expire(self) -> None:
        for pending in self.queue.expire(self.clock.now()):
            order_id = self.awaiting.pop(pending.id, None)
            if order_id is not None:
                self.end_unsent(self.book.orders[order_id], f"APPROVAL_EXPIRED: {pending.id} was not approved in time")

    def end_unsent(self, order: Order, reason: str) -> None:
        order.reason = reason
        for leg in order.legs.values():
            self.ledger.leg_status(leg, OrderStatus.REJECTED, reason)
            self.book.apply_status(leg.leg_id, OrderStatus.REJECTED, reason)
        log.warning("order %s not sent: %s", order.order_id, reason)
        self.report(order)
