"""The gateway's own orders: contract rolls and kill-switch flattens. Journaled and logged, never reported to an
engine, never blocking a root; their client ids are derived from what they do, so a restarted gateway never sends
the same one twice."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.orders import Order
from nexus_gw.domain.symbols import SymbolMapper
from nexus_gw.protocol.constants import Side
from nexus_gw.server.ids import new_order_id
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.ownership import Owners

log = logging.getLogger(__name__)

INTERNAL = b""  # owner of the gateway's own orders: not reported to NEXUS


class GatewayOrders:
    def __init__(
        self,
        book: OrderBook,
        ledger: Ledger,
        owners: Owners,
        symbols: SymbolMapper,
        clock: Clock,
        counters: Counter[str],
        send_legs: Callable[[Order], None],
    ) -> None:
        self.book = book
        self.ledger = ledger
        self.owners = owners
        self.symbols = symbols
        self.clock = clock
        self.counters = counters
        self.send_legs = send_legs

    def roll_position(
        self, root: str, platform: str, old_symbol: str, new_symbol: str, position: float, new_code: str
    ) -> Order | None:
        """Roll ``position`` on ``platform`` as one order of two linked legs: close the old, open the new.

        The client id is derived from the roll, so a restarted gateway never rolls the same position twice.
        """
        qty = abs(position)
        keep = Side.BUY if position > 0 else Side.SELL
        close = Side.SELL if keep is Side.BUY else Side.BUY
        legs = [
            LegSpec(platform, old_symbol, qty, side=close, tag="close"),
            LegSpec(platform, new_symbol, qty, side=keep, tag="open"),
        ]
        reason = f"roll {position:+g} {root} from {old_symbol} to {new_symbol}"
        order = self._internal_order(f"roll:{root}:{new_code}:{platform}", root, keep, qty, legs, reason)
        if order is not None:
            self.counters["roll_orders"] += 1
        return order

    def flatten(self, root: str, platform: str, position: float, tag: str) -> Order | None:
        """Close ``position`` on ``platform`` with one gateway order (kill switch with flatten)."""
        side = Side.SELL if position > 0 else Side.BUY
        symbol = self.symbols.resolve(root, platform, self.clock.now())
        reason = f"flatten {position:+g} {root} on {platform} ({tag})"
        order = self._internal_order(
            f"flatten:{tag}:{platform}:{root}",
            root,
            side,
            abs(position),
            [LegSpec(platform, symbol, abs(position))],
            reason,
        )
        if order is not None:
            self.counters["flatten_orders"] += 1
        return order

    def _internal_order(
        self, client_id: str, root: str, side: Side, qty: float, legs: list[LegSpec], reason: str
    ) -> Order | None:
        """An order of the gateway's own: journaled and logged, never reported to NEXUS, never blocking a root."""
        if self.book.existing(client_id) or self.ledger.existing(client_id):
            return None
        order_id = new_order_id()
        self.owners[order_id] = INTERNAL
        order = self.book.create(order_id, client_id, root, side, qty, legs, created_ns=time.time_ns())
        order.reason = reason
        if self.book.active_by_root.get(root) == order_id:
            del self.book.active_by_root[root]
        try:
            self.ledger.order_created(order)
        except BaseException:  # not journaled: never sent, and nothing left in the book to block a retry
            self.book.discard(order_id)
            self.owners.forget(order_id)
            raise
        log.warning("gateway order %s: %s", order_id, reason)
        self.send_legs(order)
        return order
