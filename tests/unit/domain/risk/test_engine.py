"""RiskEngine: rule order, first rejection wins, scaling chain, fail-closed, snapshot and persistence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import ClassVar

import pytest

from nexus_gw.domain.risk import (
    RULE_ORDER,
    Action,
    Decision,
    OrderIntent,
    ReasonCode,
    RiskContext,
    RiskEngine,
    Scope,
    TradingState,
)
from tests.unit.domain.risk.helpers import T0, config, engine, intent

DOCUMENTED_ORDER = (
    "kill_switch",
    "trading_state",
    "throttle",
    "connectivity",
    "daily_loss",
    "circuit_breaker",
    "safe_mode",
    "stale_market_data",
    "trading_hours",
    "daily_trades",
    "market_quality",
    "confidence",
    "position_limit",
    "total_position_limit",
    "position_value",
    "risk_budget",
)


def test_rules_run_in_the_documented_order() -> None:
    assert tuple(rule.name for rule in RULE_ORDER) == DOCUMENTED_ORDER
    assert engine().rule_names == DOCUMENTED_ORDER


def test_first_rejection_wins_and_names_its_rule() -> None:
    eng = engine(config(limits={"max_daily_trades": 0}))
    eng.set_state(Scope.GLOBAL, None, TradingState.HALTED, "ops", "test", T0)
    decision = eng.check(intent(1, confidence=0.1), T0)
    assert (decision.reason, decision.rule) == (ReasonCode.TRADING_HALTED, "trading_state")
    eng.activate_kill_switch("ops", "test", T0)
    assert eng.check(intent(1, confidence=0.1), T0).rule == "kill_switch"


def test_scalings_chain_in_order_and_are_all_reported() -> None:
    eng = engine(config(limits={"max_position_per_symbol": 3, "max_position_value_usd": 2000}))
    decision = eng.check(intent(10, confidence=0.7), T0)  # 10 -> 5 (confidence) -> 3 (limit) -> 2 (value)
    assert (decision.action, decision.qty) == (Action.SCALE, 2)
    steps = [(a.reason, a.qty_before, a.qty_after) for a in decision.adjustments]
    assert steps == [
        (ReasonCode.LOW_CONFIDENCE, 10, 5),
        (ReasonCode.POSITION_LIMIT, 5, 3),
        (ReasonCode.POSITION_VALUE, 3, 2),
    ]
    assert decision.reason is ReasonCode.LOW_CONFIDENCE
    assert json.loads(json.dumps(decision.to_dict()))["adjustments"][2]["qty_after"] == 2


def test_check_changes_nothing() -> None:
    eng = engine()
    before = eng.export_state()
    for _ in range(3):
        eng.check(intent(1), T0)
    assert eng.export_state() == before
    assert eng.snapshot(T0)["usage"]["daily_trades"]["used"] == 0


class _Broken:
    name: ClassVar[str] = "broken"

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        raise ZeroDivisionError("boom")


def test_a_failing_rule_rejects_the_order() -> None:
    eng = engine()
    eng._rules = (*eng._rules[:3], _Broken(), *eng._rules[3:])
    decision = eng.check(intent(1), T0)
    assert (decision.action, decision.reason, decision.rule) == (Action.REJECT, ReasonCode.RISK_ERROR, "broken")
    assert "ZeroDivisionError: boom" in decision.message


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        engine().check(intent(1), datetime(2025, 3, 10, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        engine().tick(datetime(2025, 3, 10, 10, 0))


def test_snapshot_shows_limits_usage_pauses_and_their_end_as_plain_data() -> None:
    eng = engine(
        config(
            limits={"max_daily_trades": 5, "max_daily_loss_usd": 1000, "max_position_per_symbol": 3},
            circuit_breakers={"max_consecutive_losses": 1, "pause_seconds": 600},
        )
    )
    eng.on_order_sent("NQ", T0)
    eng.on_position("NQ", 2, T0)
    eng.on_pnl(-100.0, -50.0, T0)
    eng.on_round_trip(-100.0, T0)
    snap = eng.snapshot(T0 + timedelta(seconds=1))
    json.dumps(snap)
    assert snap["usage"]["daily_trades"] == {"used": 1, "limit": 5}
    assert snap["usage"]["daily_pnl_usd"] == {"realized": -100.0, "unrealized": -50.0, "total": -150.0, "limit": -1000}
    assert snap["usage"]["positions"] == {"NQ": {"used": 2, "limit": 3}}
    assert snap["pauses"][0]["code"] == "CIRCUIT_BREAKER"
    assert snap["pauses"][0]["until"] == (T0 + timedelta(seconds=600)).isoformat()
    assert snap["kill_switch"]["active"] is False
    assert snap["trading_day"] == "2025-03-10" and snap["rules"][0] == "kill_switch"
    assert snap["next_trading_day_start"] == "2025-03-10T17:00:00-05:00"  # 17:00 Chicago daylight time


def test_snapshot_before_any_event_reports_the_configuration() -> None:
    snap = RiskEngine(config()).snapshot()
    json.dumps(snap)
    assert snap["as_of"] is None and snap["usage"]["daily_trades"]["used"] == 0


def test_export_and_restore_keep_pauses_counters_and_states() -> None:
    eng = engine(config(limits={"max_daily_loss_usd": 1000, "max_daily_trades": 2}))
    eng.on_order_sent("NQ", T0)
    eng.on_order_sent("NQ", T0)
    eng.on_pnl(-1000.0, 0.0, T0)
    eng.set_state(Scope.SYMBOL, "ES", TradingState.REDUCING, "ops", "news", T0)
    data = json.loads(json.dumps(eng.export_state()))
    restarted = engine(config(limits={"max_daily_loss_usd": 1000, "max_daily_trades": 2}))
    restarted.restore_state(data)
    assert restarted.export_state() == eng.export_state()
    assert restarted.check(intent(1), T0).reason is ReasonCode.DAILY_LOSS
    assert restarted.check(intent(1, root="ES"), T0).reason is ReasonCode.REDUCE_ONLY


def test_restore_refuses_an_unknown_state_version() -> None:
    with pytest.raises(ValueError, match="version"):
        RiskEngine(config()).restore_state({"version": 99})


def test_tick_returns_alerts_raised_by_bookkeeping_calls_once() -> None:
    eng = engine()
    next_day = T0 + timedelta(days=1)
    eng.on_order_sent("NQ", next_day)  # starts a new trading day
    codes = [a.code.value for a in eng.tick(next_day)]
    assert codes == ["TRADING_DAY_STARTED"]
    assert eng.tick(next_day) == []
