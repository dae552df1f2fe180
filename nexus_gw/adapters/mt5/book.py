"""The legs this instance sent and how MT5 knows them: order tickets ↔ leg ids, deals seen, quantities filled.

Tickets are learnt from ``order_send`` and, after a restart, from the write-ahead store (``resume``: the order
ticket is each leg's ``platform_order_id``); an order or deal with a ticket not known maps through its comment
(``legs.py``). Every deal is counted once, by its ticket. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from nexus_gw.adapters.indoubt import Bind, Candidate, Decision, DoubtfulLeg, resolve
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import PlatformReport, ReportedFill, ReportedOrder

from .legs import leg_from_comment

DEAL_TYPE_BUY = 0
DEAL_TYPE_SELL = 1
POSITION_TYPE_BUY = 0
ORDER_TYPE_CLOSE_BY = 8
"""Order types below this alternate BUY (even) and SELL (odd): market, limit, stop, stop-limit."""
ENDED_UNFILLED = {2: OrderStatus.CANCELLED, 5: OrderStatus.REJECTED, 6: OrderStatus.EXPIRED}
"""History order states (ORDER_STATE_CANCELED, _REJECTED, _EXPIRED) that end an order with what it filled."""
HISTORY_AHEAD_S = 2 * 86_400
"""How far past now a history read reaches (a server clock ahead of this machine's)."""


def history_window(now: float, days: int) -> tuple[int, int]:
    """The (from, to) Unix seconds of a read of MT5's deal or order history covering the last ``days``."""
    return int(now - days * 86_400), int(now + HISTORY_AHEAD_S)


@dataclass
class Leg:
    leg_id: str
    symbol: str
    qty: float
    ticket: int = 0
    in_doubt: bool = False
    """Sent, but the answer was never read: settled from orders and deals by the comment, never sent again."""
    finished: bool = False
    """Rejected or cancelled (a filled leg is known by its fills)."""
    side: str = ""
    """BUY or SELL, as the gateway sent it (an in-doubt leg is matched on it)."""
    sent_at: float = 0.0
    """Unix seconds of the send (the write-ahead's time after a restart)."""


@dataclass(frozen=True, slots=True)
class Fill:
    leg_id: str
    fill_id: str
    qty: float
    price: float
    ts_ns: int


@dataclass
class LegBook:
    instance: str
    magic: int
    legs: dict[str, Leg] = field(default_factory=dict)
    by_ticket: dict[int, str] = field(default_factory=dict)
    seen_deals: set[int] = field(default_factory=set)
    filled: dict[str, float] = field(default_factory=dict)

    def add(self, leg: Leg) -> None:
        self.legs[leg.leg_id] = leg
        if leg.ticket:
            self.by_ticket[leg.ticket] = leg.leg_id

    def bind(self, leg_id: str, ticket: int) -> bool:
        """Record the order ticket of a leg; True when it is new (to report it as the platform order id)."""
        leg = self.legs.get(leg_id)
        if leg is None or not ticket or leg.ticket == ticket:
            return False
        leg.ticket, leg.in_doubt = ticket, False
        self.by_ticket[ticket] = leg_id
        return True

    def leg_of(self, ticket: int, comment: str, magic: int) -> str | None:
        """The leg of an order or deal (by its order ticket, else by its comment if it carries our magic)."""
        leg = self.by_ticket.get(int(ticket or 0))
        if leg is not None:
            return leg
        if int(magic or 0) != self.magic:
            return None
        leg = leg_from_comment(comment, self.instance, self.legs)
        return leg if leg in self.legs else None

    def absorb(self, deals: Iterable[Any]) -> tuple[list[Fill], list[tuple[str, int]]]:
        """New executions among ``deals`` (each deal once) and the (leg, order ticket) bindings they reveal."""
        fills: list[Fill] = []
        binds: list[tuple[str, int]] = []
        for deal in sorted(deals, key=lambda d: (int(d.time_msc), int(d.ticket))):
            if int(deal.type) not in (DEAL_TYPE_BUY, DEAL_TYPE_SELL) or int(deal.ticket) in self.seen_deals:
                continue
            leg = self.leg_of(int(deal.order), str(deal.comment), int(deal.magic))
            if leg is None:
                continue
            if self.bind(leg, int(deal.order)):
                binds.append((leg, int(deal.order)))
            self.seen_deals.add(int(deal.ticket))
            qty = float(deal.volume)
            self.filled[leg] = self.filled.get(leg, 0.0) + qty
            fills.append(Fill(leg, str(deal.ticket), qty, float(deal.price), int(deal.time_msc) * 1_000_000))
        return fills, binds

    def in_doubt_decisions(
        self, orders: Iterable[Any], now: float, grace_s: float, history_since: float
    ) -> list[Decision]:
        """Settle the in-doubt legs against ``orders``: every order MT5 lists, working and history, over a history
        that reaches back to ``history_since`` (Unix seconds).

        An order of this magic whose comment names an in-doubt leg binds it. For the legs sent at least ``grace_s``
        ago and still unbound, this magic's orders that no leg claims are the candidates (a broker may rewrite
        comments) and :func:`~nexus_gw.adapters.indoubt.resolve` decides: one with the leg's symbol, side and
        volume at or after the send binds it; none at all means MT5 never received the leg; anything else stays in
        doubt. Younger legs wait: an order the terminal was still sending when the adapter died is listed by then.
        """
        open_legs = {leg.leg_id: leg for leg in self._unsettled()}
        if not open_legs:
            return []
        named: dict[str, Any] = {}  # leg id -> the order its comment names (one that did not end unfilled first)
        candidates: list[Candidate] = []
        for order in orders:
            if int(order.magic or 0) != self.magic or int(order.type) >= ORDER_TYPE_CLOSE_BY:
                continue
            ticket = int(order.ticket)
            leg_id = self.leg_of(ticket, str(order.comment), int(order.magic))
            if leg_id is None:
                side = "BUY" if int(order.type) % 2 == 0 else "SELL"
                volume = float(order.volume_initial)
                candidates.append(Candidate(str(ticket), str(order.symbol), side, volume, float(order.time_setup)))
            elif leg_id in open_legs and (leg_id not in named or _ended_unfilled(named[leg_id])):
                named[leg_id] = order
        binds: list[Decision] = [Bind(leg_id, str(int(order.ticket))) for leg_id, order in named.items()]
        due = [
            DoubtfulLeg(leg.leg_id, leg.symbol, leg.side, leg.qty, leg.sent_at)
            for leg in open_legs.values()
            if leg.leg_id not in named and now - leg.sent_at >= grace_s
        ]
        return binds + resolve(due, candidates, complete=True, history_since=history_since)

    def in_doubt(self) -> bool:
        """Whether a leg still waits to be settled."""
        return any(True for _ in self._unsettled())

    def _unsettled(self) -> Iterator[Leg]:
        """The legs in doubt: not bound to an order, not finished."""
        return (leg for leg in self.legs.values() if leg.in_doubt and not leg.finished and not leg.ticket)

    def has_open_legs(self) -> bool:
        """Whether any leg may still get fills (deals are read only then)."""
        return any(
            not leg.finished and (leg.in_doubt or self.filled.get(leg.leg_id, 0.0) < leg.qty - 1e-9)
            for leg in self.legs.values()
        )

    def report(
        self,
        orders: Iterable[Any],
        deals: Iterable[Any],
        positions: Iterable[Any],
        symbol_name: Callable[[str], str] = str,
    ) -> PlatformReport:
        """What MT5 says now, by leg id: working orders, executions, and this magic's positions by symbol."""
        open_orders: list[ReportedOrder] = []
        listed: set[str] = set()
        for order in orders:
            leg = self.leg_of(int(order.ticket), str(order.comment), int(order.magic))
            if leg is None:
                continue
            listed.add(leg)
            done = float(order.volume_initial) - float(order.volume_current)
            open_orders.append(ReportedOrder(leg_id=leg, filled_qty=done, platform_order_id=str(order.ticket)))
        for leg in self.legs.values():
            if leg.in_doubt and not leg.finished and leg.leg_id not in listed:
                open_orders.append(
                    ReportedOrder(leg_id=leg.leg_id, filled_qty=self.filled.get(leg.leg_id, 0.0), in_doubt=True)
                )
        executions: list[ReportedFill] = []
        for deal in deals:
            if int(deal.type) not in (DEAL_TYPE_BUY, DEAL_TYPE_SELL):
                continue
            leg = self.leg_of(int(deal.order), str(deal.comment), int(deal.magic))
            if leg is not None:
                executions.append(
                    ReportedFill(
                        leg_id=leg,
                        fill_id=str(deal.ticket),
                        qty=float(deal.volume),
                        price=float(deal.price),
                        ts_ns=int(deal.time_msc) * 1_000_000,
                    )
                )
        net: dict[str, float] = {}
        for pos in positions:
            if int(pos.magic) != self.magic:
                continue
            sign = 1.0 if int(pos.type) == POSITION_TYPE_BUY else -1.0
            symbol = symbol_name(str(pos.symbol))
            net[symbol] = round(net.get(symbol, 0.0) + sign * float(pos.volume), 9)
        return PlatformReport(open_orders=open_orders, executions=executions, positions=net)


def _ended_unfilled(order: Any) -> bool:
    """A history order that ended without filling in full: cancelled, rejected or expired (working orders have
    no final state)."""
    return int(getattr(order, "state", -1)) in ENDED_UNFILLED
