"""Bounded memory: finished orders leave the in-memory book after ``trading.finished_order_retention_s`` (and
beyond ``trading.max_finished_orders``), with what the gateway kept about them. The journal keeps them for good:
a resent client id is answered from there (``Ledger.existing``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway


def prune(gw: Gateway, now: float) -> int:
    """Drop finished orders past their retention; the number dropped."""
    trading = gw.profile.trading
    dropped = gw.desk.book.prune(now, trading.finished_order_retention_s, trading.max_finished_orders)
    for order in dropped:
        gw.desk.owners.forget(order.order_id)
        gw.ledger.order_pnl.pop(order.order_id, None)
        gw._stuck_alerted.discard(order.order_id)
        for leg_id in order.legs:
            gw.unacked_orders.pop(leg_id, None)
    gw.counters["orders_pruned"] += len(dropped)
    return len(dropped)
