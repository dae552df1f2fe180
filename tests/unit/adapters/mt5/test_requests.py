from __future__ import annotations

from types import SimpleNamespace

import pytest

from nexus_gw.adapters.mt5.requests import (
    ORDER_TIME_DAY,
    ORDER_TIME_GTC,
    TRADE_ACTION_DEAL,
    TRADE_ACTION_PENDING,
    build_request,
    limit_deviation,
    position_to_close,
    reprice,
)
from nexus_gw.adapters.mt5.settings import MT5Settings
from nexus_gw.adapters.mt5.volume import VolumeRefused
from nexus_gw.protocol.constants import OrderType, Side
from nexus_gw.protocol.messages import Order

CFD = SimpleNamespace(
    volume_step=0.01,
    volume_min=0.01,
    volume_max=200.0,
    filling_mode=1,
    trade_exemode=2,
    trade_tick_size=0.01,
    point=0.01,
)
B3 = SimpleNamespace(
    volume_step=1.0, volume_min=1.0, volume_max=500.0, filling_mode=3, trade_exemode=3, trade_tick_size=5.0
)
SETTINGS = MT5Settings(server="Broker-Demo", magic=4242, deviation_points=7)


def order(qty: float, kind: OrderType = OrderType.MARKET, side: Side = Side.BUY, **kw: float) -> Order:
    return Order(leg_id="o9-1.mt5_global", order_id="o9", symbol="NAS100", side=side, qty=qty, order_type=kind, **kw)


def test_a_market_leg_on_a_cfd_carries_magic_deviation_comment_and_lots() -> None:
    r = build_request(order(20.004), "NAS100", CFD, SETTINGS, "mt5_global")
    assert r == {
        "action": TRADE_ACTION_DEAL,
        "symbol": "NAS100",
        "volume": 20.0,
        "type": 0,
        "deviation": 7,
        "magic": 4242,
        "comment": "o9-1",
        "type_filling": 0,
    }
    assert all(type(v) in (int, float, str) for v in r.values())


def test_a_b3_limit_is_a_day_order_with_return_filling_in_whole_contracts() -> None:
    r = build_request(order(2, OrderType.LIMIT, Side.SELL, limit_price=130000.0), "WINZ26", B3, SETTINGS, "x")
    assert (r["action"], r["type"], r["type_time"], r["type_filling"], r["volume"]) == (
        TRADE_ACTION_PENDING,
        3,
        ORDER_TIME_DAY,
        2,
        2.0,
    )
    stop = build_request(order(1, OrderType.STOP, stop_price=21000.0), "NAS100", CFD, SETTINGS, "x")
    assert (stop["type"], stop["price"], stop["type_time"]) == (4, 21000.0, ORDER_TIME_GTC)


def test_a_fraction_of_a_b3_contract_is_refused() -> None:
    with pytest.raises(VolumeRefused, match="below volume_min 1"):
        build_request(order(0.4), "WINZ26", B3, SETTINGS, "x")


def test_hedging_closes_the_opposite_position_of_the_same_volume_by_ticket() -> None:
    positions = [
        SimpleNamespace(ticket=1, magic=1, type=1, volume=2.0),  # another program's
        SimpleNamespace(ticket=2, magic=4242, type=0, volume=2.0),  # same side
        SimpleNamespace(ticket=3, magic=4242, type=1, volume=1.0),  # other volume
        SimpleNamespace(ticket=4, magic=4242, type=1, volume=2.0),
    ]
    assert position_to_close(positions, 4242, Side.BUY, 2.0) == 4
    assert position_to_close(positions, 4242, Side.SELL, 2.0) == 2
    assert position_to_close(positions, 4242, Side.BUY, 5.0) == 0  # larger than any: opens one


def test_hedging_closes_part_of_the_smallest_opposite_position_larger_than_the_leg() -> None:
    positions = [
        SimpleNamespace(ticket=5, magic=4242, type=1, volume=3.0),
        SimpleNamespace(ticket=6, magic=4242, type=1, volume=1.5),
        SimpleNamespace(ticket=7, magic=4242, type=1, volume=0.5),
    ]
    assert position_to_close(positions, 4242, Side.BUY, 1.0) == 6
    assert position_to_close(positions, 4242, Side.BUY, 0.5) == 7  # the exact one first


