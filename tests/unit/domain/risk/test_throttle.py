"""THROTTLE: a sliding window of one second, boundaries exact, exits included."""

from __future__ import annotations

from datetime import timedelta

from nexus_gw.domain.risk import Action, ReasonCode, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent

MS = timedelta(milliseconds=1)


def _eng(max_orders: int = 2):
    return engine(config(throttle={"max_orders_per_second": max_orders}))


def test_orders_under_the_rate_pass_and_the_next_one_inside_the_second_is_rejected() -> None:
    eng = _eng()
    eng.on_order_sent("NQ", T0)
    assert eng.check(intent(1), T0 + 500 * MS).action is Action.ACCEPT  # 1 of 2 used
    eng.on_order_sent("NQ", T0 + 500 * MS)
    decision = eng.check(intent(1), T0 + 999 * MS)  # 2 of 2 used
    assert decision.reason is ReasonCode.THROTTLE
    assert "throttle.max_orders_per_second = 2" in decision.message
    assert "Retry in 0.001 s" in decision.message


def test_an_order_exactly_one_second_old_no_longer_counts() -> None:
    eng = _eng()
    eng.on_order_sent("NQ", T0)
    eng.on_order_sent("NQ", T0 + 500 * MS)
    assert eng.check(intent(1), T0 + 1000 * MS).action is Action.ACCEPT


def test_window_slides_rather_than_resetting_on_whole_seconds() -> None:
    eng = _eng()
    eng.on_order_sent("NQ", T0 + 900 * MS)
    eng.on_order_sent("NQ", T0 + 1100 * MS)
    assert eng.check(intent(1), T0 + 1500 * MS).reason is ReasonCode.THROTTLE
    assert eng.check(intent(1), T0 + 1900 * MS).action is Action.ACCEPT


def test_throttle_applies_to_exits_and_across_roots() -> None:
    eng = _eng(1)
    eng.on_order_sent("ES", T0)
    assert eng.check(intent(1, Side.SELL, position=1, root="NQ"), T0 + MS).reason is ReasonCode.THROTTLE


def test_configured_window_length_is_used() -> None:
    eng = engine(config(throttle={"max_orders_per_second": 1, "window_seconds": 5}))
    eng.on_order_sent("NQ", T0)
    assert eng.check(intent(1), T0 + timedelta(seconds=4.999)).reason is ReasonCode.THROTTLE
    assert eng.check(intent(1), T0 + timedelta(seconds=5)).action is Action.ACCEPT
