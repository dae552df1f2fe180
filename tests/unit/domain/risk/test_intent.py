"""OrderIntent: validation and the split into a closing and an opening part."""

from __future__ import annotations

import pytest

from nexus_gw.domain.risk import OrderIntent, Side
from tests.unit.domain.risk.helpers import intent


@pytest.mark.parametrize(
    ("position", "side", "qty", "closing", "opening", "reducing"),
    [
        (0, Side.BUY, 2, 0, 2, False),  # entry from flat
        (2, Side.BUY, 1, 0, 1, False),  # adding to a long
        (2, Side.SELL, 1, 1, 0, True),  # partial exit
        (2, Side.SELL, 2, 2, 0, True),  # exit to flat
        (2, Side.SELL, 5, 2, 3, False),  # reversal through flat
        (-3, Side.BUY, 1, 1, 0, True),  # short cover
        (-3, Side.SELL, 1, 0, 1, False),  # adding to a short
    ],
)
def test_order_splits_into_closing_and_opening_contracts(
    position: int, side: Side, qty: int, closing: int, opening: int, reducing: bool
) -> None:
    order = intent(qty, side, position=position)
    assert (order.closing_qty, order.opening_qty, order.is_reducing) == (closing, opening, reducing)
    assert order.position_after == position + int(side) * qty


@pytest.mark.parametrize(
    "kwargs",
    [
        {"qty": 0},
        {"qty": -1},
        {"qty": 1.5},
        {"qty": True},
        {"side": 0},
        {"platforms": ()},
        {"root": ""},
        {"confidence": 1.2},
        {"mq_noise": -0.1},
        {"reference_price": 0.0},
        {"fx_to_usd": float("nan")},
        {"position": 1.5},
    ],
)
def test_malformed_intent_is_refused_at_construction(kwargs: dict) -> None:
    base = {"root": "NQ", "side": Side.BUY, "qty": 1, "platforms": ("sim_a",)}
    base.update(kwargs)
    with pytest.raises(ValueError):
        OrderIntent(**base)


def test_integer_side_is_normalised_to_side_enum() -> None:
    order = OrderIntent(root="NQ", side=-1, qty=1, platforms=("sim_a",))  # type: ignore[arg-type]
    assert order.side is Side.SELL
    assert order.describe() == "SELL 1 NQ (position +0)"


def test_contract_value_needs_price_point_value_and_fx() -> None:
    assert intent(reference_price=130_000.0, point_value=0.2, fx_to_usd=0.18).contract_value_usd == pytest.approx(
        4680.0
    )
    assert intent(fx_to_usd=None).contract_value_usd is None
