"""Every retcode the double's order_send produces, each from the request or state that produces it at a broker."""

from __future__ import annotations

from types import ModuleType

import pytest

from nexus_gw.adapters.mt5.double import create
from tests.unit.adapters.mt5.double.conftest import OPEN, market, pending


def test_market_order_done_at_the_touch(mt5: ModuleType) -> None:
    mt5.symbol_select("NAS100", True)
    tick = mt5.symbol_info_tick("NAS100")
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    assert (result.retcode, result.comment, result.volume, result.price) == (10009, "Request executed", 1.0, tick.ask)
    assert result.deal > 0 and result.order > 0 and result.request_id == 1
    assert result.request.comment == "leg-1" and result.retcode_external == 0
    deal = mt5.history_deals_get(ticket=result.order)[0]
    assert (deal.ticket, deal.magic, deal.comment, deal.entry) == (result.deal, 7, "leg-1", mt5.DEAL_ENTRY_IN)


def test_pending_order_placed(mt5: ModuleType) -> None:
    bid = mt5.symbol_info("NAS100").bid
    result = pending(mt5, "NAS100", mt5.ORDER_TYPE_BUY_LIMIT, 1.0, round(bid - 50, 2))
    assert result.retcode == mt5.TRADE_RETCODE_PLACED and result.deal == 0
    (order,) = mt5.orders_get()
    assert (order.ticket, order.state, order.comment) == (result.order, mt5.ORDER_STATE_PLACED, "leg-2")


@pytest.mark.parametrize(
    ("volume", "why"), [(0.05, "under volume_min"), (0.15, "off volume_step"), (101.0, "over volume_max")]
)
def test_invalid_volume(mt5: ModuleType, volume: float, why: str) -> None:
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, volume).retcode == mt5.TRADE_RETCODE_INVALID_VOLUME, why
    assert mt5.positions_get() == ()


def test_b3_takes_whole_contracts_only(b3: ModuleType) -> None:
    assert market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 1.5).retcode == b3.TRADE_RETCODE_INVALID_VOLUME
    assert market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 2.0, type_filling=b3.ORDER_FILLING_RETURN).retcode == 10009


def test_unsupported_filling_mode(mt5: ModuleType) -> None:
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, type_filling=mt5.ORDER_FILLING_BOC)
    assert (result.retcode, result.comment) == (10030, "Unsupported filling mode")


def test_market_closed_outside_hours() -> None:
    mt5 = create("global", start=OPEN.replace(day=5))  # a Saturday
    assert mt5.initialize()
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_MARKET_CLOSED
    assert market(mt5, "BTCUSD", mt5.ORDER_TYPE_BUY, 0.01).retcode == mt5.TRADE_RETCODE_DONE  # crypto trades 24/7


def test_b3_closed_at_night() -> None:
    b3 = create("brazil", start=OPEN.replace(hour=23))
    assert b3.initialize()
    assert market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 1.0).retcode == b3.TRADE_RETCODE_MARKET_CLOSED


def test_no_money(mt5: ModuleType) -> None:
    assert market(mt5, "BTCUSD", mt5.ORDER_TYPE_BUY, 3.0).retcode == mt5.TRADE_RETCODE_NO_MONEY
    check = mt5.order_check(
        {"action": 1, "symbol": "BTCUSD", "volume": 3.0, "type": 0, "type_filling": mt5.ORDER_FILLING_IOC}
    )
    assert check.retcode == mt5.TRADE_RETCODE_NO_MONEY and check.margin_free < 0


def test_order_check_passes_with_retcode_zero(mt5: ModuleType) -> None:
    check = mt5.order_check({"action": 1, "symbol": "NAS100", "volume": 1.0, "type": 0, "type_filling": 1})
    assert (check.retcode, check.comment) == (0, "Done")
    assert mt5.positions_get() == ()


def test_invalid_price_of_a_limit_on_the_wrong_side(mt5: ModuleType) -> None:
    ask = mt5.symbol_info("NAS100").ask
    assert pending(mt5, "NAS100", mt5.ORDER_TYPE_BUY_LIMIT, 1.0, round(ask + 10, 2)).retcode == 10015
    assert pending(mt5, "NAS100", mt5.ORDER_TYPE_BUY_STOP, 1.0, round(ask - 10, 2)).retcode == 10015


def test_invalid_price_off_the_tick_grid(b3: ModuleType) -> None:
    price = b3.symbol_info("WINZ26").bid - 102  # not a multiple of 5
    assert pending(b3, "WINZ26", b3.ORDER_TYPE_BUY_LIMIT, 1.0, price).retcode == b3.TRADE_RETCODE_INVALID_PRICE


