"""Per-root, total and value limits: at, just under and just over; cut to fit; exits always fit."""

from __future__ import annotations

import pytest

from nexus_gw.domain.risk import Action, ReasonCode, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent


def _limits(**limits: object):
    return engine(config(limits=limits))


@pytest.mark.parametrize(
    ("position", "side", "qty", "action", "allowed"),
    [
        (3, Side.BUY, 1, Action.ACCEPT, 1),  # under: 4 of 5
        (4, Side.BUY, 1, Action.ACCEPT, 1),  # at: 5 of 5
        (4, Side.BUY, 2, Action.SCALE, 1),  # over by one: cut to fit
        (5, Side.BUY, 1, Action.REJECT, 0),  # already at the limit
        (-4, Side.SELL, 1, Action.ACCEPT, 1),  # short side at
        (-5, Side.SELL, 1, Action.REJECT, 0),  # short side over
        (2, Side.SELL, 10, Action.SCALE, 7),  # reversal ends at -5
        (7, Side.SELL, 1, Action.ACCEPT, 1),  # limit lowered below position: exits still fit
    ],
)
def test_position_limit_per_symbol_boundaries(
    position: int, side: Side, qty: int, action: Action, allowed: int
) -> None:
    decision = _limits(max_position_per_symbol=5, max_total_positions=100).check(
        intent(qty, side, position=position), T0
    )
    assert (decision.action, decision.qty) == (action, allowed)
    if action is not Action.ACCEPT:
        assert decision.reason is ReasonCode.POSITION_LIMIT


def test_position_limit_message_names_the_key_values_and_fix() -> None:
    message = _limits(max_position_per_symbol=5).check(intent(1, position=5), T0).message
    assert "would make +6" in message and "limits.max_position_per_symbol = 5" in message
    assert "raise limits.max_position_per_symbol" in message


def test_per_symbol_override_applies_to_its_root_only() -> None:
    eng = _limits(max_position_per_symbol=1, per_symbol={"MNQ": 3}, max_total_positions=10)
    assert eng.check(intent(3, root="MNQ"), T0).action is Action.ACCEPT
    decision = eng.check(intent(2, root="NQ"), T0)
    assert decision.qty == 1 and decision.reason is ReasonCode.POSITION_LIMIT
    assert "limits.per_symbol.MNQ = 3" in eng.check(intent(4, root="MNQ"), T0).message


@pytest.mark.parametrize(
    ("position", "qty", "action", "allowed"),
    [(0, 1, Action.ACCEPT, 1), (1, 1, Action.ACCEPT, 1), (1, 2, Action.SCALE, 1), (2, 1, Action.REJECT, 0)],
    ids=["under", "at", "over_cut", "full"],
)
def test_total_position_limit_counts_other_roots(position: int, qty: int, action: Action, allowed: int) -> None:
    eng = _limits(max_position_per_symbol=5, max_total_positions=5)
    eng.on_position("ES", -2, T0)
    eng.on_position("YM", 1, T0)
    eng.on_position("NQ", 99, T0)  # the order's own root is taken from the intent, not the book
    decision = eng.check(intent(qty, position=position, root="NQ"), T0)
    assert (decision.action, decision.qty) == (action, allowed)
    if action is not Action.ACCEPT:
        assert decision.reason is ReasonCode.TOTAL_POSITION_LIMIT


def test_total_limit_always_lets_a_position_shrink() -> None:
    eng = _limits(max_position_per_symbol=5, max_total_positions=5)
    eng.on_position("ES", 5, T0)
    assert eng.check(intent(2, Side.SELL, position=2), T0).action is Action.ACCEPT


def test_flat_root_leaves_the_book() -> None:
    eng = _limits(max_position_per_symbol=5, max_total_positions=5)
    eng.on_position("ES", 5, T0)
    eng.on_position("ES", 0, T0)
    assert eng.check(intent(5), T0).action is Action.ACCEPT


@pytest.mark.parametrize(
    ("position", "qty", "action", "allowed"),
    [(3, 1, Action.ACCEPT, 1), (4, 1, Action.ACCEPT, 1), (4, 2, Action.SCALE, 1), (5, 1, Action.REJECT, 0)],
    ids=["under", "at", "over_cut", "full"],
)
def test_position_value_limit_boundaries(position: int, qty: int, action: Action, allowed: int) -> None:
    eng = _limits(max_position_value_usd=5000)  # 1,000 USD per contract
    decision = eng.check(intent(qty, position=position), T0)
    assert (decision.action, decision.qty) == (action, allowed)
    if action is not Action.ACCEPT:
        assert decision.reason is ReasonCode.POSITION_VALUE


def test_position_value_converts_brl_contracts_to_usd() -> None:
    eng = _limits(max_position_value_usd=10_000)
    win = {"root": "WIN", "reference_price": 130_000.0, "point_value": 0.2, "fx_to_usd": 0.18}  # 4,680 USD each
    eng.on_market_data("WIN", T0)
    assert eng.check(intent(2, **win), T0).action is Action.ACCEPT
    decision = eng.check(intent(3, **win), T0)
    assert decision.qty == 2 and "4,680.00 USD each" in decision.message


def test_entry_that_cannot_be_valued_is_refused_but_an_exit_passes() -> None:
    eng = _limits(max_position_value_usd=5000)
    assert eng.check(intent(1, fx_to_usd=None), T0).reason is ReasonCode.POSITION_VALUE
    assert eng.check(intent(1, Side.SELL, position=1, fx_to_usd=None), T0).action is Action.ACCEPT
