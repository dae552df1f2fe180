"""Legs ↔ Bookmap orders: binding by client id, each execution once, and the report. Pure: no I/O, no clock.

Every order the driver sends carries the leg id as Bookmap's ``clientId``; Bookmap's order updates (``21``) carry
it back with its own ``orderId``, which executions (``20``) name. So a leg is bound by its client id, also after a
reconnect (Bookmap replays its orders when the addon subscribes to order info), and an execution is counted once
by its ``executionId``. A leg sent whose answer was never read is *in doubt*: kept open, reported with
``in_doubt=True``, settled when Bookmap lists an order with its client id, never sent again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import PlatformReport, ReportedFill, ReportedOrder

OPEN_STATUSES: Final = frozenset(
    {"PENDING_SUBMIT", "WORKING", "PENDING_MODIFY", "PENDING_CANCEL", "SUSPENDED", "DISCONNECTED"}
)
QTY_EPSILON: Final = 1e-9


@dataclass
class Leg:
    leg_id: str
    alias: str
    qty: float
    order_id: str = ""
    status: str = ""
    """Bookmap's last order status ('' before its first update)."""
    sent_at: float | None = None
    """Monotonic time the order was handed to the package; None once Bookmap answered (or never sent here)."""
    in_doubt: bool = False
    accepted: bool = False
    finished: bool = False
    filled: float = 0.0


@dataclass(frozen=True, slots=True)
class Update:
    leg_id: str
    status: OrderStatus
    reason: str = ""
    platform_order_id: str = ""


@dataclass(frozen=True, slots=True)
class Fill:
    leg_id: str
    fill_id: str
    qty: float
    price: float
    ts_ns: int


@dataclass
class LegBook:
    """What the driver knows of its legs and of Bookmap's orders and executions."""

    name: str
    legs: dict[str, Leg] = field(default_factory=dict)
    by_order: dict[str, str] = field(default_factory=dict)
    executions: dict[str, Fill] = field(default_factory=dict)
    positions: dict[str, float] = field(default_factory=dict)
    _pending: dict[str, list[tuple[str, dict[str, Any], float]]] = field(default_factory=dict)

    def add(self, leg: Leg) -> None:
        self.legs[leg.leg_id] = leg
        if leg.order_id:
            self.by_order[leg.order_id] = leg.leg_id

    def lost(self) -> list[str]:
        """The connection is gone: every leg sent but unanswered is now in doubt; their ids."""
        doubtful = []
        for leg in self.legs.values():
            if leg.sent_at is not None and not leg.finished:
                leg.sent_at, leg.in_doubt = None, True
                doubtful.append(leg.leg_id)
        return doubtful

    def overdue(self, now: float, timeout_s: float) -> list[str]:
        """Legs sent more than ``timeout_s`` ago without an answer."""
        return [
            leg.leg_id
            for leg in self.legs.values()
            if leg.sent_at is not None and not leg.finished and now - leg.sent_at > timeout_s
        ]

    # -- Bookmap's events -----------------------------------------------------------------------------------
    def on_update(self, update: dict[str, Any]) -> tuple[list[Update], list[tuple[str, dict[str, Any], float]]]:
        """An order update (``21``): the leg's status changes, and executions that waited for the binding."""
        order_id = str(update["orderId"])
        leg = self.legs.get(str(update.get("clientId") or "")) or self.legs.get(self.by_order.get(order_id, ""))
        if leg is None:
            return [], []  # an order of someone else (a manual order in Bookmap): not ours
        out: list[Update] = []
        leg.sent_at, leg.in_doubt = None, False
        if not leg.order_id:
            leg.order_id = order_id
            self.by_order[order_id] = leg.leg_id
        status = str(update.get("status", ""))
        leg.status = status or leg.status
        if leg.finished:
            return out, self._pending.pop(order_id, [])
        if status == "REJECTED":
            leg.finished = True
            out.append(Update(leg.leg_id, OrderStatus.REJECTED, self._why(update), order_id))
        elif status == "CANCELLED":
            leg.finished = True
            out.append(Update(leg.leg_id, OrderStatus.CANCELLED, f"cancelled in Bookmap (order {order_id})", order_id))
        elif not leg.accepted:
            leg.accepted = True
            out.append(Update(leg.leg_id, OrderStatus.ACCEPTED, "", order_id))
        return out, self._pending.pop(order_id, [])

    @staticmethod
    def _why(update: dict[str, Any]) -> str:
        side = "buy" if update.get("isBuy") else "sell"
        kind = update.get("type", "?")
        return (
            f"Bookmap rejected order {update['orderId']} ({side} {kind} {update.get('instrumentAlias', '')}): "
            "status REJECTED (Bookmap's message window tells why)"
        )

    def on_execution(self, alias: str, execution: dict[str, Any], qty: float) -> Fill | None:
        """An execution (``20``) of ``qty`` (real size): a new fill of a leg, or None (seen, or not ours yet)."""
        fill_id = str(execution["executionId"])
        if fill_id in self.executions:
            return None
        order_id = str(execution["orderId"])
        leg_id = self.by_order.get(order_id)
        if leg_id is None:
            self._pending.setdefault(order_id, []).append((alias, execution, qty))
            return None
        price = float(execution["price"])
        if not math.isfinite(price) or qty <= 0:
            raise ValueError(f"execution {fill_id} of order {order_id}: size {qty} at price {price}")
        fill = Fill(leg_id, fill_id, qty, price, int(float(execution.get("time", 0)) * 1_000_000))
        self.executions[fill_id] = fill
        leg = self.legs[leg_id]
        leg.filled = round(leg.filled + qty, 9)
        if leg.filled >= leg.qty - QTY_EPSILON:
            leg.finished = True
        return fill

    def on_position(self, alias: str, position: float) -> None:
        self.positions[alias] = position

    # -- reconciliation -------------------------------------------------------------------------------------
    def report(self, symbol_of: Callable[[str], str]) -> PlatformReport:
        """Working and in-doubt legs, every execution of a leg, positions by gateway symbol."""
        open_orders = []
        for leg in self.legs.values():
            if leg.finished:
                continue
            if leg.in_doubt or (leg.sent_at is not None and not leg.order_id):
                open_orders.append(ReportedOrder(leg_id=leg.leg_id, in_doubt=True))
            elif leg.order_id and leg.status in OPEN_STATUSES:
                open_orders.append(
                    ReportedOrder(leg_id=leg.leg_id, filled_qty=leg.filled, platform_order_id=leg.order_id)
                )
        executions = [
            ReportedFill(leg_id=f.leg_id, fill_id=f.fill_id, qty=f.qty, price=f.price, ts_ns=f.ts_ns)
            for f in self.executions.values()
        ]
        positions = {symbol_of(alias): qty for alias, qty in self.positions.items()}
        return PlatformReport(open_orders=open_orders, executions=executions, positions=positions)
