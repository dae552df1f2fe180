"""Reconciliation with platforms: what a platform reports against the journal's view, and stuck orders.

A report arrives in an adapter's HELLO (after every reconnect, before anything new is sent on the link) or on
request. Missed fills are applied once, legs the platform never received or no longer works are settled,
everything else becomes an alert. An order still working after ``trading.order_timeout_s`` raises an alert
and its platforms are asked for a report.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nexus_gw.domain import reconcile as rc
from nexus_gw.errors import NexusGwError
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway

log = logging.getLogger(__name__)


def reconcile_report(gw: Gateway, platform: str, report: m.PlatformReport) -> None:
    """Compare what the platform says with the journal's view and act: apply missed fills once, settle
    legs it never received or no longer works, alert on everything else."""
    positions: dict[str, float] = {}
    for symbol, qty in report.positions.items():
        try:
            root = gw.symbols.normalize(symbol, platform)
        except NexusGwError:
            log.warning("%s reports a position in %s, which maps to no root", platform, symbol)
            continue
        positions[root] = positions.get(root, 0.0) + qty
    journal_positions = {p.root: p.qty for p in gw.ledger.positions.positions() if p.platform == platform}
    domain_report = rc.PlatformReport(
        platform=platform,
        open_orders=tuple(
            rc.ReportedOrder(o.leg_id, o.status, o.filled_qty, o.platform_order_id) for o in report.open_orders
        ),
        executions=tuple(rc.ReportedExecution(f.leg_id, f.fill_id, f.qty, f.price, f.ts_ns) for f in report.executions),
        positions=positions,
    )
    actions = rc.reconcile(list(gw.desk.book.orders.values()), journal_positions, domain_report)
    gw.counters["reconciliations"] += 1
    for action in actions:
        if isinstance(action, rc.ApplyExecution):
            gw.counters["reconciled_fills"] += 1
            e = action.execution
            gw.desk.on_leg_fill(
                platform,
                m.LegFill(leg_id=action.leg_id, fill_id=e.fill_id, qty=e.qty, price=e.price, ts_ns=e.ts_ns),
            )
        elif isinstance(action, rc.MarkLeg):
            gw.counters["reconciled_legs"] += 1
            gw.unacked_orders.pop(action.leg_id, None)
            gw.desk.on_leg_update(
                platform,
                m.LegUpdate(
                    leg_id=action.leg_id,
                    status=action.status,
                    reason=action.reason,
                    platform_order_id=action.platform_order_id,
                ),
            )
        else:
            gw.counters["reconcile_alerts"] += 1
            record = {
                "severity": "WARNING",
                "code": f"RECONCILE_{action.kind.upper()}",
                "message": action.message,
                "at": gw.clock.now().isoformat(),
            }
            gw.risk.alerts.append(record)
            log.warning("ALERT reconcile %s %s: %s", platform, action.kind, action.message)
            gw.ledger.event("alert", record, gw.clock.now())


def query_stuck_orders(gw: Gateway, now_ns: int) -> None:
    limit_ns = int(gw.profile.trading.order_timeout_s * 1e9)
    for order in gw.desk.book.working():
        if order.order_id in gw._stuck_alerted or not order.created_ns or now_ns - order.created_ns < limit_ns:
            continue
        gw._stuck_alerted.add(order.order_id)
        platforms = sorted({leg.platform for leg in order.legs.values() if not leg.is_terminal})
        message = (
            f"order {order.order_id} ({order.client_id}) still {order.status.value} after "
            f"{gw.profile.trading.order_timeout_s:g}s on {', '.join(platforms)}; asking the platforms"
        )
        log.warning("ALERT ORDER_STUCK: %s", message)
        record = {
            "severity": "WARNING",
            "code": "ORDER_STUCK",
            "message": message,
            "at": gw.clock.now().isoformat(),
        }
        gw.risk.alerts.append(record)
        gw.ledger.event("alert", record, gw.clock.now())
        for platform in platforms:
            gw.to_platform(platform, MsgType.STATUS, m.ReportRequest(reason=f"order {order.order_id} stuck"))
