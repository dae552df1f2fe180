"""Losing-streak and daily-loss breakers, the trading-day boundary (17:00 Chicago) and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from nexus_gw.domain.risk import Action, AlertCode, ReasonCode, RiskEngine, Severity, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent

CHI = ZoneInfo("America/Chicago")


def _streak(limit: int = 3, pause: float = 3600):
    return engine(config(circuit_breakers={"max_consecutive_losses": limit, "pause_seconds": pause}))


def _fresh(eng: RiskEngine, now: datetime) -> None:
    eng.on_market_data("NQ", now)
    eng.on_engine_seen(now)


def test_three_losing_round_trips_pause_entries_for_the_configured_time() -> None:
    eng = _streak()
    assert eng.on_round_trip(-10.0, T0) == []
    assert eng.on_round_trip(-10.0, T0) == []
    alerts = eng.on_round_trip(-10.0, T0)
    assert [(a.severity, a.code) for a in alerts] == [(Severity.WARNING, AlertCode.CONSECUTIVE_LOSSES)]
    decision = eng.check(intent(1), T0 + timedelta(minutes=59))
    assert decision.reason is ReasonCode.CIRCUIT_BREAKER and "Exits still pass" in decision.message
    assert eng.check(intent(1, Side.SELL, position=1), T0).action is Action.ACCEPT


def test_pause_ends_exactly_after_its_duration_and_tick_reports_it() -> None:
    eng = _streak(pause=3600)
    for _ in range(3):
        eng.on_round_trip(-1.0, T0)
    end = T0 + timedelta(seconds=3600)
    assert eng.check(intent(1), end - timedelta(microseconds=1)).reason is ReasonCode.CIRCUIT_BREAKER
    assert eng.check(intent(1), end).action is Action.ACCEPT
    assert [a.code for a in eng.tick(end)] == [AlertCode.PAUSE_ENDED]


def test_a_winning_or_flat_round_trip_ends_the_streak() -> None:
    eng = _streak()
    for pnl in (-1.0, -1.0, 0.0, -1.0, -1.0, 5.0, -1.0):
        eng.on_round_trip(pnl, T0)
    assert eng.check(intent(1), T0).action is Action.ACCEPT


def test_streak_restarts_after_a_trip() -> None:
    eng = _streak(limit=2, pause=60)
    eng.on_round_trip(-1.0, T0)
    eng.on_round_trip(-1.0, T0)
    later = T0 + timedelta(seconds=61)
    assert [a.code for a in eng.on_round_trip(-1.0, later)] == [AlertCode.PAUSE_ENDED]
    assert eng.snapshot(later)["usage"]["consecutive_losses"] == {"used": 1, "limit": 2}


def test_daily_loss_breach_returns_critical_alert_and_activates_kill_switch_when_configured() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}, kill_on_daily_loss=True))
    result = eng.on_pnl(-600.0, -400.0, T0)
    assert result.kill_switch_activated and eng.kill_switch.active and not eng.kill_switch.flatten
    assert [(a.severity, a.code) for a in result.alerts] == [(Severity.CRITICAL, AlertCode.DAILY_LOSS_LIMIT)]
    assert "realized -600.00 USD" in result.alerts[0].message
    assert eng.check(intent(1, Side.SELL, position=1), T0).reason is ReasonCode.KILL_SWITCH


def test_daily_loss_with_kill_switch_already_active_says_so() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}, kill_on_daily_loss=True))
    eng.activate_kill_switch("carol", "manual", T0)
    result = eng.on_pnl(-1000.0, 0.0, T0)
    assert not result.kill_switch_activated and "already active" in result.alerts[0].message
    assert eng.kill_switch.who == "carol"


def test_daily_loss_kill_can_flatten() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}, kill_on_daily_loss=True, flatten_on_daily_loss=True))
    assert eng.on_pnl(-1000.0, 0.0, T0).kill_switch.flatten


def test_daily_loss_without_kill_only_pauses_entries_and_alerts_once() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}))
    first = eng.on_pnl(-1000.0, 0.0, T0)
    assert not first.kill_switch_activated and not eng.kill_switch.active
    assert [a.code for a in first.alerts] == [AlertCode.DAILY_LOSS_LIMIT]
    assert eng.on_pnl(-1200.0, 0.0, T0 + timedelta(minutes=1)).alerts == ()
    recovered = T0 + timedelta(minutes=2)
    eng.on_pnl(-100.0, 0.0, recovered)
    assert eng.check(intent(1), recovered).reason is ReasonCode.DAILY_LOSS  # paused until the next day


def test_daily_loss_warning_fires_once_at_the_configured_fraction() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000, "daily_loss_warning_fraction": 0.8}))
    assert eng.on_pnl(-799.0, 0.0, T0).alerts == ()
    assert [a.code for a in eng.on_pnl(-800.0, 0.0, T0).alerts] == [AlertCode.DAILY_LOSS_WARNING]
    assert eng.on_pnl(-850.0, 0.0, T0).alerts == ()


def test_daily_loss_pause_lifts_between_1659_and_1701_chicago() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}))
    eng.on_pnl(-1000.0, 0.0, T0)
    eng.on_order_sent("NQ", T0)
    before = datetime(2025, 3, 10, 16, 59, tzinfo=CHI)
    after = datetime(2025, 3, 10, 17, 1, tzinfo=CHI)
    _fresh(eng, before)
    assert eng.tick(before) == []
    assert eng.check(intent(1), before).reason is ReasonCode.DAILY_LOSS
    _fresh(eng, after)
    alerts = eng.tick(after)
    assert AlertCode.TRADING_DAY_STARTED in [a.code for a in alerts]
    assert eng.check(intent(1), after).action is Action.ACCEPT
    usage = eng.snapshot(after)["usage"]
    assert usage["daily_trades"]["used"] == 0 and usage["daily_pnl_usd"]["total"] == 0.0


def test_daily_loss_pause_ends_at_17_chicago_daylight_time_across_spring_forward() -> None:
    breach = datetime(2025, 3, 8, 18, 0, tzinfo=CHI)  # Saturday, CST (UTC-6)
    eng = engine(config(limits={"max_daily_loss_usd": 1000}), now=breach)
    eng.on_pnl(-1500.0, 0.0, breach)
    pause = eng.snapshot(breach)["pauses"][0]
    assert pause["code"] == "DAILY_LOSS"
    assert datetime.fromisoformat(pause["until"]) == datetime(2025, 3, 9, 22, 0, tzinfo=UTC)  # 17:00 CDT
    just_before = datetime(2025, 3, 9, 21, 59, tzinfo=UTC)
    _fresh(eng, just_before)
    eng.tick(just_before)
    assert eng.check(intent(1), just_before).reason is ReasonCode.DAILY_LOSS
    at_boundary = datetime(2025, 3, 9, 22, 0, tzinfo=UTC)
    _fresh(eng, at_boundary)
    eng.tick(at_boundary)
    assert eng.check(intent(1), at_boundary).action is Action.ACCEPT


def test_trading_day_boundary_moves_to_2300_utc_after_fall_back() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}))
    breach = datetime(2025, 11, 2, 1, 30, tzinfo=CHI)  # during the repeated hour
    eng.on_pnl(-1500.0, 0.0, breach)
    until = datetime.fromisoformat(eng.snapshot(breach)["pauses"][0]["until"])
    assert until == datetime(2025, 11, 2, 23, 0, tzinfo=UTC)  # 17:00 CST


def test_kill_switch_from_daily_loss_outlives_the_trading_day() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000}, kill_on_daily_loss=True))
    eng.on_pnl(-1000.0, 0.0, T0)
    next_day = T0 + timedelta(days=1)
    _fresh(eng, next_day)
    eng.tick(next_day)
    assert eng.check(intent(1), next_day).reason is ReasonCode.KILL_SWITCH


def test_losing_streak_pause_runs_its_time_across_the_boundary_while_the_count_resets() -> None:
    eng = _streak(limit=3, pause=7200)
    before = datetime(2025, 3, 10, 16, 30, tzinfo=CHI)
    eng.on_round_trip(-1.0, before)
    eng.on_round_trip(-1.0, before)
    eng.on_round_trip(-1.0, before)  # paused until 18:30
    after = datetime(2025, 3, 10, 17, 30, tzinfo=CHI)
    _fresh(eng, after)
    eng.tick(after)
    assert eng.check(intent(1), after).reason is ReasonCode.CIRCUIT_BREAKER


def test_losing_streak_counter_resets_at_the_trading_day_boundary() -> None:
    eng = _streak(limit=3)
    eng.on_round_trip(-1.0, datetime(2025, 3, 10, 16, 0, tzinfo=CHI))
    eng.on_round_trip(-1.0, datetime(2025, 3, 10, 16, 30, tzinfo=CHI))
    after = datetime(2025, 3, 10, 17, 30, tzinfo=CHI)
    codes = [a.code for a in eng.on_round_trip(-1.0, after)]
    assert codes == [AlertCode.TRADING_DAY_STARTED]  # a new day, and only one loss in it
    _fresh(eng, after)
    assert eng.check(intent(1), after).action is Action.ACCEPT
