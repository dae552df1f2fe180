"""The messages that tell a signal engine about its order: ORDER_UPDATE (every change) and FILL (once, when
an order that traded ends). Pure: built from the order, the platforms' paper flags and the P&L fields."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from nexus_gw.domain.orders import Leg, Order
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType

#: Outbox dedupe key of an order's final ORDER_UPDATE (its FILL has key "").
FINAL_KEY = "final"


def leg_reports(order: Order, paper_of: Callable[[str], bool]) -> list[m.LegReport]:
    return [
        m.LegReport(
            platform=leg.platform,
            symbol=leg.symbol,
            leg_id=leg.leg_id,
            qty=leg.qty,
            filled_qty=leg.filled_qty,
            avg_price=leg.avg_price,
            status=leg.status,
            reason=leg.reason,
            multiplier=leg.multiplier,
            paper=paper_of(leg.platform),
        )
        for leg in order.legs.values()
    ]


def order_update(order: Order, legs: list[m.LegReport], ts_ns: int) -> m.OrderUpdate:
    return m.OrderUpdate(
        order_id=order.order_id,
        client_id=order.client_id,
        symbol=order.root,
        side=order.side,
        status=order.status,
        qty=order.total_leg_qty,
        filled_qty=order.filled_qty,
        avg_price=order.avg_price,
        reason=order.reason,
        final=order.is_terminal,
        legs=legs,
        ts_ns=ts_ns,
    )


def fill_report(order: Order, legs: list[m.LegReport], pnl: Mapping[str, object], ts_ns: int) -> m.FillReport | None:
    """The aggregated fill of a finished order that traded; None while it works or when nothing filled."""
    avg = order.avg_price
    if not order.is_terminal or avg is None:
        return None
    return m.FillReport(
        order_id=order.order_id,
        client_id=order.client_id,
        symbol=order.root,
        side=order.side,
        qty=order.total_leg_qty,
        filled_qty=order.filled_qty,
        avg_price=avg,
        status=order.status,
        legs=legs,
        ts_ns=ts_ns,
        **pnl,  # type: ignore[arg-type]
    )


def outbox_keys(revision: int) -> dict[str, str]:
    """Outbox dedupe key of each final message kind of ``revision`` (0: the first final state)."""
    suffix = f"#{revision}" if revision else ""
    return {MsgType.ORDER_UPDATE.value: FINAL_KEY + suffix, MsgType.FILL.value: suffix}


def revision_of(key: str) -> int:
    """The revision an outbox dedupe key belongs to."""
    _, _, rest = key.rpartition("#")
    return int(rest) if "#" in key and rest.isdigit() else 0


def final_messages(
    order: Order, paper_of: Callable[[str], bool], pnl: Mapping[str, object], ts_ns: int, revision: int = 0
) -> list[tuple[str, str, bytes]]:
    """Outbox rows ``(kind, key, payload)`` of a finished order: its final ORDER_UPDATE, then its FILL if it traded.

    ``revision`` n > 0 is the n-th correction: the order had finished and a late fill changed it."""
    legs = leg_reports(order, paper_of)
    keys = outbox_keys(revision)
    update = order_update(order, legs, ts_ns)
    update.revision = revision
    rows = [
        (MsgType.ORDER_UPDATE.value, keys[MsgType.ORDER_UPDATE.value], codec.encode(MsgType.ORDER_UPDATE, update)[1])
    ]
    fill = fill_report(order, legs, pnl, ts_ns)
    if fill is not None:
        fill.revision = revision
        rows.append((MsgType.FILL.value, keys[MsgType.FILL.value], codec.encode(MsgType.FILL, fill)[1]))
    return rows


def order_payload(order: Order, leg: Leg) -> m.Order:
    """The ORDER message of one leg (sent by the desk, resent by reconciliation)."""
    return m.Order(
        leg_id=leg.leg_id,
        order_id=order.order_id,
        symbol=leg.symbol,
        side=leg.side,
        qty=leg.qty,
        order_type=order.order_type,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        ts_ns=time.time_ns(),
    )
