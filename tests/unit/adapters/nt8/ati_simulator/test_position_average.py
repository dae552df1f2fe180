from __future__ import annotations

import pytest

from nexus_gw.adapters.nt8.ati_simulator.simulator import position_average


@pytest.mark.parametrize(
    ("held", "avg", "signed", "price", "expected"),
    [
        (0, 0.0, 2, 100.0, 100.0),  # opened
        (2, 100.0, 2, 110.0, 105.0),  # added to: weighted
        (-2, 100.0, -2, 90.0, 95.0),  # a short added to
        (3, 100.0, -1, 120.0, 100.0),  # reduced: unchanged
        (-3, 100.0, 1, 80.0, 100.0),  # a short reduced
        (-1, 100.0, 1, 80.0, 0.0),  # a short closed: flat (it divided by zero before)
        (1, 100.0, -1, 80.0, 0.0),  # closed
        (1, 100.0, -3, 80.0, 80.0),  # reversed: the fill's price
    ],
)
def test_the_position_average_after_a_fill(held: int, avg: float, signed: int, price: float, expected: float) -> None:
    assert position_average(held, avg, signed, price) == pytest.approx(expected)
