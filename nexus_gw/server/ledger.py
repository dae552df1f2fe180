"""The gateway's books of record: the journal (durable) and the positions (in memory, rebuilt from it).

Every change passes here before it is acted on or reported: an order and its legs are journaled before a
leg is sent, an execution before it is counted or reported. Positions and the realized P&L each order
caused (in the instrument's currency and in USD) follow from the journaled executions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.instruments import InstrumentRegistry
from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.positions import PositionBook, ToUsd, Valuation, valuation_from_instrument
from nexus_gw.journal import Delivery, Journal, restore_book
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.refs import split_ref
from nexus_gw.server.marketdata import QuoteBoard
from nexus_gw.server.reports import outbox_keys

log = logging.getLogger(__name__)


@dataclass
class OrderPnl:
    """Realized P&L the executions of one order caused, in the instrument currency and in USD."""

    currency: str
    native: Decimal = Decimal(0)
    usd: Decimal | None = Decimal(0)
    missing: list[str] = field(default_factory=list)


class Ledger:
    def __init__(
        self,
        journal: Journal,
        instruments: InstrumentRegistry,
        to_usd: ToUsd,
        multipliers: Callable[[str, str], float] | None = None,
    ) -> None:
        self.journal = journal
        self.multipliers = multipliers or (lambda platform, root: 1.0)
        self.instruments = instruments
        self._to_usd = to_usd
        self.positions = PositionBook(self._valuation, to_usd)
        self.order_pnl: dict[str, OrderPnl] = {}
        self.owners: dict[str, str | None] = {}  # order id -> engine name, for orders not yet journaled/finished
        self._held: set[tuple[str, str]] = set()
        self._held_roots: dict[str, set[str]] = {}  # platform -> roots of _held (rebuilt when _held grows)
        self._held_seen = 0
        self._closed = False
        #: The last quote received for each root (any platform): an order's signal-time price when journaled.
        self.quotes = QuoteBoard()

    def _valuation(self, platform: str, root: str) -> Valuation:
        return valuation_from_instrument(self.instruments.get(root), self.multipliers(platform, root))

    def recover(self, book: OrderBook) -> int:
        """Restore open orders into ``book`` and positions from every journaled execution; open order count."""
        recovery = self.journal.recover()
        restore_book(book, recovery.open_orders)
        for fill in self.journal.query_fills():
            self.positions.apply(fill)
            self._held.add((fill.platform, fill.root))
        healed = self.journal.derive_missing_finals()
        if healed:
            log.warning(
                "%d finished orders had no final message for their engine in the journal (a crash between an "
                "execution and its FILL, or a journal from an older version): derived and queued now",
                healed,
            )
        return len(recovery.open_orders)

    def realized_usd_before(self, when: datetime) -> Decimal:
        """Realized P&L in USD of the journal's executions before ``when`` (what a new trading day starts from)."""
        book = PositionBook.rebuild(self.journal.query_fills(None, when), self._valuation, self._to_usd)
        return sum((p.realized_usd or Decimal(0) for p in book.positions()), Decimal(0))

    def existing(self, client_id: str) -> Order | None:
        """An order of this client id from before a restart (open or finished)."""
        return self.journal.order_for_client(client_id)

    def order_created(self, order: Order, owner: str | None = None) -> None:
        """Journal a new order with its owner (given, or as set in ``owners`` by the desk) and the last quote of
        its root (the signal-time price the after-close report measures fills against)."""
        owner = owner if owner is not None else self.owners.get(order.order_id)
        self.journal.record_order(order, owner, self.quotes.get(order.root))

    def owner_of(self, order_id: str) -> str | None:
        """The engine (HELLO name) an order belongs to, "" for the gateway's own, None when unknown."""
        if order_id in self.owners:
            return self.owners[order_id]
        return self.journal.owner_of(order_id)

    def leg_status(self, leg: Leg, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> None:
        self.journal.record_leg_status(leg.leg_id, status, reason, platform_order_id)

    def execution(self, order: Order, leg: Leg, execution: Execution) -> bool:
        """Journal an execution and count it in positions and P&L; False for one already journaled.

        One transaction: the execution, and if it finishes the order, the order's final ORDER_UPDATE and FILL
        for its engine (built with the P&L counted here), are committed together or not at all.
        """
        counted = False
        try:
            with self.journal.transaction():
                if not self.journal.record_execution(leg.leg_id, execution):
                    return False
                counted = True
                self._count(order, leg, execution)
        except BaseException:
            if counted:  # the journal kept nothing: rebuild the books from what it did keep
                self.order_pnl.pop(order.order_id, None)
                self._rebuild_positions()
            raise
        return True

    def _rebuild_positions(self) -> None:
        self.positions = PositionBook(self._valuation, self._to_usd)
        for fill in self.journal.query_fills():
            self.positions.apply(fill)

    def _count(self, order: Order, leg: Leg, execution: Execution) -> None:
        _, before, before_usd = self.positions.realized(leg.platform, order.root)
        self.positions.apply_fill(
            leg.platform,
            order.root,
            leg.side,
            execution.qty,
            execution.price,
            execution.ts_ns,
            key=(leg.leg_id, execution.fill_id),
        )
        self._held.add((leg.platform, order.root))
        currency, after, after_usd = self.positions.realized(leg.platform, order.root)
        pnl = self.order_pnl.setdefault(order.order_id, OrderPnl(currency))
        pnl.native += after - before
        if pnl.usd is not None and before_usd is not None and after_usd is not None:
            pnl.usd += after_usd - before_usd
        elif after != before:
            pnl.usd = None
            pnl.missing.extend(self.positions.position(leg.platform, order.root).missing)

    # -- deliveries to NEXUS --------------------------------------------------------------
    # The final ORDER_UPDATE and the FILL of a finished order are written to the outbox by the journal in the
    # transaction that finished it (``Journal.finalizer``) and kept until the owner acknowledges them.
    def final_messages(self, order_id: str) -> list[Delivery]:
        """The outbox messages of an order (acknowledged or not), oldest first."""
        return self.journal.deliveries(order_id)

    def pending_for(self, engine: str) -> list[Delivery]:
        """What the engine ``engine`` has not acknowledged (its orders', and those of unknown owner)."""
        return self.journal.pending_for(engine)

    def acknowledged(self, ref: str, kind: str, by: str) -> bool:
        """``by`` acknowledged ``kind`` (FILL or ORDER_UPDATE) of the final state ``ref`` (an order id, or
        ``<order_id>#<revision>`` for a correction); False when ``by`` does not own the order.

        A FILL's acknowledgement covers the same revision's final ORDER_UPDATE too (the FILL carries the final
        state); it never covers another revision.
        """
        order_id, revision = split_ref(ref)
        owner = self.owner_of(order_id)
        if owner is not None and owner != by:
            return False
        keys = outbox_keys(revision)
        if kind != "FILL":
            keys = {kind: keys[kind]} if kind in keys else {}
        self.journal.ack_order(order_id, keys)
        return True

    def event(self, kind: str, data: dict[str, Any], ts: datetime) -> None:
        self.journal.record_event(kind, data, ts)

    def mark(self, root: str, platform: str, price: float) -> None:
        """Mark a platform's position in ``root`` to its latest price (only where a position exists)."""
        if price > 0 and (platform, root) in self._held:
            self.positions.mark(root, platform, price)

    def mark_many(self, platform: str, prices: Mapping[str, float]) -> None:
        """``mark`` each root of ``prices`` (one market-data batch's latest prices from ``platform``)."""
        if len(self._held) != self._held_seen:  # held pairs are only ever added
            self._held_seen = len(self._held)
            self._held_roots = {}
            for held_platform, root in self._held:
                self._held_roots.setdefault(held_platform, set()).add(root)
        held = self._held_roots.get(platform)
        if held:
            for root in held.intersection(prices):
                if prices[root] > 0:
                    self.positions.mark(root, platform, prices[root])

    def snapshot(self) -> list[dict[str, Any]]:
        """Positions per platform and root, for status."""

        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return [
            {
                "platform": p.platform,
                "symbol": p.root,
                "qty": p.qty,
                "avg_entry": p.avg_entry,
                "currency": p.currency,
                "realized": float(p.realized),
                "realized_usd": num(p.realized_usd),
                "unrealized": num(p.unrealized),
                "unrealized_usd": num(p.unrealized_usd),
                "missing": list(p.missing),
            }
            for p in self.positions.positions()
        ]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.journal.close()
