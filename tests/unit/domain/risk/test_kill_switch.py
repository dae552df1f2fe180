"""The kill switch: blocks every new order, survives a restart, and only an explicit release lifts it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nexus_gw.domain.risk import Action, Origin, ReasonCode, RiskEngine, Scope, Side, TradingState
from tests.unit.domain.risk.helpers import T0, config, engine, intent

ORDERS = {
    "entry": intent(1),
    "add": intent(1, position=1),
    "exit": intent(1, Side.SELL, position=1),
    "reversal": intent(3, Side.SELL, position=1),
    "flatten_origin_without_flatten_switch": intent(1, Side.SELL, position=1, origin=Origin.FLATTEN),
    "low_risk_high_confidence": intent(1, confidence=1.0),
}


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_active_kill_switch_rejects_every_new_order(name: str) -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "runaway signals", T0)
    decision = eng.check(ORDERS[name], T0)
    assert decision.action is Action.REJECT
    assert decision.reason is ReasonCode.KILL_SWITCH
    assert decision.qty == 0 and decision.platforms == ()


def test_kill_switch_message_names_who_why_and_how_to_release() -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "runaway signals", T0)
    message = eng.check(intent(1), T0).message
    assert "carol" in message and "runaway signals" in message
    assert "nexusgw killswitch release" in message


def test_kill_switch_survives_export_and_restore_into_a_new_engine() -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "runaway", T0, flatten=True)
    restarted = engine()
    restarted.restore_state(eng.export_state())
    assert restarted.kill_switch.active and restarted.kill_switch.flatten
    assert restarted.check(intent(1), T0).reason is ReasonCode.KILL_SWITCH


def test_only_release_lifts_the_kill_switch_not_time_states_or_a_new_day() -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "runaway", T0)
    later = T0 + timedelta(days=3)
    eng.tick(later)
    eng.on_market_data("NQ", later)
    eng.on_engine_seen(later)
    eng.set_state(Scope.GLOBAL, None, TradingState.ACTIVE, "ops", "all clear", later)
    eng.on_pnl(0.0, 0.0, later)
    assert eng.check(intent(1), later).reason is ReasonCode.KILL_SWITCH
    eng.release_kill_switch("dave", "incident closed", later)
    assert eng.check(intent(1), later).action is Action.ACCEPT


def test_flatten_switch_lets_gateway_flatten_orders_through_up_to_flat() -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "flatten all", T0, flatten=True)
    closing = eng.check(intent(2, Side.SELL, position=2, origin=Origin.FLATTEN), T0)
    assert closing.action is Action.ACCEPT and closing.qty == 2
    crossing = eng.check(intent(5, Side.SELL, position=2, origin=Origin.FLATTEN), T0)
    assert crossing.action is Action.SCALE and crossing.qty == 2
    assert crossing.reason is ReasonCode.KILL_SWITCH
    opening = eng.check(intent(1, Side.BUY, position=0, origin=Origin.FLATTEN), T0)
    assert opening.reason is ReasonCode.KILL_SWITCH and opening.action is Action.REJECT


def test_flatten_switch_still_rejects_the_signal_engines_own_exits() -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "flatten all", T0, flatten=True)
    assert eng.check(intent(1, Side.SELL, position=1), T0).reason is ReasonCode.KILL_SWITCH


def test_reactivating_without_flatten_keeps_an_earlier_flatten() -> None:
    eng = engine()
    eng.activate_kill_switch("carol", "flatten all", T0, flatten=True)
    ks = eng.activate_kill_switch("dave", "still bad", T0)
    assert ks.active and ks.flatten and ks.who == "dave"


def test_kill_switch_blocks_even_with_every_other_check_switched_off() -> None:
    eng = RiskEngine(config())
    eng.on_platform_status("sim_a", True, T0)
    eng.activate_kill_switch("carol", "stop", T0)
    assert eng.check(intent(1, platforms=("sim_a",)), T0).reason is ReasonCode.KILL_SWITCH


@pytest.mark.parametrize(("who", "reason"), [("", "why"), ("ops", " ")])
def test_activation_and_release_need_who_and_reason(who: str, reason: str) -> None:
    eng = engine()
    with pytest.raises(ValueError):
        eng.activate_kill_switch(who, reason, T0)
    with pytest.raises(ValueError):
        eng.release_kill_switch(who, reason, T0)
