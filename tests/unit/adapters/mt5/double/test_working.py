"""Pending orders work on each tick by the project's fill model: limits at the touch, stops on the last price."""

from __future__ import annotations

from types import ModuleType

from tests.unit.adapters.mt5.double.conftest import market, pending


def test_buy_limit_fills_at_the_touch_once_crossed(mt5: ModuleType) -> None:
    bid = mt5.symbol_info("NAS100").bid
    placed = pending(mt5, "NAS100", mt5.ORDER_TYPE_BUY_LIMIT, 1.0, round(bid - 20, 2))
    mt5._double.set_price("NAS100", bid - 10)  # ask = bid - 9: not yet at the limit
    assert mt5.history_deals_get(ticket=placed.order) == ()
    tick = mt5._double.set_price("NAS100", bid - 30)
    (deal,) = mt5.history_deals_get(ticket=placed.order)
    assert deal.price == tick["ask"]  # at the touch, better than the limit
    assert mt5.orders_get() == ()
    assert mt5.history_orders_get(ticket=placed.order)[0].state == mt5.ORDER_STATE_FILLED


def test_b3_stop_triggers_on_the_last_price_not_the_bid(b3: ModuleType) -> None:
    last = b3.symbol_info("WINZ26").last
    placed = pending(b3, "WINZ26", b3.ORDER_TYPE_BUY_STOP, 1.0, last + 50)
    b3._double.set_price("WINZ26", last + 60, last=last + 40)  # the bid is through, the last is not
    assert b3.history_deals_get(ticket=placed.order) == ()
    tick = b3._double.set_price("WINZ26", last + 50, last=last + 50)
    (deal,) = b3.history_deals_get(ticket=placed.order)
    assert deal.price == tick["ask"]


def test_stop_limit_becomes_a_limit_when_triggered(b3: ModuleType) -> None:
    last = b3.symbol_info("WINZ26").last
    placed = pending(b3, "WINZ26", b3.ORDER_TYPE_SELL_STOP_LIMIT, 1.0, last - 50, stoplimit=last - 40)
    b3._double.set_price("WINZ26", last - 55, last=last - 50)
    (order,) = b3.orders_get()
    assert (order.type, order.price_open) == (b3.ORDER_TYPE_SELL_LIMIT, last - 40)
    b3._double.set_price("WINZ26", last - 40, last=last - 40)
    assert len(b3.history_deals_get(ticket=placed.order)) == 1


def test_return_order_fills_in_several_deals(b3: ModuleType) -> None:
    b3._double.set_liquidity("WINZ26", 2)
    result = market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 5.0, type_filling=b3.ORDER_FILLING_RETURN)
    assert (result.retcode, result.volume) == (b3.TRADE_RETCODE_DONE_PARTIAL, 2.0)
    (working,) = b3.orders_get()
    assert (working.state, working.volume_current) == (b3.ORDER_STATE_PARTIAL, 3.0)
    b3._double.advance(2)  # a few ticks
    deals = b3.history_deals_get(ticket=result.order)
    assert [d.volume for d in deals] == [2.0, 2.0, 1.0]
    assert len({d.ticket for d in deals}) == 3
    assert b3.orders_get() == () and b3.positions_get()[0].volume == 5.0


def test_remove_and_modify_a_pending_order(mt5: ModuleType) -> None:
    bid = mt5.symbol_info("NAS100").bid
    placed = pending(mt5, "NAS100", mt5.ORDER_TYPE_SELL_LIMIT, 1.0, round(bid + 50, 2))
    modified = mt5.order_send({"action": mt5.TRADE_ACTION_MODIFY, "order": placed.order, "price": round(bid + 60, 2)})
    assert modified.retcode == mt5.TRADE_RETCODE_DONE
    assert mt5.orders_get(ticket=placed.order)[0].price_open == round(bid + 60, 2)
    removed = mt5.order_send({"action": mt5.TRADE_ACTION_REMOVE, "order": placed.order})
    assert removed.retcode == mt5.TRADE_RETCODE_DONE and mt5.orders_get() == ()
    assert mt5.history_orders_get(ticket=placed.order)[0].state == mt5.ORDER_STATE_CANCELED


def test_day_order_expires_at_the_end_of_the_day(b3: ModuleType) -> None:
    bid = b3.symbol_info("WINZ26").bid
    placed = pending(b3, "WINZ26", b3.ORDER_TYPE_BUY_LIMIT, 1.0, bid - 500, type_time=b3.ORDER_TIME_DAY)
    b3._double.set_market_open(True)
    b3._double.advance(10 * 3600)  # past midnight UTC
    assert b3.orders_get() == ()
    assert b3.history_orders_get(ticket=placed.order)[0].state == b3.ORDER_STATE_EXPIRED


def test_stop_loss_closes_a_position_at_the_touch(mt5: ModuleType) -> None:
    buy = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, sl=round(mt5.symbol_info("NAS100").bid - 20, 2))
    mt5._double.set_price("NAS100", buy.price - 10)
    assert len(mt5.positions_get()) == 1
    tick = mt5._double.set_price("NAS100", buy.price - 30)
    assert mt5.positions_get() == ()
    (closing,) = [d for d in mt5.history_deals_get(position=buy.order) if d.entry == mt5.DEAL_ENTRY_OUT]
    assert (closing.reason, closing.price, closing.volume) == (mt5.DEAL_REASON_SL, tick["bid"], 1.0)


def test_take_profit_closes_a_netting_position(b3: ModuleType) -> None:
    sell = market(b3, "WINZ26", b3.ORDER_TYPE_SELL, 2.0, tp=b3.symbol_info("WINZ26").bid - 100)
    b3._double.set_price("WINZ26", sell.price - 200)
    assert b3.positions_get() == ()
    assert b3.history_deals_get(position=sell.order)[-1].reason == b3.DEAL_REASON_TP
