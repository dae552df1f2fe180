"""REDUCING and HALTED through the engine: what passes, what is cut, where it may go.

Choice under test: a reversal that crosses flat is not reducing; under REDUCING only its closing part is sent.
"""

from __future__ import annotations

import pytest

from nexus_gw.domain.risk import Action, ReasonCode, RiskEngine, Scope, Side, TradingState
from tests.unit.domain.risk.helpers import T0, engine, intent

R, H, A = TradingState.REDUCING, TradingState.HALTED, TradingState.ACTIVE


def _with(scope: Scope, value: str | None, state: TradingState) -> RiskEngine:
    eng = engine()
    eng.set_state(scope, value, state, "ops", "test", T0)
    return eng


@pytest.mark.parametrize(
    ("order", "action", "qty", "reason"),
    [
        (intent(1, Side.SELL, position=3), Action.ACCEPT, 1, None),
        (intent(3, Side.SELL, position=3), Action.ACCEPT, 3, None),
        (intent(1, Side.BUY, position=-2), Action.ACCEPT, 1, None),
        (intent(1, Side.BUY, position=0), Action.REJECT, 0, ReasonCode.REDUCE_ONLY),
        (intent(1, Side.BUY, position=3), Action.REJECT, 0, ReasonCode.REDUCE_ONLY),
        (intent(5, Side.SELL, position=2), Action.SCALE, 2, ReasonCode.REDUCE_ONLY),
        (intent(4, Side.BUY, position=-1), Action.SCALE, 1, ReasonCode.REDUCE_ONLY),
    ],
    ids=["partial_exit", "exit_to_flat", "short_cover", "entry", "add", "reversal_long", "reversal_short"],
)
def test_global_reducing_passes_exits_cuts_reversals_and_rejects_entries(
    order, action: Action, qty: int, reason: ReasonCode | None
) -> None:
    decision = _with(Scope.GLOBAL, None, R).check(order, T0)
    assert (decision.action, decision.qty, decision.reason) == (action, qty, reason)


def test_reducing_message_names_the_scope_who_and_what_to_do() -> None:
    decision = _with(Scope.SYMBOL, "NQ", R).check(intent(1), T0)
    assert "symbol NQ is REDUCING" in decision.message and "ops" in decision.message
    assert "set the state back to ACTIVE" in decision.message


@pytest.mark.parametrize("order", [intent(1), intent(1, Side.SELL, position=1), intent(3, Side.SELL, position=1)])
def test_global_halted_rejects_exits_too(order) -> None:
    decision = _with(Scope.GLOBAL, None, H).check(order, T0)
    assert decision.action is Action.REJECT and decision.reason is ReasonCode.TRADING_HALTED


def test_halted_platform_is_dropped_from_the_route_and_the_rest_trade() -> None:
    decision = _with(Scope.PLATFORM, "sim_b", H).check(intent(2), T0)
    assert decision.action is Action.ACCEPT and decision.qty == 2
    assert decision.platforms == ("sim_a",)
    assert decision.adjustments[0].reason is ReasonCode.TRADING_HALTED
    assert "sim_b" in decision.message


def test_every_platform_halted_rejects_with_trading_halted() -> None:
    eng = engine()
    for platform in ("sim_a", "sim_b"):
        eng.set_state(Scope.PLATFORM, platform, H, "ops", "maintenance", T0)
    decision = eng.check(intent(1, Side.SELL, position=1), T0)
    assert decision.reason is ReasonCode.TRADING_HALTED


def test_reducing_platform_gets_no_entry_while_active_platform_does() -> None:
    decision = _with(Scope.PLATFORM, "sim_b", R).check(intent(1), T0)
    assert decision.action is Action.ACCEPT and decision.platforms == ("sim_a",)
    assert decision.adjustments[0].reason is ReasonCode.REDUCE_ONLY


def test_reducing_platform_still_gets_exits() -> None:
    decision = _with(Scope.PLATFORM, "sim_b", R).check(intent(1, Side.SELL, position=1), T0)
    assert decision.platforms == ("sim_a", "sim_b") and decision.adjustments == ()


def test_symbol_state_overrides_an_active_platform_and_leaves_other_roots_alone() -> None:
    eng = _with(Scope.SYMBOL, "NQ", H)
    eng.set_state(Scope.PLATFORM, "sim_a", A, "ops", "fine", T0)
    assert eng.check(intent(1, root="NQ"), T0).reason is ReasonCode.TRADING_HALTED
    assert eng.check(intent(1, root="ES"), T0).action is Action.ACCEPT


def test_setting_active_again_lifts_the_restriction() -> None:
    eng = _with(Scope.GLOBAL, None, H)
    eng.set_state(Scope.GLOBAL, None, A, "ops", "resume", T0)
    assert eng.check(intent(1), T0).action is Action.ACCEPT
