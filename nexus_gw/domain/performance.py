"""Trading statistics of closed round trips, in USD: the after-close report's first half. Pure arithmetic.

Definitions (docs/report.md repeats them with examples):

- **trades**: round trips (flat → flat on one platform) that closed in the period; **wins** have P&L > 0,
  **losses** P&L < 0; a trip of exactly 0 is a trade but neither.
- **win rate** = wins / trades. **average win** = mean P&L of wins; **average loss** = mean P&L of losses
  (negative). **profit factor** = sum of wins / |sum of losses| (None when there is no loss).
- **net P&L** = sum of P&L, per platform and in total.
- **Sharpe ratio** = mean(daily P&L) / sample standard deviation(daily P&L) × √252, where daily P&L is the sum
  of the USD P&L of trips that closed on each trading day of the period, days without a trip counting as 0.
  It is a ratio of P&L, not of returns on capital (the gateway does not know the account size). None with
  fewer than two days or when every day has the same P&L.
- **max drawdown**: the largest fall of cumulative USD P&L (trips in closing order, starting at 0) from its
  previous peak, as a negative number (0 when it never fell).

Trips whose USD P&L is unknown (no FX rate) are left out of the USD figures and counted in ``unconverted``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from nexus_gw.domain.fx import to_cents

TRADING_DAYS_PER_YEAR = 252
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Trade:
    """A closed round trip as the statistics see it."""

    platform: str
    root: str
    day: date
    """The exchange trading day the trip closed on."""
    exit_ns: int
    pnl_usd: Decimal | None


@dataclass(frozen=True, slots=True)
class TradeStats:
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    avg_win: Decimal | None
    avg_loss: Decimal | None
    profit_factor: float | None
    sharpe: float | None
    max_drawdown: Decimal
    net_pnl: Decimal
    net_by_platform: dict[str, Decimal]
    daily: list[tuple[date, Decimal]]
    """(trading day, P&L) for every trading day of the period, in order."""
    equity: list[tuple[int, Decimal]] = field(default_factory=list)
    """(exit time ns, cumulative P&L) after each trip."""
    unconverted: int = 0
    """Trips left out because their USD P&L is unknown."""


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    return to_cents(sum(values, _ZERO) / len(values)) if values else None


def sharpe_ratio(daily: Sequence[Decimal]) -> float | None:
    """mean / sample standard deviation × √252 of daily P&L; None for fewer than 2 days or no variation."""
    if len(daily) < 2:
        return None
    values = [float(v) for v in daily]
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    if variance <= 0:
        return None
    return mean / math.sqrt(variance) * math.sqrt(TRADING_DAYS_PER_YEAR)


def max_drawdown(pnls: Iterable[Decimal]) -> Decimal:
    """The largest fall of the cumulative sum from its running peak (which starts at 0), as a value <= 0."""
    peak = cumulative = worst = _ZERO
    for pnl in pnls:
        cumulative += pnl
        peak = max(peak, cumulative)
        worst = min(worst, cumulative - peak)
    return worst


def trade_stats(trades: Iterable[Trade], days: Sequence[date]) -> TradeStats:
    """Statistics of ``trades`` over the trading days ``days`` (trips closing on other days still count in
    every figure; their day is added to the daily series)."""
    ordered = sorted(trades, key=lambda t: t.exit_ns)
    known = [t for t in ordered if t.pnl_usd is not None]
    pnls = [t.pnl_usd for t in known if t.pnl_usd is not None]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    by_day: dict[date, Decimal] = dict.fromkeys(days, _ZERO)
    by_platform: dict[str, Decimal] = {}
    equity: list[tuple[int, Decimal]] = []
    total = _ZERO
    for trade, pnl in zip(known, pnls, strict=True):
        by_day[trade.day] = by_day.get(trade.day, _ZERO) + pnl
        by_platform[trade.platform] = by_platform.get(trade.platform, _ZERO) + pnl
        total += pnl
        equity.append((trade.exit_ns, total))
    daily = sorted(by_day.items())
    gross_loss = -sum(losses, _ZERO)
    return TradeStats(
        trades=len(known),
        wins=len(wins),
        losses=len(losses),
        win_rate=len(wins) / len(known) if known else None,
        avg_win=_mean(wins),
        avg_loss=_mean(losses),
        profit_factor=float(sum(wins, _ZERO) / gross_loss) if gross_loss else None,
        sharpe=sharpe_ratio([pnl for _, pnl in daily]),
        max_drawdown=max_drawdown(pnls),
        net_pnl=total,
        net_by_platform=dict(sorted(by_platform.items())),
        daily=daily,
        equity=equity,
        unconverted=len(ordered) - len(known),
    )
