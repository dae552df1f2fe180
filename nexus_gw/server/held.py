"""Held legs, the sending side: hold a leg its platform could not take, send it when the platform is back,
reject it when the order timeout passes first, cancel it without sending it (policy: ``domain.holding``)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.holding import cancel_reason, expiry_reason
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.protocols import JournalEvent, ReportLeg, SendToPlatform

log = logging.getLogger(__name__)


class LegHolder:
    """Holds unsent legs of one gateway; receives the pieces it uses, never the gateway."""

    def __init__(
        self,
        dispatch: Dispatch,
        book: OrderBook,
        peers: PeerTable,
        clock: Clock,
        counters: Counter[str],
        alerts: AlertLog,
        journal_event: JournalEvent,
        order_timeout_s: float,
        kill_switch_active: Callable[[], bool],
        send: SendToPlatform,
        report: ReportLeg,
    ) -> None:
        self.dispatch = dispatch
        self.book = book
        self.peers = peers
        self.clock = clock
        self.counters = counters
        self.alerts = alerts
        self.journal_event = journal_event
        self.order_timeout_s = order_timeout_s
        self.kill_switch_active = kill_switch_active
        self.send = send
        self.report = report

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        """Keep ``leg`` unsent (NEW) until its platform is back or ``trading.order_timeout_s`` has passed."""
        held = self.dispatch.held.hold(leg.leg_id, order.order_id, leg.platform, time.time_ns(), self.order_timeout_s)
        self.dispatch.held_orders[leg.leg_id] = payload
        self.counters["legs_held"] += 1
        log.warning(
            "leg %s held: %s cannot be reached; it is sent when %s comes back, rejected after %gs",
            leg.leg_id,
            leg.platform,
            leg.platform,
            held.timeout_s,
        )
        self.journal_event(
            "leg.held",
            {"leg_id": leg.leg_id, "order_id": order.order_id, "platform": leg.platform, "timeout_s": held.timeout_s},
            self.clock.now(),
        )
        return True

    def hold_unsent(self, payload: m.Order) -> None:
        """An ORDER taken for sending could not be written after its journal pass committed: hold its leg (the
        journal says SENT; reconciliation and the adapter's answer by leg id make a later send safe)."""
        found = self._leg(payload.leg_id)
        if found is not None and not found[1].is_terminal and self.dispatch.held.get(payload.leg_id) is None:
            self.hold(found[0], found[1], payload)

    def send_held(self, platform: str) -> None:
        """``platform`` is back: send its held legs (or, while the kill switch is on, cancel them unsent)."""
        for held in self.dispatch.held.for_platform(platform):
            found = self._leg(held.leg_id)
            if found is None or found[1].is_terminal:
                self._forget(held.leg_id)
                continue
            order, _ = found
            if self.kill_switch_active() and not order.client_id.startswith("flatten:"):
                self.cancel(held.leg_id, "the kill switch is active")
                continue
            payload = self.dispatch.held_orders[held.leg_id]
            if not self.send(platform, MsgType.ORDER, payload):
                return  # still unreachable: stays held until its deadline
            self._forget(held.leg_id)
            self.counters["held_legs_sent"] += 1
            log.warning("held leg %s sent: %s is back", held.leg_id, platform)
            self.report(platform, m.LegUpdate(leg_id=held.leg_id, status=OrderStatus.SENT))
            self.counters["legs_sent"] += 1

    def retry(self) -> None:
        """Send held legs to platforms whose link takes messages again (each pass of the periodic check)."""
        for platform in sorted({h.platform for h in self.dispatch.held}):
            peer = self.peers.platforms.get(platform)
            if peer is not None and peer.alive and not peer.unreachable:
                self.send_held(platform)

    def expire(self, now_ns: int) -> None:
        """Reject the held legs whose platform did not come back within the order timeout."""
        for held in self.dispatch.held.expired(now_ns):
            self.dispatch.held_orders.pop(held.leg_id, None)
            reason = expiry_reason(held)
            self.counters["held_legs_expired"] += 1
            self.alerts.raise_alert(
                "WARNING",
                "HELD_LEG_EXPIRED",
                f"held leg {held.leg_id}: {reason}",
                limit=False,
                context={"leg_id": held.leg_id, "order_id": held.order_id, "platform": held.platform},
            )
            if self._leg(held.leg_id) is not None:
                self.report(held.platform, m.LegUpdate(leg_id=held.leg_id, status=OrderStatus.REJECTED, reason=reason))

    def cancel(self, leg_id: str, why: str) -> bool:
        """Cancel a held leg without ever sending it; False when the leg is not held."""
        held = self.dispatch.held.get(leg_id)
        if held is None:
            return False
        self._forget(leg_id)
        self.counters["held_legs_cancelled"] += 1
        log.warning("held leg %s cancelled unsent: %s", leg_id, why)
        if self._leg(leg_id) is not None:
            self.report(
                held.platform,
                m.LegUpdate(leg_id=leg_id, status=OrderStatus.CANCELLED, reason=cancel_reason(held, why)),
            )
        return True

    def _forget(self, leg_id: str) -> None:
        self.dispatch.held.release(leg_id)
        self.dispatch.held_orders.pop(leg_id, None)

    def _leg(self, leg_id: str) -> tuple[Order, Leg] | None:
        order = self.book.orders.get(self.book.by_leg.get(leg_id, ""))
        leg = order.legs.get(leg_id) if order is not None else None
        return (order, leg) if order is not None and leg is not None else None
