"""The domain's words: one Side, OrderType and OrderStatus, reused by the protocol and the risk engine."""

from __future__ import annotations

import msgspec
import pytest

from nexus_gw.domain import risk
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.types import TERMINAL_STATUSES, OrderStatus, OrderType, Side
from nexus_gw.protocol import constants


def test_protocol_and_risk_reuse_the_domain_enums() -> None:
    assert constants.Side is Side
    assert constants.OrderType is OrderType
    assert constants.OrderStatus is OrderStatus
    assert constants.TERMINAL_STATUSES is TERMINAL_STATUSES
    assert risk.Side is Side
    assert {"Side", "OrderType", "OrderStatus", "TERMINAL_STATUSES"} <= set(constants.__all__)


def test_side_travels_as_its_name_on_the_wire() -> None:
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(Side.SELL)) == "SELL"
    assert msgspec.msgpack.decode(msgspec.msgpack.encode({"side": Side.BUY}), type=dict[str, Side]) == {
        "side": Side.BUY
    }


def test_side_sign_is_plus_one_for_buy_and_minus_one_for_sell() -> None:
    assert (Side.BUY.sign, Side.SELL.sign) == (1, -1)
    assert (int(Side.BUY), int(Side.SELL)) == (1, -1)


@pytest.mark.parametrize(
    ("value", "side"),
    [(Side.BUY, Side.BUY), ("SELL", Side.SELL), (1, Side.BUY), (-1, Side.SELL)],
)
def test_side_coerce_accepts_the_side_its_name_or_its_sign(value: object, side: Side) -> None:
    assert Side.coerce(value) is side


@pytest.mark.parametrize("value", [0, 2, True, "buy", "", None, 1.0])
def test_side_coerce_refuses_anything_else_and_names_it(value: object) -> None:
    with pytest.raises(ValueError, match="side must be BUY or SELL") as err:
        Side.coerce(value)
    assert repr(value) in str(err.value)


def test_risk_intent_takes_the_domain_side_and_keeps_its_arithmetic() -> None:
    order = OrderIntent(root="NQ", side=Side.SELL, qty=3, platforms=("sim_a",), position=1)
    assert order.side is Side.SELL
    assert (order.position_after, order.closing_qty, order.opening_qty) == (-2, 1, 2)
    assert order.describe() == "SELL 3 NQ (position +1)"
