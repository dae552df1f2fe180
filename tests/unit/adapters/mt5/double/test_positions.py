"""Netting and hedging accounts book the same deals differently (platforms.md §3.5)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.unit.adapters.mt5.double.conftest import market, started


def test_netting_in_out_and_reversal(b3: ModuleType) -> None:
    buy = market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 2.0)
    (position,) = b3.positions_get()
    assert (position.volume, position.identifier, position.ticket) == (2.0, buy.order, buy.order)
    market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 1.0)
    assert b3.positions_get()[0].volume == 3.0
    reduce = market(b3, "WINZ26", b3.ORDER_TYPE_SELL, 1.0)
    assert b3.positions_get()[0].volume == 2.0
    reverse = market(b3, "WINZ26", b3.ORDER_TYPE_SELL, 5.0)
    (position,) = b3.positions_get()
    assert (position.type, position.volume) == (b3.POSITION_TYPE_SELL, 3.0)
    assert (position.ticket, position.identifier) == (reverse.order, buy.order)
    entries = [d.entry for d in b3.history_deals_get(position=buy.order)]
    assert entries == [b3.DEAL_ENTRY_IN, b3.DEAL_ENTRY_IN, b3.DEAL_ENTRY_OUT, b3.DEAL_ENTRY_INOUT]
    market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 3.0)
    assert b3.positions_get() == ()
    assert b3.history_deals_get(ticket=reduce.order)[0].entry == b3.DEAL_ENTRY_OUT


def test_netting_profit_goes_to_the_balance_in_account_currency(b3: ModuleType) -> None:
    balance = b3.account_info().balance
    buy = market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 2.0)
    b3._double.set_price("WINZ26", buy.price + 100)  # 20 ticks of R$1 each, per contract
    sell = market(b3, "WINZ26", b3.ORDER_TYPE_SELL, 2.0)
    deal = b3.history_deals_get(ticket=sell.order)[0]
    assert deal.profit == pytest.approx((sell.price - buy.price) / 5 * 1.0 * 2)
    assert b3.account_info().balance == pytest.approx(balance + deal.profit)


def test_hedging_opens_a_position_per_deal(mt5: ModuleType) -> None:
    market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    market(mt5, "NAS100", mt5.ORDER_TYPE_SELL, 1.0)  # no position= : a second, opposite position
    assert sorted(p.type for p in mt5.positions_get()) == [mt5.POSITION_TYPE_BUY, mt5.POSITION_TYPE_SELL]


def test_hedging_closes_a_position_by_ticket(mt5: ModuleType) -> None:
    first = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    second = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 2.0)
    partial = market(mt5, "NAS100", mt5.ORDER_TYPE_SELL, 0.5, position=second.order)
    assert {p.ticket: p.volume for p in mt5.positions_get()} == {first.order: 1.0, second.order: 1.5}
    deal = mt5.history_deals_get(ticket=partial.order)[0]
    assert (deal.entry, deal.position_id) == (mt5.DEAL_ENTRY_OUT, second.order)
    market(mt5, "NAS100", mt5.ORDER_TYPE_SELL, 1.0, position=first.order)
    assert [p.ticket for p in mt5.positions_get()] == [second.order]


def test_hedging_close_errors(mt5: ModuleType) -> None:
    buy = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    too_much = market(mt5, "NAS100", mt5.ORDER_TYPE_SELL, 2.0, position=buy.order)
    assert too_much.retcode == mt5.TRADE_RETCODE_INVALID_CLOSE_VOLUME
    gone = market(mt5, "NAS100", mt5.ORDER_TYPE_SELL, 1.0, position=999)
    assert gone.retcode == mt5.TRADE_RETCODE_POSITION_CLOSED
    assert [p.volume for p in mt5.positions_get()] == [1.0]


def test_a_closing_order_needs_no_margin(mt5: ModuleType) -> None:
    buy = market(mt5, "BTCUSD", mt5.ORDER_TYPE_BUY, 2.0)  # margin 1:2: most of the account
    assert buy.retcode == mt5.TRADE_RETCODE_DONE
    assert market(mt5, "BTCUSD", mt5.ORDER_TYPE_BUY, 2.0).retcode == mt5.TRADE_RETCODE_NO_MONEY
    assert market(mt5, "BTCUSD", mt5.ORDER_TYPE_SELL, 2.0, position=buy.order).retcode == 10009


def test_margin_mode_is_chosen_per_account() -> None:
    netting = started("global", margin_mode=0)
    assert netting.account_info().margin_mode == 0
    market(netting, "NAS100", netting.ORDER_TYPE_BUY, 1.0)
    market(netting, "NAS100", netting.ORDER_TYPE_SELL, 1.0)
    assert netting.positions_get() == ()


def test_positions_are_revalued_with_the_quote(mt5: ModuleType) -> None:
    buy = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    mt5._double.set_price("NAS100", buy.price + 10)
    (position,) = mt5.positions_get()
    assert position.price_current == pytest.approx(buy.price + 10)
    assert position.profit == pytest.approx(10.0)  # 1 lot, $1 a point
    assert mt5.account_info().equity == pytest.approx(mt5.account_info().balance + 10.0)
