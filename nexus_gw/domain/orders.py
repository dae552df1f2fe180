"""Orders and their legs: the state machine and the aggregation of leg fills into one fill.

A NEXUS signal becomes one ``Order``; the order has one ``Leg`` per platform. Platforms report leg
states and executions, possibly late, repeated or out of order. The rules here make every report
count exactly once:

- an execution is identified by ``(leg_id, fill_id)``; a repeat is ignored;
- a leg's filled quantity is the sum of its executions, never a reported total, and never above its quantity;
- a status only moves forward (see ``ALLOWED_TRANSITIONS``); a stale or repeated status is ignored;
- a terminal leg (filled, cancelled, rejected, expired) never changes state again, but an execution
  that arrives after a cancel is still counted (the platform did trade it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nexus_gw.domain.types import TERMINAL_STATUSES, OrderStatus, OrderType, Side

S = OrderStatus

ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.NEW: frozenset({S.SENT, S.ACCEPTED, S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED}),
    S.SENT: frozenset({S.ACCEPTED, S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset({S.FILLED, S.CANCELLED, S.EXPIRED}),
    S.FILLED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
}

QTY_EPSILON = 1e-9


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    return new in ALLOWED_TRANSITIONS[current]


@dataclass(frozen=True)
class Execution:
    """One fill of a leg at the platform."""

    fill_id: str
    qty: float
    price: float
    ts_ns: int = 0


@dataclass
class Leg:
    """The part of an order placed at one platform, in that platform's symbol."""

    leg_id: str
    platform: str
    symbol: str
    side: Side
    qty: float
    status: OrderStatus = OrderStatus.NEW
    reason: str = ""
    platform_order_id: str = ""
    executions: dict[str, Execution] = field(default_factory=dict)
    multiplier: float = 1.0
    """Platform units per root unit (20 CFD lots per NQ contract); quantities of a leg are platform units."""
    # (executions dict, its size, filled qty, qty x price): the sums of ``executions`` as of that size, which only
    # grows (an execution is added once and never replaced); recomputed when the size or the dict changes
    _sums: tuple[object, int, float, float] = field(default=(None, 0, 0, 0), init=False, compare=False, repr=False)

    @property
    def root_qty(self) -> float:
        return self.qty / self.multiplier

    @property
    def root_filled_qty(self) -> float:
        return self._totals()[2] / self.multiplier

    def _totals(self) -> tuple[object, int, float, float]:
        executions = self.executions
        sums = self._sums
        if sums[1] != len(executions) or sums[0] is not executions:
            values = executions.values()
            sums = (executions, len(executions), sum(e.qty for e in values), sum(e.qty * e.price for e in values))
            self._sums = sums
        return sums

    @property
    def filled_qty(self) -> float:
        return self._totals()[2]

    @property
    def avg_price(self) -> float | None:
        _, _, filled, value = self._totals()
        if filled <= QTY_EPSILON:
            return None
        return value / filled

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def apply_status(self, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> bool:
        """Move to ``status`` if the state machine allows it; True when something changed.

        FILLED and PARTIALLY_FILLED are driven by executions (``apply_execution``); a platform's status
        report of a fill without the execution is accepted only as far as the executions support it.
        """
        if platform_order_id and not self.platform_order_id:
            self.platform_order_id = platform_order_id
        if status == self.status or not can_transition(self.status, status):
            return False
        if status in (S.FILLED, S.PARTIALLY_FILLED):
            return self._status_from_executions()
        self.status = status
        if reason:
            self.reason = reason
        return True

    def apply_execution(self, execution: Execution) -> bool:
        """Count an execution once; True when it was new. Raises ValueError for an impossible one."""
        if execution.fill_id in self.executions:
            return False
        if not (math.isfinite(execution.qty) and math.isfinite(execution.price)) or (
            execution.qty <= 0 or execution.price <= 0
        ):
            raise ValueError(
                f"leg {self.leg_id}: execution {execution.fill_id} has qty {execution.qty} and price "
                f"{execution.price}; both must be positive and finite"
            )
        if self.filled_qty + execution.qty > self.qty + QTY_EPSILON:
            raise ValueError(
                f"leg {self.leg_id}: execution {execution.fill_id} of {execution.qty} would fill "
                f"{self.filled_qty + execution.qty} of {self.qty}; the platform over-reported"
            )
        self.executions[execution.fill_id] = execution
        self._status_from_executions()
        return True

    def _status_from_executions(self) -> bool:
        filled = self.filled_qty
        if self.is_terminal:
            return self._reopen_by_fill(filled)
        if filled >= self.qty - QTY_EPSILON:
            new = S.FILLED
        elif filled > QTY_EPSILON:
            new = S.PARTIALLY_FILLED
        else:
            return False
        if new == self.status:
            return False
        self.status = new
        return True

    def _reopen_by_fill(self, filled: float) -> bool:
        """A fill is a fact: a REJECTED leg that fills after all (the gateway concluded "never received", or
        the platform said so and traded anyway) becomes FILLED, or PARTIALLY_FILLED and working again. A
        CANCELLED or EXPIRED leg counts a late fill but keeps its status (the rest is gone)."""
        if self.status is not S.REJECTED or filled <= QTY_EPSILON:
            return False
        self.status = S.FILLED if filled >= self.qty - QTY_EPSILON else S.PARTIALLY_FILLED
        return True


@dataclass
class Order:
    """One signal's order across platforms; its state is the aggregate of its legs."""

    order_id: str
    client_id: str
    root: str
    side: Side
    qty: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    created_ns: int = 0
    reason: str = ""
    legs: dict[str, Leg] = field(default_factory=dict)
    rejected: bool = False

    def add_leg(self, leg: Leg) -> None:
        self.legs[leg.leg_id] = leg

    @property
    def total_leg_qty(self) -> float:
        """What the order trades in aggregate: the sum over legs (the signal's qty when it has none)."""
        if not self.legs:
            return self.qty
        return sum(leg.root_qty for leg in self.legs.values())

    @property
    def filled_qty(self) -> float:
        """Filled, in root units (each leg's platform units divided by its multiplier)."""
        return sum([leg._totals()[2] / leg.multiplier for leg in self.legs.values()])

    @property
    def avg_price(self) -> float | None:
        """Average price over every execution of every leg, weighted by root-unit quantity."""
        filled = self.filled_qty
        if filled <= QTY_EPSILON:
            return None
        total = sum(e.qty / leg.multiplier * e.price for leg in self.legs.values() for e in leg.executions.values())
        return total / filled

    @property
    def is_terminal(self) -> bool:
        if self.rejected:
            return True
        for leg in self.legs.values():  # noqa: SIM110 (no generator: called per working order per report)
            if leg.status not in TERMINAL_STATUSES:
                return False
        return True

    @property
    def status(self) -> OrderStatus:
        """Aggregate status.

        While any leg is working: PARTIALLY_FILLED once anything filled, else the least advanced leg.
        Once every leg is terminal: FILLED if every leg filled; PARTIALLY_FILLED (final) if some filled;
        otherwise REJECTED if every leg was rejected, EXPIRED if any expired, else CANCELLED.
        """
        if self.rejected or not self.legs:
            return S.REJECTED
        statuses = [leg.status for leg in self.legs.values()]
        filled = self.filled_qty > QTY_EPSILON
        working = [status for status in statuses if status not in TERMINAL_STATUSES]
        if not working:
            if all(status == S.FILLED for status in statuses):
                return S.FILLED
            if filled:
                return S.PARTIALLY_FILLED
            if all(status == S.REJECTED for status in statuses):
                return S.REJECTED
            if any(status == S.EXPIRED for status in statuses):
                return S.EXPIRED
            return S.CANCELLED
        if filled:
            return S.PARTIALLY_FILLED
        for candidate in (S.NEW, S.SENT):
            if candidate in working:
                return candidate
        return S.ACCEPTED

    def leg(self, leg_id: str) -> Leg | None:
        return self.legs.get(leg_id)
