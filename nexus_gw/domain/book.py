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


class OrderTable(dict[str, Order]):
    """The book's orders by id, indexing the ones that may still be working.

    Every order put in (by the book, or directly as ``restore_book`` does) is a candidate; ``working()`` visits the
    candidates only and retires the finished ones, so its cost follows the working orders, never the orders since
    start; ``working(root)`` visits the candidates of one root only. The book puts an order back when a report makes
    it work again (a fill on a REJECTED leg).
    """

    def __init__(self) -> None:
        super().__init__()
        self.candidates: dict[str, None] = {}  # insertion-ordered as the table, unless ``reordered``
        self.by_root: dict[str, dict[str, None]] = {}  # the candidates of each root, likewise
        self.rank: dict[str, int] = {}
        self.reordered = False
        self._roots_reordered: set[str] = set()
        self._next = 0

    def __setitem__(self, order_id: str, order: Order) -> None:
        if order_id not in self:
            self.rank[order_id] = self._next
            self._next += 1
        else:
            old_root = dict.__getitem__(self, order_id).root
            if old_root != order.root:
                self._unroot(order_id)
                self._roots_reordered.add(order.root)
            if order_id not in self.candidates:  # back after it was retired: listed in its place again
                self.reordered = True
                self._roots_reordered.add(order.root)
        super().__setitem__(order_id, order)
        self.candidates[order_id] = None
        self.by_root.setdefault(order.root, {})[order_id] = None

    def _unroot(self, order_id: str) -> None:
        root = dict.__getitem__(self, order_id).root
        candidates = self.by_root.get(root)
        if candidates is not None:
            candidates.pop(order_id, None)
            if not candidates:
                del self.by_root[root]

    def __delitem__(self, order_id: str) -> None:
        self._unroot(order_id)
        super().__delitem__(order_id)
        self.candidates.pop(order_id, None)
        self.rank.pop(order_id, None)

    def pop(self, order_id: str, *default: Order | None) -> Order | None:  # type: ignore[override]
        if order_id in self:
            self._unroot(order_id)
            order = super().pop(order_id)
            self.candidates.pop(order_id, None)
            self.rank.pop(order_id, None)
            return order
        if default:
            return default[0]
        raise KeyError(order_id)

    def setdefault(self, order_id: str, order: Order) -> Order:  # type: ignore[override]
        if order_id not in self:
            self[order_id] = order
        return self[order_id]

    def update(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        for order_id, order in dict(*args, **kwargs).items():  # type: ignore[arg-type]
            self[order_id] = order

    def clear(self) -> None:
        super().clear()
        self.candidates.clear()
        self.by_root.clear()
        self.rank.clear()

    def popitem(self) -> tuple[str, Order]:
        if not self:
            raise KeyError("popitem(): the order table is empty")
        order_id = next(reversed(self))
        return order_id, self.pop(order_id)  # type: ignore[return-value]

    def watch(self, order: Order) -> None:
        """``order`` works again (or may): make it a candidate again."""
        if order.order_id in self and order.order_id not in self.candidates:
            self.candidates[order.order_id] = None
            self.by_root.setdefault(order.root, {})[order.order_id] = None
            self.reordered = True
            self._roots_reordered.add(order.root)

    def working(self, root: str | None = None) -> list[Order]:
        """The orders not finished (of ``root`` only, if given), in the order they entered the table."""
        if root is not None:
            return self._working_of(root)
        if self.reordered:
            self.candidates = dict.fromkeys(sorted(self.candidates, key=self.rank.__getitem__))
            self.reordered = False
        return self._still_working(self.candidates)

    def _working_of(self, root: str) -> list[Order]:
        candidates = self.by_root.get(root)
        if not candidates:
            return []
        if root in self._roots_reordered:
            self._roots_reordered.discard(root)
            candidates = self.by_root[root] = dict.fromkeys(sorted(candidates, key=self.rank.__getitem__))
        return self._still_working(candidates)

    def _still_working(self, candidates: dict[str, None]) -> list[Order]:
        """The candidates that are still working, in order; the finished ones are retired."""
        found = []
        done = []
        for order_id in candidates:
            order = dict.__getitem__(self, order_id)
            if order.is_terminal:
                done.append(order_id)
            else:
                found.append(order)
        for order_id in done:
            self._retire(order_id)
        return found

    def _retire(self, order_id: str) -> None:
        """A finished order stops being a candidate (``watch`` makes it one again)."""
        self.candidates.pop(order_id, None)
        self._unroot(order_id)


class OrderBook:
    def __init__(self, one_order_per_root: bool = True) -> None:
        self.one_order_per_root = one_order_per_root
        self.orders: OrderTable = OrderTable()
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
        if not order.is_terminal:
            self.orders.watch(order)
        self._release_if_done(order)
        return order, changed

    def apply_fill(self, leg_id: str, execution: Execution) -> tuple[Order, bool]:
        """Count an execution once; returns the order and whether it was new."""
        order, leg = self._leg(leg_id)
        was_terminal = order.is_terminal
        changed = leg.apply_execution(execution)
        if was_terminal and not order.is_terminal:  # a REJECTED leg filled after all: working again
            self.active_by_root.setdefault(order.root, order.order_id)
            self.orders.watch(order)
        self._release_if_done(order)
        return order, changed

    def _release_if_done(self, order: Order) -> None:
        if order.is_terminal and self.active_by_root.get(order.root) == order.order_id:
            del self.active_by_root[order.root]

    def working(self, root: str | None = None) -> list[Order]:
        """The orders not finished (of ``root`` only, if given), oldest first; costs O(working orders), not
        O(orders in memory)."""
        return self.orders.working(root)

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
