"""Settling in-doubt legs: legs sent to a platform whose answer was never read (the adapter or the link died).

A platform that reports orders without the gateway's leg id (Sierra's fill history carries only its own order
id) may hold such a leg under an order id nobody recorded. After a reconnect the driver lists the platform
orders it cannot map to a leg (*candidates*: symbol, side, quantity, time of the first fill) and asks
:func:`resolve` what each in-doubt leg is:

- ``Bind``: exactly one candidate has the leg's symbol, side and quantity, at or after the send (less
  ``skew_s``), no other candidate could be the leg, and no other in-doubt leg could be that candidate;
- ``NotReceived``: the platform's report is complete, covers the send time, and no candidate could be the leg;
- ``InDoubt``: anything else (two equal candidates, two equal legs, a partial quantity, an incomplete or too
  short history). The leg stays open and a person is told; nothing is guessed.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

QTY_EPSILON: Final = 1e-9
DEFAULT_SKEW_S: Final = 60.0
"""How much earlier than the send a platform may stamp an execution of that order (clock differences)."""


@dataclass(frozen=True, slots=True)
class DoubtfulLeg:
    leg_id: str
    symbol: str
    side: str
    qty: float
    sent_at: float
    """Unix seconds of the write-ahead record (just before the send)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A platform order not mapped to any leg. ``time`` is its first execution (Unix seconds), None if unknown."""

    platform_order_id: str
    symbol: str
    side: str
    qty: float
    time: float | None


@dataclass(frozen=True, slots=True)
class Bind:
    leg_id: str
    platform_order_id: str


@dataclass(frozen=True, slots=True)
class NotReceived:
    leg_id: str


@dataclass(frozen=True, slots=True)
class InDoubt:
    leg_id: str
    reason: str
    candidates: tuple[str, ...] = ()


Decision = Bind | NotReceived | InDoubt


def _could_be(candidate: Candidate, leg: DoubtfulLeg, skew_s: float) -> bool:
    return (
        candidate.symbol == leg.symbol
        and candidate.side == leg.side
        and candidate.qty <= leg.qty + QTY_EPSILON
        and (candidate.time is None or candidate.time >= leg.sent_at - skew_s)
    )


def resolve(
    legs: Sequence[DoubtfulLeg],
    candidates: Sequence[Candidate],
    *,
    complete: bool,
    history_since: float | None = None,
    skew_s: float = DEFAULT_SKEW_S,
) -> list[Decision]:
    """Decide each of ``legs`` against ``candidates`` (see the module docstring); one decision per leg, in order.

    ``complete``: the platform's open orders and history were read in full. ``history_since``: the oldest time
    the history covers (Unix seconds), None when it covers everything.
    """
    decisions: list[Decision] = []
    for leg in legs:
        if not complete:
            decisions.append(InDoubt(leg.leg_id, "the platform's report is incomplete"))
            continue
        possible = [c for c in candidates if _could_be(c, leg, skew_s)]
        ids = tuple(c.platform_order_id for c in possible)
        if not possible:
            if history_since is not None and history_since > leg.sent_at - skew_s:
                decisions.append(InDoubt(leg.leg_id, "the platform's history does not reach back to the send"))
            else:
                decisions.append(NotReceived(leg.leg_id))
            continue
        if len(possible) > 1:
            decisions.append(InDoubt(leg.leg_id, f"{len(possible)} platform orders could be this leg", ids))
            continue
        (only,) = possible
        if abs(only.qty - leg.qty) > QTY_EPSILON:
            decisions.append(
                InDoubt(
                    leg.leg_id, f"platform order {only.platform_order_id} has only {only.qty:g} of {leg.qty:g}", ids
                )
            )
            continue
        rivals = [other.leg_id for other in legs if other is not leg and _could_be(only, other, skew_s)]
        if rivals:
            decisions.append(
                InDoubt(
                    leg.leg_id,
                    f"platform order {only.platform_order_id} could also be leg(s) {', '.join(rivals)}",
                    ids,
                )
            )
            continue
        decisions.append(Bind(leg.leg_id, only.platform_order_id))
    return decisions
