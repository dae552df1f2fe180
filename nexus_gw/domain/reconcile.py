"""Reconciliation: the journal's view of one platform against what the platform reports on reconnect.

When an adapter reconnects it reports its open orders, its recent executions and its positions. ``reconcile``
compares them with the journal's orders and positions for that platform and returns what to do, in order:

1. ``ApplyExecution`` for every reported execution the journal has not counted (fills that happened while the
   link was down), each once, never beyond a leg's quantity;
2. ``MarkLeg`` for working legs whose state the report settles: a leg the platform does not know and that has
   no fill was never received (REJECTED); one it no longer works after a partial fill is CANCELLED for the rest;
   one it reports as working moves to ACCEPTED;
3. ``Alert`` for what needs a person: a position that differs (both numbers given), executions or working
   orders the journal does not know, fills the platform counts but did not report, over-fills.

Pure: no I/O. The caller applies the actions through the journal and the order book. A report can predate a
leg (a leg still in flight, or sent after the adapter built its report): the caller names such legs in
``undecided`` and ``reconcile`` draws no conclusion from their absence (their reported fills still count).
``undecided_legs`` is the rule the gateway uses to pick them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from nexus_gw.domain.orders import QTY_EPSILON, Execution, Leg, Order, can_transition
from nexus_gw.domain.types import OrderStatus, Side

S = OrderStatus

#: Reason given to a leg the platform never received.
NEVER_RECEIVED = "never received by platform"


@dataclass(frozen=True, slots=True)
class ReportedOrder:
    """An order the platform says is working, identified by the gateway's leg id."""

    leg_id: str
    status: OrderStatus = OrderStatus.ACCEPTED
    filled_qty: float = 0.0
    """What the platform says is filled so far (a cross-check; executions are what count)."""
    platform_order_id: str = ""


@dataclass(frozen=True, slots=True)
class ReportedExecution:
    """An execution the platform reports, identified by leg id and the platform's fill id."""

    leg_id: str
    fill_id: str
    qty: float
    price: float
    ts_ns: int = 0


@dataclass(frozen=True, slots=True)
class PlatformReport:
    """What an adapter reports on reconnect. ``positions`` is signed, in platform units, keyed by root."""

    platform: str
    open_orders: tuple[ReportedOrder, ...] = ()
    executions: tuple[ReportedExecution, ...] = ()
    positions: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ApplyExecution:
    leg_id: str
    execution: Execution


@dataclass(frozen=True, slots=True)
class MarkLeg:
    leg_id: str
    status: OrderStatus
    reason: str
    platform_order_id: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """Something a person must look at. ``kind`` is one of the ``ALERT_*`` names below."""

    kind: str
    platform: str
    message: str
    leg_id: str = ""
    root: str = ""
    journal_qty: float | None = None
    platform_qty: float | None = None
    fill_id: str = ""


ALERT_POSITION_MISMATCH = "position_mismatch"
ALERT_UNKNOWN_EXECUTION = "unknown_execution"
ALERT_UNKNOWN_ORDER = "unknown_order"
ALERT_INVALID_EXECUTION = "invalid_execution"
ALERT_OVER_FILL = "over_fill"
ALERT_MISSING_FILLS = "missing_fills"
ALERT_FINISHED_LEG_WORKING = "finished_leg_working"

Action = ApplyExecution | MarkLeg | Alert


def reconcile(
    orders: Iterable[Order],
    positions: Mapping[str, float],
    report: PlatformReport,
    undecided: Collection[str] = frozenset(),
) -> list[Action]:
    """Actions that bring the journal in line with ``report`` for ``report.platform``.

    ``orders``: the journal's orders that may have a leg on the platform: every open order, plus those that
    finished within the report's execution window (so late fills of a cancelled leg are matched).
    ``positions``: the journal's signed position per root on this platform *before* these actions.
    ``undecided``: leg ids the report cannot speak for (see ``undecided_legs``): never marked for being absent.
    """
    platform = report.platform
    legs: dict[str, tuple[Order, Leg]] = {
        leg.leg_id: (order, leg) for order in orders for leg in order.legs.values() if leg.platform == platform
    }
    applies, alerts, filled, delta = _executions(platform, legs, report.executions)
    marks, order_alerts = _legs(platform, legs, filled, report.open_orders, undecided)
    expected = dict(positions)
    for root, change in delta.items():
        expected[root] = expected.get(root, 0.0) + change
    return [*applies, *marks, *alerts, *order_alerts, *_positions(platform, expected, report.positions)]