def test_off_an_exchange_a_limit_through_the_market_or_a_triggered_stop_goes_as_a_market_deal() -> None:
    quote = (21000.0, 21001.0)
    through = build_request(order(1, OrderType.LIMIT, limit_price=21005.0), "NAS100", CFD, SETTINGS, "x", quote)
    triggered = build_request(order(1, OrderType.STOP, stop_price=20990.0), "NAS100", CFD, SETTINGS, "x", quote)
    resting = build_request(order(1, OrderType.LIMIT, limit_price=20990.0), "NAS100", CFD, SETTINGS, "x", quote)
    assert (through["action"], through["type"]) == (TRADE_ACTION_DEAL, 0)
    assert (triggered["action"], triggered["type"]) == (TRADE_ACTION_DEAL, 0)
    assert (resting["action"], resting["type"]) == (TRADE_ACTION_PENDING, 2)
    on_b3 = build_request(order(1, OrderType.LIMIT, limit_price=130010.0), "WINZ26", B3, SETTINGS, "x", (1.3e5, 1.3e5))
    assert on_b3["action"] == TRADE_ACTION_PENDING  # an exchange takes a marketable limit itself


def test_limit_prices_go_on_the_tick_grid_never_worse() -> None:
    buy = build_request(order(1, OrderType.LIMIT, limit_price=130003.0), "WINZ26", B3, SETTINGS, "x")
    sell = build_request(order(1, OrderType.LIMIT, Side.SELL, limit_price=130003.0), "WINZ26", B3, SETTINGS, "x")
    assert (buy["price"], sell["price"]) == (130000.0, 130005.0)


def test_a_marketable_buy_limit_goes_as_a_deal_whose_deviation_stops_at_the_limit() -> None:
    buy = order(1, OrderType.LIMIT, limit_price=21000.05)
    deal = build_request(buy, "NAS100", CFD, SETTINGS, "mt5_global", quote=(20999.90, 21000.00))
    assert deal["action"] == TRADE_ACTION_DEAL
    sent = reprice(buy, deal, CFD, SETTINGS, "mt5_global", (20999.98, 21000.02))
    assert (sent["action"], sent["price"], sent["deviation"]) == (TRADE_ACTION_DEAL, 21000.02, 3)  # 0.03 of room
    wide = reprice(order(1, OrderType.LIMIT, limit_price=21010.0), deal, CFD, SETTINGS, "x", (20999.9, 21000.0))
    assert wide["deviation"] == 7  # never more than the profile's deviation_points


def test_a_limit_sent_as_a_deal_becomes_the_pending_limit_when_the_market_moved_back_beyond_it() -> None:
    sell = order(1, OrderType.LIMIT, Side.SELL, limit_price=20999.0)
    deal = build_request(sell, "NAS100", CFD, SETTINGS, "mt5_global", quote=(20999.5, 20999.6))
    assert deal["action"] == TRADE_ACTION_DEAL
    again = reprice(sell, deal, CFD, SETTINGS, "mt5_global", (20998.5, 20998.6))  # the bid fell below the limit
    assert (again["action"], again["type"], again["price"]) == (TRADE_ACTION_PENDING, 3, 20999.0)
    assert limit_deviation(sell, 20998.5, 20998.6, 0.01, 7) == 0


def test_a_market_deal_is_priced_at_the_side_it_takes() -> None:
    deal = build_request(order(1, side=Side.SELL), "NAS100", CFD, SETTINGS, "x")
    assert reprice(order(1, side=Side.SELL), deal, None, SETTINGS, "x", (100.0, 100.5))["price"] == 100.0
    buy = build_request(order(1), "NAS100", CFD, SETTINGS, "x")
    assert reprice(order(1), buy, None, SETTINGS, "x", (100.0, 100.5)) == {**buy, "price": 100.5}
