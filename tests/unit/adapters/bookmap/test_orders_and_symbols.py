"""Bookmap's units and a leg as send_order parameters."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.bookmap.orders import order_fields
from nexus_gw.adapters.bookmap.symbols import Instrument, OrderRefused, SymbolMap, split_alias
from nexus_gw.protocol.constants import OrderType, Side
from nexus_gw.protocol.messages import Order

NQ = Instrument("NQZ6.CME@RITHMIC", "NQZ6", 0.25, 1.0, 20.0)


def order(**kw: object) -> Order:
    base: dict[str, object] = {"leg_id": "o1.bookmap", "order_id": "o1", "symbol": NQ.alias, "side": Side.BUY, "qty": 2}
    return Order(**{**base, **kw})  # type: ignore[arg-type]


def test_levels_become_real_prices_and_sizes() -> None:
    assert NQ.price(84001) == 21000.25
    crypto = Instrument("BTCUSDT@BNF", "BTCUSDT", 0.1, 1000.0, 1.0)
    assert crypto.qty(1500) == 1.5 and crypto.size_levels(0.002) == 2


def test_a_market_order_carries_the_leg_id_as_client_id_and_no_prices() -> None:
    assert order_fields(order(), NQ, "GTC") == {
        "alias": NQ.alias,
        "is_buy": True,
        "size": 2,
        "client_id": "o1.bookmap",
    }


def test_limit_and_stop_prices_are_put_on_the_tick_with_the_duration() -> None:
    limit = order_fields(order(side=Side.SELL, order_type=OrderType.LIMIT, limit_price=21000.3), NQ, "DAY")
    assert (limit["is_buy"], limit["limit_price"], limit["duration"]) == (False, 21000.25, "DAY")
    stop = order_fields(order(order_type=OrderType.STOP, stop_price=20999.9), NQ, "GTC")
    assert stop["stop_price"] == 21000.0 and "limit_price" not in stop


@pytest.mark.parametrize(
    ("kw", "text"),
    [
        ({"qty": 1.5}, "not a whole number of Bookmap size levels"),
        ({"qty": 0.0}, "not a whole number"),
        ({"order_type": OrderType.LIMIT}, "has no limit price"),
        ({"order_type": OrderType.STOP, "stop_price": -1.0}, "not a positive price"),
    ],
)
def test_orders_bookmap_cannot_take_are_refused_with_what_to_change(kw: dict[str, object], text: str) -> None:
    with pytest.raises(OrderRefused, match=text):
        order_fields(order(**kw), NQ, "GTC")


def test_aliases_and_the_symbol_map() -> None:
    assert split_alias("NQH5.CME@RITHMIC") == ("NQH5.CME", "RITHMIC")
    with pytest.raises(ValueError, match="not a Bookmap alias"):
        split_alias("NQH5")
    symbols = SymbolMap({"NQH5.CME@RITHMIC": "NQH5.CME@CQG"})
    assert symbols.alias("NQH5.CME@RITHMIC") == "NQH5.CME@CQG" and symbols.gateway("NQH5.CME@CQG") == "NQH5.CME@RITHMIC"
    assert symbols.alias("ESH5.CME@RITHMIC") == "ESH5.CME@RITHMIC"
