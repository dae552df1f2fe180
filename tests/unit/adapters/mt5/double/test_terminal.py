"""Connection, account, terminal and symbol calls of the double answer like the real MetaTrader5 module."""

from __future__ import annotations

import inspect
import pickle
from types import ModuleType

import pytest

from nexus_gw.adapters.mt5.double import create
from tests.unit.adapters.mt5.double.conftest import OPEN


def test_calls_before_initialize_answer_none_with_no_ipc_error() -> None:
    mt5 = create("global", start=OPEN)
    assert mt5.account_info() is None
    assert mt5.order_send({"action": 1}) is None
    assert mt5.last_error() == (-10004, "No IPC connection")
    assert mt5.initialize() is True
    assert mt5.last_error() == (1, "Success")


def test_initialize_with_the_wrong_server_fails_authorization() -> None:
    mt5 = create("global", start=OPEN)
    assert mt5.initialize(login=123, password="x", server="Another-Server") is False
    assert mt5.last_error()[0] == mt5.RES_E_AUTH_FAILED
    assert mt5.initialize(login=123, password="x", server="GlobalCFD-Demo") is True
    assert mt5.account_info().login == 123


def test_shutdown_disconnects_until_initialize(mt5: ModuleType) -> None:
    mt5.shutdown()
    assert mt5.terminal_info() is None
    assert mt5.initialize()
    assert mt5.terminal_info().connected


def test_signatures_are_the_real_modules() -> None:
    mt5 = create("global", start=OPEN)
    initialize = inspect.signature(mt5.initialize).parameters
    assert list(initialize) == ["path", "login", "password", "server", "timeout", "portable"]
    assert initialize["login"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(mt5.copy_ticks_from).parameters) == ["symbol", "date_from", "count", "flags"]
    assert list(inspect.signature(mt5.history_deals_get).parameters) == [
        "date_from",
        "date_to",
        "group",
        "ticket",
        "position",
    ]


def test_constants_have_the_real_values() -> None:
    mt5 = create("global", start=OPEN)
    assert (mt5.TRADE_ACTION_DEAL, mt5.TRADE_ACTION_PENDING, mt5.TRADE_ACTION_REMOVE) == (1, 5, 8)
    assert (mt5.ORDER_FILLING_FOK, mt5.ORDER_FILLING_IOC, mt5.ORDER_FILLING_RETURN) == (0, 1, 2)
    assert (mt5.TRADE_RETCODE_DONE, mt5.TRADE_RETCODE_CLIENT_DISABLES_AT, mt5.TRADE_RETCODE_CONNECTION) == (
        10009,
        10027,
        10031,
    )
    assert (mt5.DEAL_ENTRY_IN, mt5.DEAL_ENTRY_OUT, mt5.DEAL_ENTRY_INOUT, mt5.DEAL_ENTRY_OUT_BY) == (0, 1, 2, 3)
    assert mt5.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING == 2
    # Like the real wheel (platforms.md §3.6a): no SYMBOL_FILLING_* names, no HEDGE_PROHIBITED.
    assert not hasattr(mt5, "SYMBOL_FILLING_FOK")
    assert not hasattr(mt5, "TRADE_RETCODE_HEDGE_PROHIBITED")


def test_records_cannot_be_pickled_like_the_real_ones(mt5: ModuleType) -> None:
    with pytest.raises(TypeError, match="cannot pickle 'AccountInfo'"):
        pickle.dumps(mt5.account_info())
    assert mt5.account_info()._asdict()["currency"] == "USD"


def test_accounts_of_each_broker(mt5: ModuleType, b3: ModuleType) -> None:
    cfd = mt5.account_info()
    assert (cfd.currency, cfd.margin_mode, cfd.trade_allowed, cfd.server) == ("USD", 2, True, "GlobalCFD-Demo")
    brazil = b3.account_info()
    assert (brazil.currency, brazil.margin_mode) == ("BRL", b3.ACCOUNT_MARGIN_MODE_RETAIL_NETTING)
    assert mt5.terminal_info().trade_allowed is True


def test_symbol_info_of_a_cfd_and_a_b3_contract(mt5: ModuleType, b3: ModuleType) -> None:
    nas = mt5.symbol_info("NAS100")
    assert (nas.volume_min, nas.volume_step, nas.trade_tick_size, nas.digits) == (0.1, 0.1, 0.01, 2)
    assert nas.filling_mode == 3 and nas.trade_exemode == mt5.SYMBOL_TRADE_EXECUTION_MARKET
    assert nas.currency_profit == "USD" and nas.trade_mode == mt5.SYMBOL_TRADE_MODE_FULL
    assert nas.visible is False
    win = b3.symbol_info("WINZ26")
    assert (win.volume_min, win.volume_step, win.trade_tick_size, win.trade_tick_value) == (1.0, 1.0, 5.0, 1.0)
    assert win.trade_exemode == b3.SYMBOL_TRADE_EXECUTION_EXCHANGE and win.currency_profit == "BRL"
    assert b3.symbol_info("WDOF27").trade_tick_size == 0.5


def test_unknown_symbol(mt5: ModuleType) -> None:
    assert mt5.symbol_info("NQ") is None
    assert mt5.last_error()[0] == mt5.RES_E_NOT_FOUND
    assert mt5.symbol_select("NQ", True) is False


def test_symbol_select_makes_the_tick_available(mt5: ModuleType) -> None:
    assert mt5.symbol_info_tick("US500") is None
    assert mt5.symbol_select("US500", True)
    assert mt5.symbol_info("US500").visible is True
    tick = mt5.symbol_info_tick("US500")
    assert tick.ask > tick.bid > 0 and tick.time_msc // 1000 == tick.time


def test_symbols_get_with_wildcards_and_exclusions(mt5: ModuleType) -> None:
    assert [s.name for s in mt5.symbols_get("*NAS*,*US100*")] == ["NAS100"]
    assert [s.name for s in mt5.symbols_get("US*,!US30")] == ["US500"]
    assert mt5.symbols_total() == 4


def test_b3_lists_front_contracts() -> None:
    b3 = create("brazil", start=OPEN)
    assert b3.initialize()
    names = [s.name for s in b3.symbols_get("WIN*")]
    assert names[:2] == ["WINZ26", "WING27"]
    assert "WDOF27" in [s.name for s in b3.symbols_get("WDO*")]


def test_version(mt5: ModuleType) -> None:
    assert mt5.version()[0] == 500
