from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_gw.domain.sizing import (
    SignalMode,
    order_qty,
    platform_qty,
    size_for_platform,
    target_delta,
    target_position,
    trades_for_signal,
)
from nexus_gw.protocol.constants import Side

BUY, SELL = Side.BUY, Side.SELL


@pytest.mark.parametrize(
    ("signal", "qty", "expected"),
    [(1.0, 2.0, [(BUY, 2.0)]), (0.3, 1.0, [(BUY, 1.0)]), (-0.7, 3.0, [(SELL, 3.0)]), (0.0, 2.0, []), (1.0, 0.0, [])],
)
def test_order_signal_trades_its_qty_in_the_direction_of_its_sign(
    signal: float, qty: float, expected: list[tuple[Side, float]]
) -> None:
    assert order_qty(signal, qty) == expected


@pytest.mark.parametrize(("signal", "qty"), [(math.nan, 1.0), (1.0, -1.0), (1.0, math.inf)])
def test_order_signal_with_impossible_values_is_refused(signal: float, qty: float) -> None:
    with pytest.raises(ValueError, match="give a finite"):
        order_qty(signal, qty)


@pytest.mark.parametrize(("signal", "expected"), [(0.8, 2.0), (-0.1, -2.0), (0.0, 0.0)])
def test_target_signal_names_signed_position(signal: float, expected: float) -> None:
    assert target_position(signal, 2.0) == expected


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        (0, 2, [(BUY, 2)]),
        (2, 5, [(BUY, 3)]),
        (5, 2, [(SELL, 3)]),
        (2, 0, [(SELL, 2)]),
        (-2, 0, [(BUY, 2)]),
        (0, -1, [(SELL, 1)]),
        (-3, -1, [(BUY, 2)]),
        (2, 2, []),
        (2, -3, [(SELL, 2), (SELL, 3)]),
        (-1, 4, [(BUY, 1), (BUY, 4)]),
    ],
)
def test_target_delta_trades_the_difference_and_reverses_through_flat(
    current: float, target: float, expected: list[tuple[Side, float]]
) -> None:
    assert target_delta(current, target) == expected


@given(st.integers(-40, 40), st.integers(-40, 40))
def test_target_delta_reaches_target_and_first_order_of_a_reversal_ends_flat(current: int, target: int) -> None:
    trades = target_delta(current / 4, target / 4)
    position = current / 4
    stops = []
    for side, qty in trades:
        assert qty > 0
        position += qty if side is BUY else -qty
        stops.append(position)
    assert position == target / 4
    assert len(trades) <= 2
    if len(trades) == 2:
        assert stops[0] == 0 and current * target < 0


def test_target_mode_uses_current_position_and_order_mode_ignores_it() -> None:
    assert trades_for_signal(SignalMode.TARGET, -1.0, 2.0, current_position=1.0) == [(SELL, 1.0), (SELL, 2.0)]
    assert trades_for_signal(SignalMode.TARGET, 1.0, 2.0, current_position=2.0) == []
    assert trades_for_signal(SignalMode.ORDER, 1.0, 2.0, current_position=2.0) == [(BUY, 2.0)]


@pytest.mark.parametrize(
    ("qty", "multiplier", "step", "low", "high", "expected"),
    [
        (1, 20, 0.01, 0.01, 100, 20.0),  # NQ contract -> NAS100 lots
        (3, 0.1, 0.1, 0.1, 10, 0.3),  # decimal arithmetic: 0.3, not 0.30000000000000004
        (1.26, 1, 0.1, 0.1, 10, 1.3),
        (1.25, 1, 0.1, 0.1, 10, 1.2),  # exactly halfway rounds down: never more exposure
        (7, 1, 2, 2, 100, 6.0),
        (3, 1, 1, 1, 2, 2.0),  # cut to the maximum
        (5, 1, 1, 0, 2.5, 2.0),  # maximum not a step multiple: largest step below it
    ],
)
def test_platform_qty_is_multiplied_rounded_to_step_and_kept_within_limits(
    qty: float, multiplier: float, step: float, low: float, high: float, expected: float
) -> None:
    assert platform_qty(qty, multiplier, step, low, high) == expected


@pytest.mark.parametrize(
    ("qty", "multiplier", "step", "low", "high", "why"),
    [
        (1, 0.5, 1, 1, 10, "rounds to 0"),
        (0.3, 1, 0.1, 0.5, 10, "below the platform's minimum"),
        (0, 20, 0.01, 0.01, 100, "rounds to 0"),
        (5, 1, 1, 1.5, 1.8, "no multiple of volume step"),
    ],
)
def test_platform_gets_no_leg_when_its_volume_cannot_express_the_qty(
    qty: float, multiplier: float, step: float, low: float, high: float, why: str
) -> None:
    size = size_for_platform(qty, multiplier, step, low, high)
    assert size.qty == 0 and not size.gets_leg
    assert why in size.reason


def test_rounding_and_cap_are_explained() -> None:
    assert "rounded to 1.3" in size_for_platform(1.26, 1, 0.1, 0.1, 10).reason
    assert "maximum volume 2" in size_for_platform(3, 1, 1, 1, 2).reason
    assert size_for_platform(2, 1, 1, 1, 10).reason == ""


@pytest.mark.parametrize(
    ("args", "what"),
    [
        ((1, 0, 1, 1, 10), "multiplier"),
        ((1, 1, 0, 1, 10), "volume_step"),
        ((1, 1, 1, 5, 2), "min_volume <= max_volume"),
        ((1, 1, 1, -1, 2), "min_volume <= max_volume"),
        ((-1, 1, 1, 1, 2), "order qty"),
    ],
)
def test_platform_qty_refuses_settings_that_are_not_a_volume_rule(args: tuple[float, ...], what: str) -> None:
    with pytest.raises(ValueError, match=what):
        platform_qty(*args)
