"""Trading statistics against values worked out by hand for a known sequence of round trips."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from nexus_gw.domain.performance import Trade, max_drawdown, sharpe_ratio, trade_stats

D1, D2, D3, D4 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)


def trade(platform: str, day: date, seq: int, pnl: str | None) -> Trade:
    return Trade(platform, "NQ", day, seq, Decimal(pnl) if pnl is not None else None)


# In closing order: P&L, cumulative, running peak, fall from peak
#   1 nt8    D1  +100   100  100     0
#   2 sierra D1   -50    50  100   -50
#   3 nt8    D2  +200   250  250     0
#   4 mt5    D2  -150   100  250  -150
#   5 sierra D3   -25    75  250  -175   <- max drawdown -175
#   6 nt8    D3     0    75  250  -175
TRADES = [
    trade("nt8", D1, 1, "100"),
    trade("sierra", D1, 2, "-50"),
    trade("nt8", D2, 3, "200"),
    trade("mt5", D2, 4, "-150"),
    trade("sierra", D3, 5, "-25"),
    trade("nt8", D3, 6, "0"),
]


def test_statistics_of_a_known_sequence_match_the_hand_computed_values() -> None:
    stats = trade_stats(TRADES, [D1, D2, D3, D4])
    # 6 trades; wins 100 and 200; losses -50, -150, -25; the 0 trip is neither.
    assert (stats.trades, stats.wins, stats.losses) == (6, 2, 3)
    assert stats.win_rate == pytest.approx(2 / 6)
    assert stats.avg_win == Decimal("150.00")  # (100 + 200) / 2
    assert stats.avg_loss == Decimal("-75.00")  # (-50 - 150 - 25) / 3 = -225 / 3
    assert stats.profit_factor == pytest.approx(300 / 225)  # 1.3333…
    assert stats.net_pnl == Decimal("75")  # 100 - 50 + 200 - 150 - 25 + 0
    assert stats.net_by_platform == {"mt5": Decimal("-150"), "nt8": Decimal("300"), "sierra": Decimal("-75")}
    assert stats.max_drawdown == Decimal("-175")
    # Daily P&L: D1 100 - 50 = 50; D2 200 - 150 = 50; D3 -25 + 0 = -25; D4 no trip = 0.
    assert stats.daily == [(D1, Decimal(50)), (D2, Decimal(50)), (D3, Decimal(-25)), (D4, Decimal(0))]
    # mean = 75 / 4 = 18.75; deviations 31.25, 31.25, -43.75, -18.75; squares 976.5625 + 976.5625 + 1914.0625
    # + 351.5625 = 4218.75; sample variance 4218.75 / 3 = 1406.25; sd = 37.5; 18.75 / 37.5 = 0.5;
    # Sharpe = 0.5 × √252 = 7.93725…
    assert stats.sharpe == pytest.approx(0.5 * math.sqrt(252))
    assert stats.sharpe == pytest.approx(7.937253933)
    assert [float(v) for _, v in stats.equity] == [100, 50, 250, 100, 75, 75]
    assert stats.unconverted == 0


def test_one_day_has_no_sharpe_and_no_losses_no_profit_factor() -> None:
    stats = trade_stats([trade("nt8", D1, 1, "10"), trade("nt8", D1, 2, "30")], [D1])
    assert stats.sharpe is None  # one day: n/a
    assert stats.profit_factor is None  # nothing lost
    assert stats.avg_loss is None and stats.avg_win == Decimal("20.00")
    assert stats.max_drawdown == Decimal(0) and stats.win_rate == 1.0


def test_trips_without_usd_are_left_out_and_counted() -> None:
    stats = trade_stats([trade("mt5_brazil", D1, 1, None), trade("nt8", D1, 2, "-40")], [D1, D2])
    assert (stats.trades, stats.unconverted, stats.net_pnl) == (1, 1, Decimal(-40))
    assert stats.sharpe == pytest.approx((-20 / math.sqrt(800)) * math.sqrt(252))  # days -40, 0: sd √800


def test_no_trades_gives_empty_figures() -> None:
    stats = trade_stats([], [D1, D2])
    assert (stats.trades, stats.win_rate, stats.sharpe, stats.net_pnl) == (0, None, None, Decimal(0))


def test_sharpe_is_none_without_variation_and_drawdown_starts_at_zero() -> None:
    assert sharpe_ratio([Decimal(5), Decimal(5)]) is None
    assert max_drawdown([Decimal(-30), Decimal(10), Decimal(-5)]) == Decimal(-30)  # peak stays at the start, 0
