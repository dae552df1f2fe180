"""Fault injection: a lost answer, a lost server, a terminal that is gone."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.unit.adapters.mt5.double.conftest import market


def test_lost_answer_times_out_but_the_order_was_executed_once(mt5: ModuleType) -> None:
    mt5._double.lose_next_answer("timeout")
    result = market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0, comment="leg-9")
    assert (result.retcode, result.order, result.deal) == (mt5.TRADE_RETCODE_TIMEOUT, 0, 0)
    (deal,) = mt5.history_deals_get(0, 2**40)
    assert (deal.comment, deal.magic, deal.volume) == ("leg-9", 7, 1.0)
    assert len(mt5.positions_get()) == 1
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_DONE  # one loss only


def test_lost_answer_as_none_with_an_ipc_timeout(mt5: ModuleType) -> None:
    mt5._double.lose_next_answer("none")
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0) is None
    assert mt5.last_error() == (mt5.RES_E_INTERNAL_FAIL_TIMEOUT, "IPC timeout")
    assert len(mt5.history_deals_get(0, 2**40)) == 1


def test_unknown_lose_mode_is_refused(mt5: ModuleType) -> None:
    with pytest.raises(ValueError, match="lose_next_answer mode"):
        mt5._double.lose_next_answer("drop")


def test_terminal_gone_answers_none_until_initialized_again(mt5: ModuleType) -> None:
    market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0)
    mt5._double.terminal_gone()
    assert mt5.positions_get() is None and mt5.terminal_info() is None
    assert mt5.last_error() == (-10004, "No IPC connection")
    assert mt5.initialize() is False
    mt5._double.terminal_back()
    assert mt5.positions_get() is None  # still needs initialize()
    assert mt5.initialize() is True
    assert len(mt5.positions_get()) == 1


def test_no_ticks_while_disconnected(mt5: ModuleType) -> None:
    mt5.symbol_select("NAS100", True)
    before = mt5.symbol_info_tick("NAS100").time_msc
    mt5._double.disconnect()
    mt5._double.advance(5)
    assert mt5.symbol_info_tick("NAS100").time_msc == before
    mt5._double.reconnect()
    mt5._double.advance(1)
    assert mt5.symbol_info_tick("NAS100").time_msc > before


def test_clear_faults(mt5: ModuleType) -> None:
    mt5._double.disconnect()
    mt5._double.set_autotrading(False)
    mt5._double.force_retcodes(10004)
    mt5._double.clear_faults()
    assert market(mt5, "NAS100", mt5.ORDER_TYPE_BUY, 1.0).retcode == mt5.TRADE_RETCODE_DONE
