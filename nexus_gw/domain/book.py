"""The gateway's book of orders: creation, idempotency by client id, one working order per root,
and applying platform reports to legs. Pure: the server turns what it returns into messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.types import OrderStatus, OrderType, Side


@dataclass(frozen=True)
class LegSpec:
    platform: str
    symbol: str
    qty: float
    side: Side | None = None  # None: the order's side
    multiplier: float = 1.0  # platform units per root unit
    tag: str = ""  # distinguishes two legs on one platform (a roll's close and open)

    def leg_id(self, order_id: str) -> str:
        return f"{order_id}.{self.platform}" + (f".{self.tag}" if self.tag else "")


class UnknownLeg(LookupError):
    pass


class OrderBook:
    def __init__(self, one_order_per_root: bool = True) -> None:
        self.one_order_per_root = one_order_per_root
        self.orders: dict[str, Order] = {}
        self.by_client: dict[str, str] = {}
        self.by_leg: dict[str, str] = {}
        self.active_by_root: dict[str, str] = {}
        self.finished_at: dict[str, float] = {}  # order id -> when ``prune`` first saw it terminal

    def existing(self, client_id: str) -> Order | None:
        order_id = self.by_client.get(client_id)
        return self.orders.get(order_id) if order_id else None

    def busy_with(self, root: str) -> Order | None:
        """The working order that blocks a new one for ``root``, if the book enforces one per root."""
        if not self.one_order_per_root:
            return None
        order_id = self.active_by_root.get(root)
        return self.orders.get(order_id) if order_id else None

    def create(
        self,
        order_id: str,
        client_id: str,
        root: str,
        side: Side,
        qty: float,
        legs: list[LegSpec],
        order_type: OrderType = OrderType.MARKET,
        limit_price: float | None = None,
        stop_price: float | None = None,
        created_ns: int = 0,
    ) -> Order:
        order = Order(
            order_id=order_id,
            client_id=client_id,
            root=root,
            side=side,
            qty=qty,
            order_type=order_type,
            limit_price=limit_price,
            stop_price=stop_price,
            created_ns=created_ns,
        )
        for spec in legs:
            leg = Leg(
                spec.leg_id(order_id),
                spec.platform,
                spec.symbol,
                spec.side or side,
                spec.qty,
                multiplier=spec.multiplier,
            )
            order.add_leg(leg)
            self.by_leg[leg.leg_id] = order_id
        self.orders[order_id] = order
        self.by_client[client_id] = order_id
        self.active_by_root[root] = order_id
        return order

    def refuse(self, order_id: str, client_id: str, root: str, side: Side, qty: float, reason: str) -> Order:
        """Record a refused signal so a resend of its client id gets the same answer."""
        order = Order(order_id, client_id, root, side, qty, reason=reason, rejected=True)
        self.orders[order_id] = order
        self.by_client[client_id] = order_id
        return order

    def mark_sent(self, order: Order) -> None:
        for leg in order.legs.values():
            leg.apply_status(OrderStatus.SENT)

    def _leg(self, leg_id: str) -> tuple[Order, Leg]:
        order_id = self.by_leg.get(leg_id)
        if order_id is None:
            raise UnknownLeg(leg_id)
        order = self.orders[order_id]
        return order, order.legs[leg_id]

    def apply_status(
        self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = ""
    ) -> tuple[Order, bool]:
        """Apply a platform's leg status; returns the order and whether anything changed."""
        order, leg = self._leg(leg_id)
        changed = leg.apply_status(status, reason, platform_order_id)
        self._release_if_done(order)
        return order, changed

    def apply_fill(self, leg_id: str, execution: Execution) -> tuple[Order, bool]:
        """Count an execution once; returns the order and whether it was new."""
        order, leg = self._leg(leg_id)
        was_terminal = order.is_terminal
        changed = leg.apply_execution(execution)
        if was_terminal and not order.is_terminal:  # a REJECTED leg filled after all: working again
            self.active_by_root.setdefault(order.root, order.order_id)
        self._release_if_done(order)
        return order, changed

    def _release_if_done(self, order: Order) -> None:
        if order.is_terminal and self.active_by_root.get(order.root) == order.order_id:
            del self.active_by_root[order.root]

    def working(self) -> list[Order]:
        return [o for o in self.orders.values() if not o.is_terminal]

    def discard(self, order_id: str) -> Order | None:
        """Forget an order entirely (one that could not be journaled and was never sent); frees its root."""
        order = self.orders.pop(order_id, None)
        if order is None:
            return None
        for leg_id in order.legs:
            if self.by_leg.get(leg_id) == order_id:
                del self.by_leg[leg_id]
        if self.by_client.get(order.client_id) == order_id:
            del self.by_client[order.client_id]
        if self.active_by_root.get(order.root) == order_id:
            del self.active_by_root[order.root]
        self.finished_at.pop(order_id, None)
        return order

    def prune(self, now: float, retention_s: float, max_finished: int) -> list[Order]:
        """Drop finished orders kept longer than ``retention_s`` (seconds of ``now``'s clock since ``prune`` first
        saw them finished), and the oldest beyond ``max_finished``; returns what was dropped.

        Finished orders live on in the journal: duplicate client ids are answered from there.
        """
        for order_id, order in self.orders.items():
            if order_id not in self.finished_at and order.is_terminal:
                self.finished_at[order_id] = now
        expired = [oid for oid, at in self.finished_at.items() if now - at >= retention_s]
        excess = len(self.finished_at) - len(expired) - max(0, max_finished)
        if excess > 0:
            keep = sorted((at, oid) for oid, at in self.finished_at.items() if now - at < retention_s)
            expired.extend(oid for _, oid in keep[:excess])
        dropped = []
        for order_id in expired:
            order = self.discard(order_id)
            if order is not None:
                dropped.append(order)
        return dropped
