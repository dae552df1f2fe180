"""Execution quality per platform: the after-close report's second half. Pure arithmetic.

For every leg that filled (docs/report.md has the same definitions with examples):

- **vs signal**: the leg's average fill price against the order's signal-time price (the arrival price: the
  bid/ask midpoint the gateway held for the root when the signal arrived, else the last price), signed so that
  positive is better for the trader: ``reference - fill`` for a buy, ``fill - reference`` for a sell.
- **vs others**: the same against the quantity-weighted average fill of the *other* platforms' legs of the same
  order and side (the same signal), when there are any.
- Both in **ticks** (points / tick size) and in **USD per contract** (points × point value, converted); a
  platform's figure is the average over its legs weighted by contracts filled (root units); **USD total** is
  the per-contract figure times contracts, summed.
- **latency**: from the order's creation (signal accepted) to the leg's first execution being journaled, both
  on the gateway's clock; p50 and p90 by nearest rank (the ⌈p·n⌉-th smallest).
- **rejects**: legs the platform rejected, counted per platform and reason.
- **verdict**: the platform with the best USD per contract vs signal (vs others when no signal price is
  known; ticks when no USD figure is known).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from nexus_gw.domain.fx import BASE_CURRENCY
from nexus_gw.domain.types import Side
from nexus_gw.errors import NexusGwError

ToUsd = Callable[[Decimal, str], Decimal]


@dataclass(frozen=True, slots=True)
class Pricing:
    """What one price point of a root is worth: tick size, money per point per contract, and its currency."""

    tick_size: Decimal
    point_value: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class LegResult:
    """One leg of an order as the journal recorded it."""

    order_id: str
    platform: str
    root: str
    side: Side
    status: str
    reason: str
    filled: float
    """Contracts filled, in root units."""
    avg_price: float | None
    latency_ns: int | None
    """Order creation → first execution journaled; None when it never filled."""
    reference: float | None
    """The order's signal-time price; None when none was journaled."""


@dataclass(frozen=True, slots=True)
class LegQuality:
    leg: LegResult
    vs_signal_ticks: float | None
    vs_signal_usd: Decimal | None
    """Per contract."""
    vs_others_ticks: float | None
    vs_others_usd: Decimal | None
    """Per contract."""


@dataclass(frozen=True, slots=True)
class PlatformQuality:
    platform: str
    legs: int
    filled_legs: int
    contracts: float
    vs_signal_ticks: float | None
    vs_signal_usd: Decimal | None
    vs_signal_usd_total: Decimal | None
    vs_others_ticks: float | None
    vs_others_usd: Decimal | None
    latency_p50_ms: float | None
    latency_p90_ms: float | None
    rejects: int


