"""Confidence filter and MQScore gate: exact thresholds, rounding down, exits untouched."""

from __future__ import annotations

import pytest

from nexus_gw.domain.risk import Action, ReasonCode, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent


@pytest.mark.parametrize(
    ("confidence", "action", "qty"),
    [
        (0.649, Action.REJECT, 0),
        (0.65, Action.SCALE, 2),
        (0.749, Action.SCALE, 2),
        (0.75, Action.ACCEPT, 4),
        (1.0, Action.ACCEPT, 4),
    ],
)
def test_confidence_skips_below_065_halves_below_075_and_passes_from_075(
    confidence: float, action: Action, qty: int
) -> None:
    decision = engine().check(intent(4, confidence=confidence), T0)
    assert (decision.action, decision.qty) == (action, qty)
    if action is not Action.ACCEPT:
        assert decision.reason is ReasonCode.LOW_CONFIDENCE


def test_halving_rounds_down_to_whole_contracts() -> None:
    decision = engine().check(intent(3, confidence=0.7), T0)
    assert decision.qty == 1 and "cut from 3 to 1" in decision.message


def test_halving_one_contract_rounds_to_zero_and_is_rejected_with_the_reason() -> None:
    decision = engine().check(intent(1, confidence=0.7), T0)
    assert decision.action is Action.REJECT and decision.reason is ReasonCode.LOW_CONFIDENCE
    assert "rounds down to 0 contracts" in decision.message


def test_skip_message_gives_value_and_threshold() -> None:
    message = engine().check(intent(1, confidence=0.649), T0).message
    assert "0.649" in message and "confidence.skip_below = 0.65" in message


def test_signal_without_confidence_opens_nothing() -> None:
    assert engine().check(intent(1, confidence=None), T0).reason is ReasonCode.LOW_CONFIDENCE


def test_low_confidence_exit_passes_whole() -> None:
    decision = engine().check(intent(2, Side.SELL, position=2, confidence=0.1), T0)
    assert decision.action is Action.ACCEPT and decision.qty == 2


def test_low_confidence_reversal_keeps_only_its_closing_part() -> None:
    decision = engine().check(intent(5, Side.SELL, position=2, confidence=0.5), T0)
    assert (decision.action, decision.qty, decision.reason) == (Action.SCALE, 2, ReasonCode.LOW_CONFIDENCE)


def test_medium_confidence_reversal_halves_only_the_opening_part() -> None:
    decision = engine().check(intent(5, Side.SELL, position=2, confidence=0.7), T0)
    assert decision.qty == 2 + 1  # closes 2, opens floor(3 * 0.5)


def test_configured_thresholds_and_factor_are_used() -> None:
    cfg = config(confidence={"skip_below": 0.5, "reduce_below": 0.9, "reduced_size_factor": 0.25})
    assert engine(cfg).check(intent(8, confidence=0.6), T0).qty == 2
    assert engine(cfg).check(intent(8, confidence=0.49), T0).action is Action.REJECT


@pytest.mark.parametrize(
    ("composite", "noise", "passes"),
    [
        (0.49, 0.1, False),
        (0.5, 0.1, True),
        (0.51, 0.1, True),
        (0.9, 0.69, True),
        (0.9, 0.7, True),
        (0.9, 0.71, False),
    ],
)
def test_mqscore_gate_needs_composite_at_least_05_and_noise_at_most_07(
    composite: float, noise: float, passes: bool
) -> None:
    decision = engine().check(intent(1, mq_composite=composite, mq_noise=noise), T0)
    assert decision.accepted is passes
    if not passes:
        assert decision.reason is ReasonCode.MARKET_QUALITY


def test_signal_without_mqscore_passes_unless_required() -> None:
    assert engine().check(intent(1), T0).accepted
    strict = engine(config(market_quality={"require_mqscore": True}))
    assert strict.check(intent(1), T0).reason is ReasonCode.MARKET_QUALITY
    assert strict.check(intent(1, mq_composite=0.8), T0).reason is ReasonCode.MARKET_QUALITY
    assert strict.check(intent(1, mq_composite=0.8, mq_noise=0.2), T0).accepted


def test_poor_market_does_not_block_an_exit() -> None:
    decision = engine().check(intent(1, Side.SELL, position=1, mq_composite=0.1, mq_noise=0.99), T0)
    assert decision.action is Action.ACCEPT