def _executions(
    platform: str, legs: Mapping[str, tuple[Order, Leg]], reported: Iterable[ReportedExecution]
) -> tuple[list[Action], list[Action], dict[str, float], dict[str, float]]:
    """New executions to apply, alerts, each leg's filled qty after them, and the position change per root."""
    applies: list[Action] = []
    alerts: list[Action] = []
    filled = {leg_id: leg.filled_qty for leg_id, (_, leg) in legs.items()}
    seen = {(leg_id, fill_id) for leg_id, (_, leg) in legs.items() for fill_id in leg.executions}
    delta: dict[str, float] = {}
    for e in reported:
        if e.leg_id not in legs:
            alerts.append(
                Alert(
                    ALERT_UNKNOWN_EXECUTION,
                    platform,
                    f"{platform} reports execution {e.fill_id} ({e.qty} @ {e.price}) of leg {e.leg_id}, which the "
                    "journal does not know; check whether the order was placed outside the gateway",
                    leg_id=e.leg_id,
                    fill_id=e.fill_id,
                )
            )
            continue
        if (e.leg_id, e.fill_id) in seen:
            continue
        order, leg = legs[e.leg_id]
        if not (0 < e.qty < math.inf and 0 < e.price < math.inf):
            alerts.append(
                Alert(
                    ALERT_INVALID_EXECUTION,
                    platform,
                    f"{platform} reports execution {e.fill_id} of leg {e.leg_id} with qty {e.qty} and price "
                    f"{e.price}; not applied, check the adapter's report",
                    leg_id=e.leg_id,
                    root=order.root,
                )
            )
            continue
        if filled[e.leg_id] + e.qty > leg.qty + QTY_EPSILON:
            alerts.append(
                Alert(
                    ALERT_OVER_FILL,
                    platform,
                    f"{platform} reports execution {e.fill_id} of {e.qty} on leg {e.leg_id}, which would fill "
                    f"{filled[e.leg_id] + e.qty} of {leg.qty}; not applied, compare with the platform's trade history",
                    leg_id=e.leg_id,
                    root=order.root,
                )
            )
            continue
        seen.add((e.leg_id, e.fill_id))
        filled[e.leg_id] += e.qty
        signed = e.qty if leg.side is Side.BUY else -e.qty
        delta[order.root] = delta.get(order.root, 0.0) + signed
        applies.append(ApplyExecution(e.leg_id, Execution(e.fill_id, e.qty, e.price, e.ts_ns)))
    return applies, alerts, filled, delta


def _legs(
    platform: str,
    legs: Mapping[str, tuple[Order, Leg]],
    filled: Mapping[str, float],
    open_orders: Iterable[ReportedOrder],
    undecided: Collection[str] = frozenset(),
) -> tuple[list[Action], list[Action]]:
    """Marks for working legs the report settles, and alerts about orders that do not add up."""
    marks: list[Action] = []
    alerts: list[Action] = []
    working = {o.leg_id: o for o in open_orders}
    for leg_id, reported in working.items():
        if leg_id not in legs:
            alerts.append(
                Alert(
                    ALERT_UNKNOWN_ORDER,
                    platform,
                    f"{platform} has working order {leg_id} ({reported.status.value}, platform id "
                    f"{reported.platform_order_id or '?'}) that the journal does not know; cancel it at the platform "
                    "if nobody placed it by hand",
                    leg_id=leg_id,
                )
            )
    for leg_id, (order, leg) in legs.items():
        reported = working.get(leg_id)
        if leg.is_terminal:
            if reported is not None:
                alerts.append(
                    Alert(
                        ALERT_FINISHED_LEG_WORKING,
                        platform,
                        f"leg {leg_id} is {leg.status.value} in the journal but {platform} still works it; cancel it "
                        "at the platform",
                        leg_id=leg_id,
                        root=order.root,
                    )
                )
            continue
        done = filled[leg_id]
        if reported is not None:
            marks += _still_working(leg, reported)
            if reported.filled_qty > done + QTY_EPSILON:
                alerts.append(
                    Alert(
                        ALERT_MISSING_FILLS,
                        platform,
                        f"{platform} says leg {leg_id} has {reported.filled_qty} filled but reported executions for "
                        f"only {done}; ask the adapter for the missing fills or check the platform's trade history",
                        leg_id=leg_id,
                        root=order.root,
                        journal_qty=done,
                        platform_qty=reported.filled_qty,
                    )
                )
        elif done >= leg.qty - QTY_EPSILON:
            continue  # its executions complete it
        elif leg_id in undecided:
            continue  # the report predates it or it is still in flight: its absence proves nothing
        elif done > QTY_EPSILON:
            marks.append(
                MarkLeg(leg_id, S.CANCELLED, f"no longer working at {platform} after {done} of {leg.qty} filled")
            )
        elif leg.status in (S.NEW, S.SENT):
            marks.append(MarkLeg(leg_id, S.REJECTED, NEVER_RECEIVED))
        else:
            marks.append(MarkLeg(leg_id, S.CANCELLED, f"no longer working at {platform} and no fill reported"))
    return marks, alerts


