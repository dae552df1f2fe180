"""Held legs, the sending side: hold a leg its platform could not take, send it when the platform is back,
reject it when the order timeout passes first, cancel it without sending it (policy: ``domain.holding``)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from nexus_gw.domain.holding import cancel_reason, expiry_reason
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.dispatch import Dispatch

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway

log = logging.getLogger(__name__)


def hold_unreachable(out: object, order: Order, leg: Leg, payload: m.Order) -> bool:
    """Hold a leg the desk could not send, when ``out`` is the gateway (a test double rejects it instead)."""
    if not isinstance(getattr(out, "dispatch", None), Dispatch):
        return False
    hold(out, order, leg, payload)  # type: ignore[arg-type]
    return True


def hold(gw: Gateway, order: Order, leg: Leg, payload: m.Order) -> None:
    """Keep ``leg`` unsent (NEW) until its platform is back or ``trading.order_timeout_s`` has passed."""
    timeout = gw.profile.trading.order_timeout_s
    held = gw.dispatch.held.hold(leg.leg_id, order.order_id, leg.platform, time.time_ns(), timeout)
    gw.dispatch.held_orders[leg.leg_id] = payload
    gw.counters["legs_held"] += 1
    log.warning(
        "leg %s held: %s cannot be reached; it is sent when %s comes back, rejected after %gs",
        leg.leg_id,
        leg.platform,
        leg.platform,
        held.timeout_s,
    )
    gw.ledger.event(
        "leg.held",
        {"leg_id": leg.leg_id, "order_id": order.order_id, "platform": leg.platform, "timeout_s": held.timeout_s},
        gw.clock.now(),
    )


def send_held(gw: Gateway, platform: str) -> None:
    """``platform`` is back: send its held legs (or, while the kill switch is on, cancel them unsent)."""
    for held in gw.dispatch.held.for_platform(platform):
        found = _leg(gw, held.leg_id)
        if found is None or found[1].is_terminal:
            _forget(gw, held.leg_id)
            continue
        order, _ = found
        if gw.risk.engine.kill_switch.active and not order.client_id.startswith("flatten:"):
            cancel(gw, held.leg_id, "the kill switch is active")
            continue
        payload = gw.dispatch.held_orders[held.leg_id]
        if not gw.to_platform(platform, MsgType.ORDER, payload):
            return  # still unreachable: stays held until its deadline
        _forget(gw, held.leg_id)
        gw.counters["held_legs_sent"] += 1
        log.warning("held leg %s sent: %s is back", held.leg_id, platform)
        gw.desk.on_leg_update(platform, m.LegUpdate(leg_id=held.leg_id, status=OrderStatus.SENT))
        gw.counters["legs_sent"] += 1


def retry_held(gw: Gateway) -> None:
    """Send held legs to platforms whose link takes messages again (each pass of the periodic check)."""
    for platform in sorted({h.platform for h in gw.dispatch.held}):
        peer = gw.peers.platforms.get(platform)
        if peer is not None and peer.alive and not peer.unreachable:
            send_held(gw, platform)


def expire_held(gw: Gateway, now_ns: int) -> None:
    """Reject the held legs whose platform did not come back within the order timeout."""
    for held in gw.dispatch.held.expired(now_ns):
        gw.dispatch.held_orders.pop(held.leg_id, None)
        reason = expiry_reason(held)
        gw.counters["held_legs_expired"] += 1
        gw.alerts.raise_alert(
            "WARNING",
            "HELD_LEG_EXPIRED",
            f"held leg {held.leg_id}: {reason}",
            limit=False,
            context={"leg_id": held.leg_id, "order_id": held.order_id, "platform": held.platform},
        )
        if _leg(gw, held.leg_id) is not None:
            gw.desk.on_leg_update(
                held.platform, m.LegUpdate(leg_id=held.leg_id, status=OrderStatus.REJECTED, reason=reason)
            )


def cancel(gw: Gateway, leg_id: str, why: str) -> bool:
    """Cancel a held leg without ever sending it; False when the leg is not held."""
    held = gw.dispatch.held.get(leg_id)
    if held is None:
        return False
    _forget(gw, leg_id)
    gw.counters["held_legs_cancelled"] += 1
    log.warning("held leg %s cancelled unsent: %s", leg_id, why)
    if _leg(gw, leg_id) is not None:
        gw.desk.on_leg_update(
            held.platform,
            m.LegUpdate(leg_id=leg_id, status=OrderStatus.CANCELLED, reason=cancel_reason(held, why)),
        )
    return True


def _forget(gw: Gateway, leg_id: str) -> None:
    gw.dispatch.held.release(leg_id)
    gw.dispatch.held_orders.pop(leg_id, None)


def _leg(gw: Gateway, leg_id: str) -> tuple[Order, Leg] | None:
    order = gw.desk.book.orders.get(gw.desk.book.by_leg.get(leg_id, ""))
    leg = order.legs.get(leg_id) if order is not None else None
    return (order, leg) if order is not None and leg is not None else None
