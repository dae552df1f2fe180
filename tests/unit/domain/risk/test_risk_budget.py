"""Per-trade risk budget: loss to the stop of the opening part, in USD."""

from __future__ import annotations

import pytest

from nexus_gw.domain.risk import Action, ReasonCode, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent

# stop 5 points x point value 2 x FX 1 = 10 USD per contract; budget 100 USD -> 10 contracts
STOP = {"stop_distance": 5.0, "point_value": 2.0}


def _budget(**limits: object):
    return engine(config(limits={"risk_per_trade_usd": 100, **limits}))


@pytest.mark.parametrize(
    ("qty", "action", "allowed"), [(9, Action.ACCEPT, 9), (10, Action.ACCEPT, 10), (11, Action.SCALE, 10)]
)
def test_risk_budget_boundaries(qty: int, action: Action, allowed: int) -> None:
    decision = _budget().check(intent(qty, **STOP), T0)
    assert (decision.action, decision.qty) == (action, allowed)
    if action is Action.SCALE:
        assert decision.reason is ReasonCode.RISK_BUDGET
        assert "limits.risk_per_trade_usd = 100.00 USD" in decision.message


def test_stop_too_wide_for_one_contract_is_rejected() -> None:
    decision = _budget().check(intent(1, stop_distance=50.5, point_value=2.0), T0)
    assert decision.action is Action.REJECT and decision.reason is ReasonCode.RISK_BUDGET


def test_budget_uses_fx_for_foreign_instruments() -> None:
    # WIN: 500 points x 0.2 BRL x 0.18 USD/BRL = 18 USD per contract -> 5 contracts within 100 USD
    decision = _budget().check(intent(6, stop_distance=500.0, point_value=0.2, fx_to_usd=0.18), T0)
    assert decision.qty == 5


def test_reversal_budget_applies_to_the_opening_part_only() -> None:
    decision = _budget().check(intent(15, Side.SELL, position=3, **STOP), T0)
    assert decision.qty == 3 + 10


def test_missing_stop_passes_unless_required() -> None:
    assert _budget().check(intent(50), T0).action is Action.ACCEPT
    strict = _budget(require_stop_distance=True)
    assert strict.check(intent(1), T0).reason is ReasonCode.RISK_BUDGET
    assert strict.check(intent(1, Side.SELL, position=1), T0).action is Action.ACCEPT


def test_no_budget_configured_means_no_check() -> None:
    assert engine().check(intent(50, stop_distance=1000.0), T0).action is Action.ACCEPT