def test_invalid_stops(mt5: ModuleType) -> None:
    ask = mt5.symbol_info("NAS100").ask
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, sl=ask + 5).retcode == mt5.TRADE_RETCODE_INVALID_STOPS
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, tp=ask - 5).retcode == mt5.TRADE_RETCODE_INVALID_STOPS
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, sl=ask - 50, tp=ask + 50).retcode == 10009


def test_invalid_expiration(mt5: ModuleType) -> None:
    bid = mt5.symbol_info("NAS100").bid
    result = pending(mt5, "NAS100", mt5.ORDER_TYPE_BUY_LIMIT, 1.0, round(bid - 50, 2), type_time=2, expiration=1_000)
    assert result.retcode == mt5.TRADE_RETCODE_INVALID_EXPIRATION


def test_unknown_symbol_and_unknown_order_are_invalid(mt5: ModuleType) -> None:
    assert market(mt5, "NQ", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_INVALID
    removed = mt5.order_send({"action": mt5.TRADE_ACTION_REMOVE, "order": 42})
    assert removed.retcode == mt5.TRADE_RETCODE_INVALID_ORDER


def test_malformed_request_answers_none_with_last_error(mt5: ModuleType) -> None:
    assert mt5.order_send({"symbol": "NAS100"}) is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS
    assert mt5.order_send({"action": 1, "symbol": "NAS100", "volume": 1.0, "type": 0, "lots": 1}) is None
    assert "lots" in mt5.last_error()[1]


def test_trade_disabled_for_the_account(mt5: ModuleType) -> None:
    mt5._double.set_account_trade_allowed(False)
    assert mt5.account_info().trade_allowed is False
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_TRADE_DISABLED


def test_autotrading_disabled(mt5: ModuleType) -> None:
    mt5._double.set_autotrading(False)
    assert mt5.terminal_info().trade_allowed is False
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    assert (result.retcode, result.comment) == (10027, "AutoTrading disabled by client")
    assert mt5.positions_get() == ()


def test_no_connection(mt5: ModuleType) -> None:
    mt5._double.disconnect()
    assert mt5.terminal_info().connected is False
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_CONNECTION
    mt5._double.reconnect()
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_DONE


@pytest.mark.parametrize("retcode", [10004, 10020, 10021, 10024, 10006])
def test_forced_retcode_once_then_done(mt5: ModuleType, retcode: int) -> None:
    mt5._double.force_retcodes(retcode)
    first = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    assert (first.retcode, first.deal, first.order) == (retcode, 0, 0)
    assert mt5.positions_get() == ()
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_DONE
    assert len(mt5.positions_get()) == 1


def test_fok_beyond_liquidity_is_rejected(mt5: ModuleType) -> None:
    mt5._double.set_liquidity("NAS100", 0.5)
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, type_filling=mt5.ORDER_FILLING_FOK)
    assert result.retcode == mt5.TRADE_RETCODE_REJECT and mt5.positions_get() == ()


def test_ioc_beyond_liquidity_fills_part_and_cancels_the_rest(mt5: ModuleType) -> None:
    mt5._double.set_liquidity("NAS100", 0.5)
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    assert (result.retcode, result.volume) == (mt5.TRADE_RETCODE_DONE_PARTIAL, 0.5)
    assert mt5.orders_get() == ()
    (order,) = mt5.history_orders_get(ticket=result.order)
    assert (order.state, order.volume_current) == (mt5.ORDER_STATE_CANCELED, 0.5)


def test_ioc_with_no_liquidity_is_canceled(mt5: ModuleType) -> None:
    mt5._double.set_liquidity("NAS100", 0)
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    assert (result.retcode, result.deal) == (mt5.TRADE_RETCODE_CANCEL, 0)
    assert mt5.positions_get() == ()


def test_sltp_modifies_a_position_and_refuses_an_unknown_one(mt5: ModuleType) -> None:
    buy = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    sl = round(buy.price - 100, 2)
    done = mt5.order_send({"action": mt5.TRADE_ACTION_SLTP, "symbol": "NAS100", "position": buy.order, "sl": sl})
    assert done.retcode == mt5.TRADE_RETCODE_DONE and mt5.positions_get()[0].sl == sl
    gone = mt5.order_send({"action": mt5.TRADE_ACTION_SLTP, "symbol": "NAS100", "position": 5, "sl": sl})
    assert gone.retcode == mt5.TRADE_RETCODE_POSITION_CLOSED


def test_close_by_is_not_simulated(mt5: ModuleType) -> None:
    request = {"action": mt5.TRADE_ACTION_CLOSE_BY, "symbol": "NAS100", "position": 1, "position_by": 2}
    assert mt5.order_send(request).retcode == mt5.TRADE_RETCODE_INVALID
