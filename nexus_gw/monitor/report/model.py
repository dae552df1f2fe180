"""What the after-close report holds, assembled from plain records (no journal access here).

``build_report`` takes the period's round trips and order legs as the CLI read them from the journal and
computes the trading statistics (:mod:`nexus_gw.domain.performance`) and the execution quality
(:mod:`nexus_gw.domain.execution_quality`). The renderers (text, json, csv, html) only format a ``Report``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from nexus_gw.domain.execution_quality import (
    ExecutionQuality,
    LegResult,
    Pricing,
    ToUsd,
    execution_quality,
)
from nexus_gw.domain.performance import Trade, TradeStats, trade_stats
from nexus_gw.domain.types import Side

#: Identifies the JSON layout (docs/report.md); bumped when a field changes meaning or goes away.
SCHEMA = "nexusgw.report/1"


@dataclass(frozen=True, slots=True)
class TripRow:
    """A closed round trip with the exchange trading day it closed on."""

    platform: str
    root: str
    side: Side
    qty: float
    entry_ns: int
    entry_price: float
    exit_ns: int
    exit_price: float
    pnl: Decimal
    currency: str
    pnl_usd: Decimal | None
    day: date


@dataclass(frozen=True, slots=True)
class Report:
    first: date
    last: date
    platform: str | None
    generated_ns: int
    days: list[date]
    trips: list[TripRow]
    stats: TradeStats
    quality: ExecutionQuality
    refusals: list[tuple[str, int]] = field(default_factory=list)
    """Signals the gateway refused before any leg was sent, by reason code, most frequent first."""
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        span = self.first.isoformat() if self.first == self.last else f"{self.first} to {self.last}"
        return f"nexusgw after-close report, {span}" + (f", {self.platform}" if self.platform else "")


def refusal_code(reason: str) -> str:
    """The code a refusal reason starts with ('DAILY_LOSS: …' → 'DAILY_LOSS'), or the reason itself."""
    head, sep, _ = reason.partition(":")
    return head.strip() if sep and head.strip().replace("_", "").isalnum() and head.isupper() else reason.strip()


def build_report(
    *,
    first: date,
    last: date,
    days: Sequence[date],
    trips: Iterable[TripRow],
    legs: Iterable[LegResult],
    pricing: Callable[[str], Pricing],
    to_usd: ToUsd | None,
    refusals: Iterable[str] = (),
    platform: str | None = None,
    generated_ns: int = 0,
) -> Report:
    """The report of trips and legs already limited to the period; ``platform`` keeps that platform's rows
    (its legs are still compared with the other platforms' legs of the same orders)."""
    chosen = [t for t in trips if platform is None or t.platform == platform]
    stats = trade_stats(
        (Trade(t.platform, t.root, t.day, t.exit_ns, t.pnl_usd) for t in chosen),
        days,
    )
    quality = execution_quality(legs, pricing, to_usd)
    if platform is not None:
        quality = ExecutionQuality(
            legs=[q for q in quality.legs if q.leg.platform == platform],
            platforms=[p for p in quality.platforms if p.platform == platform],
            rejects=[r for r in quality.rejects if r[0] == platform],
            best=quality.best,
            verdict=quality.verdict,
        )
    notes: list[str] = []
    if stats.unconverted:
        currencies = sorted({t.currency for t in chosen if t.pnl_usd is None})
        notes.append(
            f"{stats.unconverted} round trips in {', '.join(currencies)} have no USD P&L and are left out of the "
            f"USD figures; pass --rate {currencies[0]}=UNITS_PER_USD"
        )
    if any(q.leg.reference is None and q.leg.filled > 0 for q in quality.legs):
        notes.append(
            "some filled legs have no signal-time price (orders journaled before schema 3 or before any quote "
            "arrived); they count only against the other platforms"
        )
    counted = Counter(refusal_code(r) for r in refusals)
    return Report(
        first=first,
        last=last,
        platform=platform,
        generated_ns=generated_ns,
        days=list(days),
        trips=sorted(chosen, key=lambda t: t.exit_ns),
        stats=stats,
        quality=quality,
        refusals=sorted(counted.items(), key=lambda item: (-item[1], item[0])),
        notes=notes,
    )
