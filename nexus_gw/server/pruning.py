"""Bounded memory: finished orders leave the in-memory book after ``trading.finished_order_retention_s`` (and
beyond ``trading.max_finished_orders``), with what the gateway kept about them. The journal keeps them for good:
a resent client id is answered from there (``Ledger.existing``)."""

from __future__ import annotations

from collections import Counter

from nexus_gw.config.models import TradingConfig
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.protocols import OrderMessages


class Pruner:
    """Drops finished orders and what was kept about them; receives what it uses (never the gateway)."""

    def __init__(
        self,
        trading: TradingConfig,
        desk: ExecutionDesk,
        ledger: Ledger,
        unacked: OrderMessages,
        stuck_alerted: set[str],
        counters: Counter[str],
    ) -> None:
        self.trading = trading
        self.desk = desk
        self.ledger = ledger
        self.unacked = unacked
        self.stuck_alerted = stuck_alerted
        self.counters = counters

    def prune(self, now: float) -> int:
        """Drop finished orders past their retention; the number dropped."""
        trading = self.trading
        dropped = self.desk.book.prune(now, trading.finished_order_retention_s, trading.max_finished_orders)
        for order in dropped:
            self.desk.owners.forget(order.order_id)
            self.ledger.order_pnl.pop(order.order_id, None)
            self.stuck_alerted.discard(order.order_id)
            for leg_id in order.legs:
                self.unacked.pop(leg_id, None)
        self.counters["orders_pruned"] += len(dropped)
        return len(dropped)