@dataclass(frozen=True, slots=True)
class ExecutionQuality:
    legs: list[LegQuality]
    platforms: list[PlatformQuality]
    rejects: list[tuple[str, str, int]]
    """(platform, reason, count), most frequent first."""
    best: str | None
    verdict: str


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the ⌈p·n⌉-th smallest value (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


def _signed(side: Side, reference: float, fill: float) -> Decimal:
    diff = Decimal(str(reference)) - Decimal(str(fill))
    return diff if side is Side.BUY else -diff


def _usd(points: Decimal, pricing: Pricing, to_usd: ToUsd | None) -> Decimal | None:
    money = points * pricing.point_value
    if pricing.currency == BASE_CURRENCY or not money:
        return money
    if to_usd is None:
        return None
    try:
        return to_usd(money, pricing.currency)
    except NexusGwError:
        return None


def _others_price(leg: LegResult, order_legs: Iterable[LegResult]) -> float | None:
    others = [o for o in order_legs if o.platform != leg.platform and o.side is leg.side and o.avg_price and o.filled]
    qty = sum(o.filled for o in others)
    return sum(o.filled * (o.avg_price or 0) for o in others) / qty if qty else None


def _leg_quality(leg: LegResult, order_legs: list[LegResult], pricing: Pricing, to_usd: ToUsd | None) -> LegQuality:
    def measure(price: float | None) -> tuple[float | None, Decimal | None]:
        if price is None or leg.avg_price is None:
            return None, None
        points = _signed(leg.side, price, leg.avg_price)
        return float(points / pricing.tick_size), _usd(points, pricing, to_usd)

    ticks, usd = measure(leg.reference)
    other_ticks, other_usd = measure(_others_price(leg, order_legs))
    return LegQuality(leg, ticks, usd, other_ticks, other_usd)


def _weighted(pairs: list[tuple[float, float | Decimal | None]]) -> float | None:
    known = [(w, float(v)) for w, v in pairs if v is not None]
    weight = sum(w for w, _ in known)
    return sum(w * v for w, v in known) / weight if weight else None


def _weighted_usd(pairs: list[tuple[float, Decimal | None]]) -> tuple[Decimal | None, Decimal | None]:
    """(per-contract average, total) of USD figures weighted by contracts; None when any is unknown."""
    if not pairs or any(v is None for _, v in pairs):
        return None, None
    total = sum((Decimal(str(w)) * v for w, v in pairs if v is not None), Decimal(0))
    weight = Decimal(str(sum(w for w, _ in pairs)))
    return (total / weight if weight else None), total


def _platform(name: str, legs: list[LegQuality]) -> PlatformQuality:
    filled = [q for q in legs if q.leg.filled > 0 and q.leg.avg_price is not None]
    with_ref = [q for q in filled if q.vs_signal_ticks is not None]
    with_others = [q for q in filled if q.vs_others_ticks is not None]
    per_contract, total = _weighted_usd([(q.leg.filled, q.vs_signal_usd) for q in with_ref])
    others_usd, _ = _weighted_usd([(q.leg.filled, q.vs_others_usd) for q in with_others])
    latencies = [q.leg.latency_ns / 1e6 for q in filled if q.leg.latency_ns is not None]
    return PlatformQuality(
        platform=name,
        legs=len(legs),
        filled_legs=len(filled),
        contracts=sum(q.leg.filled for q in filled),
        vs_signal_ticks=_weighted([(q.leg.filled, q.vs_signal_ticks) for q in with_ref]),
        vs_signal_usd=per_contract,
        vs_signal_usd_total=total,
        vs_others_ticks=_weighted([(q.leg.filled, q.vs_others_ticks) for q in with_others]),
        vs_others_usd=others_usd,
        latency_p50_ms=percentile(latencies, 0.5),
        latency_p90_ms=percentile(latencies, 0.9),
        rejects=sum(1 for q in legs if q.leg.status == "REJECTED"),
    )


def _verdict(platforms: list[PlatformQuality]) -> tuple[str | None, str]:
    measures: list[tuple[str, str, Callable[[PlatformQuality], float | Decimal | None]]] = [
        ("USD per contract vs the signal-time price", "{:+.2f}", lambda p: p.vs_signal_usd),
        ("ticks vs the signal-time price", "{:+.2f}", lambda p: p.vs_signal_ticks),
        ("USD per contract vs the other platforms", "{:+.2f}", lambda p: p.vs_others_usd),
        ("ticks vs the other platforms", "{:+.2f}", lambda p: p.vs_others_ticks),
    ]
    for label, fmt, measure in measures:
        ranked = [(float(v), p) for p in platforms if (v := measure(p)) is not None]
        if not ranked:
            continue
        ranked.sort(key=lambda item: (-item[0], item[1].latency_p50_ms or 0.0, item[1].platform))
        best_value, best = ranked[0]
        rest = ", ".join(f"{p.platform} {fmt.format(v)}" for v, p in ranked[1:])
        text = f"{best.platform} fills best: {fmt.format(best_value)} {label} over {best.filled_legs} filled legs"
        return best.platform, text + (f" (then {rest})" if rest else "")
    return None, "no verdict: no platform has a filled leg with a signal-time price or a second platform to compare"


def execution_quality(
    legs: Iterable[LegResult], pricing: Callable[[str], Pricing], to_usd: ToUsd | None = None
) -> ExecutionQuality:
    """Execution quality of ``legs`` (every leg of the period's orders); ``pricing(root)`` values a point."""
    by_order: dict[str, list[LegResult]] = {}
    for leg in legs:
        by_order.setdefault(leg.order_id, []).append(leg)
    qualities = [
        _leg_quality(leg, order_legs, pricing(leg.root), to_usd)
        for order_legs in by_order.values()
        for leg in order_legs
    ]
    names = sorted({q.leg.platform for q in qualities})
    platforms = [_platform(name, [q for q in qualities if q.leg.platform == name]) for name in names]
    rejects = Counter(
        (q.leg.platform, q.leg.reason or "(no reason given)") for q in qualities if q.leg.status == "REJECTED"
    )
    best, verdict = _verdict(platforms)
    ordered_rejects = sorted(((p, r, n) for (p, r), n in rejects.items()), key=lambda x: (-x[2], x[0], x[1]))
    return ExecutionQuality(qualities, platforms, ordered_rejects, best, verdict)
