"""What an order's engine is told: ORDER_UPDATEs while it works, and its final ORDER_UPDATE and FILL (with the
realized P&L) from the journal's outbox, written with the change that finished it and resent until acknowledged.
The gateway's own orders (rolls, flatten) are logged, never reported to an engine."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.orders import Order
from nexus_gw.journal import Delivery
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server import reports
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.ownership import INTERNAL_OWNER, Owners

log = logging.getLogger(__name__)


class EngineOutbound(Protocol):
    def to_nexus(self, identity: bytes | None, msg_type: MsgType, payload: m.Message) -> None: ...

    def to_engine(
        self, name: str | None, msg_type: MsgType, payload: m.Message | bytes, delivery: Delivery | None = None
    ) -> None: ...


class OrderReporter:
    def __init__(
        self,
        book: OrderBook,
        owners: Owners,
        ledger: Ledger,
        out: EngineOutbound,
        counters: Counter[str],
        is_paper: Callable[[str], bool],
    ) -> None:
        self.book = book
        self.owners = owners
        self.ledger = ledger
        self.out = out
        self.counters = counters
        self.is_paper = is_paper

    def pnl_fields(self, order: Order) -> dict[str, object]:
        """Realized P&L this order caused (closing part), in its currency and in USD, and the position after."""
        pnl = self.ledger.order_pnl.get(order.order_id)
        position = self.ledger.positions.root_position(order.root)
        if pnl is None:
            return {"position": position}
        note = "" if pnl.usd is not None else "USD unknown: " + "; ".join(pnl.missing or ["no usable FX rate"])
        return {
            "currency": pnl.currency,
            "realized_pnl": float(pnl.native),
            "realized_pnl_usd": None if pnl.usd is None else float(pnl.usd),
            "pnl_note": note,
            "position": position,
        }

    def final_messages(self, order: Order, owner: str | None, revision: int = 0) -> list[tuple[str, str, bytes]]:
        """The outbox rows of an order that just finished (called by the journal inside that transaction)."""
        live = self.book.orders.get(order.order_id)
        if live is not None and live.reason:
            order.reason = live.reason  # reasons the desk set in memory (approval expired, not routed…)
        pnl = self.pnl_fields(order)
        if order.avg_price is not None and "currency" not in pnl:
            pnl["pnl_note"] = "P&L unknown: part of this order executed before a gateway restart"
        return reports.final_messages(order, self.is_paper, pnl, time.time_ns(), revision)

    def report(self, order: Order, to: bytes | None = None) -> None:
        """Tell the order's engine (its owner, by HELLO name) about it; never an engine that does not own it.

        A finished order's final ORDER_UPDATE and FILL come from the journal's outbox (written with the change
        that finished it) and are resent until the owner acknowledges them; other updates go once.
        """
        owner = self.owners.name_of(order.order_id)
        if owner == INTERNAL_OWNER:
            if order.is_terminal:
                log.info(
                    "gateway order %s (%s) %s: %s",
                    order.order_id,
                    order.client_id,
                    order.status.value,
                    ", ".join(
                        f"{leg.leg_id} {leg.status.value} {leg.filled_qty:g}@{leg.avg_price}"
                        for leg in order.legs.values()
                    ),
                )
            return
        now_ns = time.time_ns()
        legs = reports.leg_reports(order, self.is_paper)
        update = reports.order_update(order, legs, now_ns)
        if to is not None:  # a resent client id: the asker gets the state; its owner also the fill
            self.out.to_nexus(to, MsgType.ORDER_UPDATE, update)
            asker = self.owners.engine_name(to)
            if order.is_terminal and owner in (None, asker):
                for delivery in self.ledger.final_messages(order.order_id):
                    if delivery.kind == MsgType.FILL.value:
                        self.out.to_engine(asker, MsgType.FILL, delivery.payload, delivery)
            return
        if not order.is_terminal:
            self.out.to_engine(owner, MsgType.ORDER_UPDATE, update)
            return
        finals = [d for d in self.ledger.final_messages(order.order_id) if d.acked_ns is None]
        if finals:
            for delivery in finals:
                self.out.to_engine(owner, MsgType(delivery.kind), delivery.payload, delivery)
        else:  # a refused signal (answered directly), or finished where the journal could not build them
            self.out.to_engine(owner, MsgType.ORDER_UPDATE, update)
            fill = reports.fill_report(order, legs, self.pnl_fields(order), now_ns)
            if fill is not None and not self.ledger.final_messages(order.order_id):
                self.out.to_engine(owner, MsgType.FILL, fill)
        self.ledger.owners.pop(order.order_id, None)
        avg = order.avg_price
        if avg is not None:
            self.counters["fills"] += 1
        if avg is not None and log.isEnabledFor(logging.INFO):  # the legs are spelled out only when logged
            log.info(
                "order %s done: %s %s/%s %s @ %.6g (%s)",
                order.order_id,
                order.side.value,
                order.filled_qty,
                order.total_leg_qty,
                order.root,
                avg,
                ", ".join(f"{leg.platform} {leg.filled_qty}@{leg.avg_price}" for leg in order.legs.values()),
            )