def _still_working(leg: Leg, reported: ReportedOrder) -> list[Action]:
    """A leg the platform works: at least ACCEPTED (fill states come from executions, not from reports)."""
    status = S.ACCEPTED if reported.status in (S.PARTIALLY_FILLED, S.FILLED) else reported.status
    if status == leg.status or not can_transition(leg.status, status):
        if reported.platform_order_id and not leg.platform_order_id:
            return [
                MarkLeg(leg.leg_id, leg.status, "platform order id from reconnect report", reported.platform_order_id)
            ]
        return []
    return [MarkLeg(leg.leg_id, status, "working at platform on reconnect", reported.platform_order_id)]


def _positions(platform: str, expected: Mapping[str, float], reported: Mapping[str, float]) -> list[Action]:
    alerts: list[Action] = []
    for root in sorted(set(expected) | set(reported)):
        ours, theirs = expected.get(root, 0.0), reported.get(root, 0.0)
        if abs(ours - theirs) > QTY_EPSILON:
            alerts.append(
                Alert(
                    ALERT_POSITION_MISMATCH,
                    platform,
                    f"{platform} {root}: the journal holds {ours:+g} (after applying this report's fills) but the "
                    f"platform reports {theirs:+g}; check the platform's trade history and flatten or correct by hand",
                    root=root,
                    journal_qty=ours,
                    platform_qty=theirs,
                )
            )
    return alerts


@dataclass(frozen=True, slots=True)
class SentLeg:
    """How the gateway sent a leg: to which adapter session, with which send number of which gateway process."""

    session: str
    seq: int
    epoch: str


@dataclass(frozen=True, slots=True)
class ReportCoverage:
    """Which adapter session built a report and which of the gateway's ORDERs it had handled by then."""

    session: str
    epoch: str = ""
    through: int = 0


def undecided_legs(
    legs: Iterable[Leg],
    sent: Mapping[str, SentLeg],
    unacknowledged: Collection[str],
    coverage: ReportCoverage,
    never_sent: Collection[str] = frozenset(),
) -> set[str]:
    """The working legs a report cannot judge: their absence from it must not settle them.

    A leg is undecided when it was never sent (``never_sent``: held for its platform or awaiting approval),
    when the adapter has not acknowledged it (it may be in flight; the gateway resends it instead), or when it
    was sent to the session that built the report after the report was built (``coverage.through`` below the
    leg's send number, same gateway process). Legs the report does speak for are judged as ``reconcile`` says.
    """
    out: set[str] = set()
    for leg in legs:
        if leg.is_terminal:
            continue
        if leg.leg_id in never_sent or leg.leg_id in unacknowledged:
            out.add(leg.leg_id)
            continue
        how = sent.get(leg.leg_id)
        if (
            how is not None
            and how.session == coverage.session
            and coverage.epoch == how.epoch
            and coverage.through < how.seq
        ):
            out.add(leg.leg_id)
    return out
