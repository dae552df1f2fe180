"""Stale market data and signal-engine silence (safe mode)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nexus_gw.domain.risk import Action, AlertCode, ReasonCode, RiskEngine, Severity, Side
from tests.unit.domain.risk.helpers import PLATFORMS, T0, config, engine, intent

S = timedelta(seconds=1)
US = timedelta(microseconds=1)


@pytest.mark.parametrize(("age", "passes"), [(10 * S - US, True), (10 * S, True), (10 * S + US, False)])
def test_market_data_older_than_the_limit_blocks_entries(age: timedelta, passes: bool) -> None:
    eng = engine(config(liveness={"stale_market_data_seconds": 10}))
    decision = eng.check(intent(1), T0 + age)
    assert decision.accepted is passes
    if not passes:
        assert decision.reason is ReasonCode.STALE_MARKET_DATA and "10.0 s old" in decision.message


def test_root_without_any_market_data_is_stale_but_its_exit_passes() -> None:
    eng = engine(config(liveness={"stale_market_data_seconds": 10}), roots=())
    assert "no market data for NQ" in eng.check(intent(1), T0).message
    assert eng.check(intent(1, Side.SELL, position=1), T0).action is Action.ACCEPT


def test_stale_check_off_when_null() -> None:
    eng = engine(config(liveness={"stale_market_data_seconds": None}), roots=())
    assert eng.check(intent(1), T0 + timedelta(hours=1)).action is Action.ACCEPT


def _safe(seconds: float | None = 30) -> RiskEngine:
    return engine(config(liveness={"safe_mode_after_seconds": seconds}))


@pytest.mark.parametrize(("silence", "passes"), [(30 * S, True), (30 * S + US, False)])
def test_signal_engine_silence_past_the_limit_means_safe_mode(silence: timedelta, passes: bool) -> None:
    decision = _safe().check(intent(1), T0 + silence)
    assert decision.accepted is passes
    if not passes:
        assert decision.reason is ReasonCode.SAFE_MODE


def test_never_seen_signal_engine_means_safe_mode_for_entries_only() -> None:
    eng = RiskEngine(config(liveness={"safe_mode_after_seconds": 30}))
    for platform in PLATFORMS:
        eng.on_platform_status(platform, True, T0)
    assert eng.check(intent(1), T0).reason is ReasonCode.SAFE_MODE
    assert eng.check(intent(1, Side.SELL, position=1), T0).action is Action.ACCEPT


def test_tick_warns_once_on_entering_safe_mode_and_engine_message_ends_it() -> None:
    eng = _safe()
    late = T0 + 31 * S
    alerts = eng.tick(late)
    assert [(a.severity, a.code) for a in alerts] == [(Severity.WARNING, AlertCode.SAFE_MODE_ENTERED)]
    assert eng.tick(late + S) == []
    assert eng.snapshot(late)["safe_mode"] is True
    assert [a.code for a in eng.on_engine_seen(late + 2 * S)] == [AlertCode.SAFE_MODE_LEFT]
    assert eng.check(intent(1), late + 2 * S).action is Action.ACCEPT


def test_safe_mode_off_when_null() -> None:
    eng = _safe(None)
    assert eng.check(intent(1), T0 + timedelta(hours=1)).action is Action.ACCEPT
    assert eng.tick(T0 + timedelta(hours=1)) == []
