"""Signal intake policy (domain/intake.py): order vs target mode, the side/qty decision, scaling."""

from __future__ import annotations

import pytest

from nexus_gw.domain import intake
from nexus_gw.domain.sizing import Side


@pytest.mark.parametrize(
    ("value", "qty", "side", "size"),
    [(1.0, 2.0, Side.BUY, 2.0), (-0.5, 3.0, Side.SELL, 3.0), (0.7, None, Side.BUY, 5.0)],
)
def test_order_mode_takes_the_side_from_the_sign_and_the_default_qty_when_none(
    value: float, qty: float | None, side: Side, size: float
) -> None:
    assert intake.check_signal(value, 0.5, qty, 5.0, intake.ORDER) == (side, size)


@pytest.mark.parametrize(
    ("value", "confidence", "qty", "mode", "message"),
    [
        (0.0, 0.5, 1.0, intake.ORDER, "signal is 0: give a direction"),
        (1.0, 1.5, 1.0, intake.ORDER, "confidence 1.5 is outside 0..1"),
        (1.0, 0.5, -2.0, intake.ORDER, "qty -2.0 must be positive"),
        (1.0, 0.5, 0.0, intake.TARGET, "qty 0.0 must be positive"),
    ],
)
def test_unusable_signals_are_refused_saying_what_to_change(
    value: float, confidence: float, qty: float, mode: str, message: str
) -> None:
    with pytest.raises(intake.SignalRefused, match=message):
        intake.check_signal(value, confidence, qty, 1.0, mode)


def test_a_zero_signal_in_target_mode_means_flat_and_is_accepted() -> None:
    assert intake.check_signal(0.0, 0.5, 2.0, 1.0, intake.TARGET) == (Side.BUY, 2.0)


def test_order_mode_is_one_part_whatever_the_position() -> None:
    plan = intake.plan(intake.ORDER, "NQ", -1.0, Side.SELL, 2.0, position=7.0)
    assert (plan.side, plan.parts, plan.qty, plan.refusal) == (Side.SELL, [2.0], 2.0, "")


def test_target_mode_trades_the_difference_and_reverses_through_flat_as_close_then_open() -> None:
    plan = intake.plan(intake.TARGET, "NQ", -1.0, Side.SELL, 2.0, position=3.0)
    assert plan.side is Side.SELL and plan.parts == [3.0, 2.0] and plan.qty == 5.0
    assert plan.decision("c-1", "NQ", -1.0) == {
        "client_id": "c-1",
        "mode": "target",
        "root": "NQ",
        "signal": -1.0,
        "target": -2.0,
        "position": 3.0,
        "orders": [["SELL", 3.0], ["SELL", 2.0]],
    }


def test_target_mode_at_the_target_is_refused_with_the_position() -> None:
    plan = intake.plan(intake.TARGET, "ES", 1.0, Side.BUY, 2.0, position=2.0)
    assert plan.refusal == "AT_TARGET: ES is already at +2"


@pytest.mark.parametrize(
    ("parts", "allowed", "scaled"),
    [
        ([3.0, 2.0], 5.0, [3.0, 2.0]),  # nothing cut
        ([3.0, 2.0], 4.0, [3.0, 1.0]),  # the opening part is cut first
        ([3.0, 2.0], 2.0, [2.0]),  # less than the close: the close only, smaller
        ([4.0], 1.5, [1.5]),
    ],
)
def test_scaling_cuts_the_opening_part_first_so_an_exit_is_never_trapped(
    parts: list[float], allowed: float, scaled: list[float]
) -> None:
    assert intake.scale(parts, allowed) == scaled
