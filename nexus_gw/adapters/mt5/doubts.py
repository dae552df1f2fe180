"""The MT5 legs in doubt (sent, answer never read), settled from the terminal's working orders and history.

The working orders are read at every poll while a leg is in doubt, the order history every
``HISTORY_CHECK_EVERY_S``; what each in-doubt leg is comes from ``LegBook.in_doubt_decisions`` (the pure rule). The
settler binds legs, says which legs end (an order that ended unfilled, or a leg MT5 never received) and logs a leg
that stays in doubt once. The driver turns that into events: ACCEPTED for a binding, the endings after the fills.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from nexus_gw.adapters.indoubt import Bind, InDoubt, NotReceived
from nexus_gw.protocol.constants import OrderStatus

from .book import ENDED_UNFILLED, LegBook, history_window

log = logging.getLogger(__name__)

HISTORY_CHECK_EVERY_S = 2.0
"""Seconds between two reads of the order history while a leg is in doubt."""


@dataclass
class Settlement:
    bound: list[tuple[str, int]] = field(default_factory=list)
    """(leg id, order ticket) newly bound: report each as ACCEPTED with the ticket."""
    ended: list[tuple[str, OrderStatus, str]] = field(default_factory=list)
    """(leg id, final status, reason): end each after the fills of the same poll."""


class DoubtSettler:
    """Settles the in-doubt legs of one instance's ``book``; see the module docstring."""

    def __init__(self, name: str, book: LegBook, grace_s: float, history_days: int) -> None:
        self.name = name
        self.book = book
        self.grace_s = grace_s
        self.history_days = history_days
        self._next_history_check = 0.0
        self._told: set[str] = set()

    def settle(self, mt5: Any, now: float) -> Settlement:
        """One poll's settling with the API module ``mt5`` (nothing read while no leg is in doubt); ``now`` in Unix
        seconds. API errors propagate."""
        done = Settlement()
        if not self.book.in_doubt():
            return done
        working = tuple(mt5.orders_get() or ())
        for order in working:
            leg = self.book.leg_of(int(order.ticket), str(order.comment), int(order.magic))
            if leg is not None and self.book.legs[leg].in_doubt and self.book.bind(leg, int(order.ticket)):
                done.bound.append((leg, int(order.ticket)))
        if now < self._next_history_check or not self.book.in_doubt():
            return done
        self._next_history_check = now + HISTORY_CHECK_EVERY_S
        since, until = history_window(now, self.history_days)
        history = mt5.history_orders_get(since, until)
        if history is None:  # not read: nothing can be concluded from it
            return done
        by_ticket = {int(order.ticket): order for order in history}
        for decision in self.book.in_doubt_decisions(working + tuple(history), now, self.grace_s, since):
            if isinstance(decision, Bind):
                self._bound(decision, by_ticket, done)
            elif isinstance(decision, NotReceived):
                done.ended.append(
                    (
                        decision.leg_id,
                        OrderStatus.REJECTED,
                        f"{self.name}: MT5's answer to this order was never read (the adapter or its terminal link "
                        f"died), and {self.grace_s:g} s later MT5 lists neither an order nor a deal that could be it: "
                        "it never reached MT5",
                    )
                )
            elif isinstance(decision, InDoubt) and decision.leg_id not in self._told:
                self._told.add(decision.leg_id)
                log.error(
                    "%s: leg %s was sent but MT5's answer was never read, and it stays in doubt: %s (candidate MT5 "
                    "orders: %s). It is reported to the gateway as in doubt and kept open. Check the terminal's "
                    "Trade and History tabs and settle the leg by hand",
                    self.name,
                    decision.leg_id,
                    decision.reason,
                    ", ".join(decision.candidates) or "none",
                )
        return done

    def _bound(self, decision: Bind, history: dict[int, Any], done: Settlement) -> None:
        leg_id, ticket = decision.leg_id, int(decision.platform_order_id)
        if self.book.bind(leg_id, ticket):
            log.warning("%s: leg %s (sent, answer never read) is MT5 order %d", self.name, leg_id, ticket)
            done.bound.append((leg_id, ticket))
        order = history.get(ticket)
        if order is not None and int(order.state) in ENDED_UNFILLED:
            status = ENDED_UNFILLED[int(order.state)]
            done.ended.append((leg_id, status, f"MT5 order {ticket} ended {status.value.lower()} ({order.comment})"))
