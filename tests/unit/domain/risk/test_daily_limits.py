"""Daily trade count and daily loss limit as pre-trade checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nexus_gw.domain.risk import Action, ReasonCode, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent


def _after_orders(count: int, max_trades: int = 5):
    eng = engine(config(limits={"max_daily_trades": max_trades}))
    for i in range(count):
        eng.on_order_sent("NQ", T0 + timedelta(seconds=i))
    return eng


@pytest.mark.parametrize(("sent", "passes"), [(3, True), (4, True), (5, False), (6, False)])
def test_daily_trades_refuse_entries_once_the_count_is_reached(sent: int, passes: bool) -> None:
    decision = _after_orders(sent).check(intent(1), T0 + timedelta(minutes=1))
    assert decision.accepted is passes
    if not passes:
        assert decision.reason is ReasonCode.DAILY_TRADES
        assert "limits.max_daily_trades = 5" in decision.message


def test_exit_passes_after_the_daily_trade_count_is_reached() -> None:
    decision = _after_orders(5).check(intent(1, Side.SELL, position=1), T0 + timedelta(minutes=1))
    assert decision.action is Action.ACCEPT


def test_daily_trade_count_resets_at_the_next_trading_day_even_before_a_tick() -> None:
    eng = _after_orders(5)
    next_day = T0.replace(hour=22, minute=0, second=1)  # 17:00:01 CDT
    eng.on_market_data("NQ", next_day)
    assert eng.check(intent(1), next_day).action is Action.ACCEPT
    eng.tick(next_day)
    assert eng.snapshot(next_day)["usage"]["daily_trades"]["used"] == 0


def test_zero_daily_trades_means_exits_only() -> None:
    eng = engine(config(limits={"max_daily_trades": 0}))
    assert eng.check(intent(1), T0).reason is ReasonCode.DAILY_TRADES


@pytest.mark.parametrize(
    ("realized", "unrealized", "passes"),
    [(-500.0, -499.99, True), (-500.0, -500.0, False), (-1000.01, 0.0, False), (200.0, -1199.0, True)],
    ids=["just_under", "at", "just_over", "mixed_under"],
)
def test_daily_loss_counts_realized_plus_unrealized_and_stops_entries_at_the_limit(
    realized: float, unrealized: float, passes: bool
) -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}))
    eng.on_pnl(realized, unrealized, T0)
    decision = eng.check(intent(1), T0)
    assert decision.accepted is passes
    if not passes:
        assert decision.reason is ReasonCode.DAILY_LOSS


def test_daily_loss_lets_exits_through() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}))
    eng.on_pnl(-1500.0, 0.0, T0)
    assert eng.check(intent(1, Side.SELL, position=1), T0).action is Action.ACCEPT
    reversal = eng.check(intent(3, Side.SELL, position=1), T0)
    assert (reversal.action, reversal.qty, reversal.reason) == (Action.SCALE, 1, ReasonCode.DAILY_LOSS)
