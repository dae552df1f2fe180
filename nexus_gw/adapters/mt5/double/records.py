"""The MetaTrader5 module's result records: named tuples with the real field names, in the real order.

Like the real wheel's records (platforms.md §3.6a) they cannot be pickled, so ``rpyc.classic.obtain`` fails on
them and a client has to copy them with ``._asdict()`` on the server side, exactly as against the real terminal.
The rows ``copy_ticks_*`` return are the exception (the real module returns a picklable numpy array): ``TickRow``
pickles, and reads both as ``row.time_msc`` and as ``row["time_msc"]`` like a numpy record.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any


def _unpicklable(name: str, fields: str) -> type:
    base = namedtuple(name, fields)  # type: ignore[misc]

    def __reduce_ex__(self: Any, protocol: object) -> Any:
        raise TypeError(f"cannot pickle '{name}' object")

    return type(name, (base,), {"__slots__": (), "__reduce_ex__": __reduce_ex__, "__module__": __name__})


TICK_FIELDS = "time bid ask last volume time_msc flags volume_real"
Tick = _unpicklable("Tick", TICK_FIELDS)


class TickRow(namedtuple("TickRow", TICK_FIELDS)):
    """One row of copy_ticks_from/copy_ticks_range; ``row["bid"]`` works as on the real numpy record."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return getattr(self, key)
        return super().__getitem__(key)


AccountInfo = _unpicklable(
    "AccountInfo",
    "login trade_mode leverage limit_orders margin_so_mode trade_allowed trade_expert margin_mode currency_digits "
    "fifo_close balance credit profit equity margin margin_free margin_level margin_so_call margin_so_so "
    "margin_initial margin_maintenance assets liabilities commission_blocked name server currency company",
)
TerminalInfo = _unpicklable(
    "TerminalInfo",
    "community_account community_connection connected dlls_allowed trade_allowed tradeapi_disabled email_enabled "
    "ftp_enabled notifications_enabled mqid build maxbars codepage ping_last community_balance retransmission "
    "company name language path data_path commondata_path",
)
SymbolInfo = _unpicklable(
    "SymbolInfo",
    "custom chart_mode select visible session_deals session_buy_orders session_sell_orders volume volumehigh "
    "volumelow time digits spread spread_float ticks_bookdepth trade_calc_mode trade_mode start_time "
    "expiration_time trade_stops_level trade_freeze_level trade_exemode swap_mode swap_rollover3days "
    "margin_hedged_use_leg expiration_mode filling_mode order_mode order_gtc_mode option_mode option_right bid "
    "bidhigh bidlow ask askhigh asklow last lasthigh lastlow volume_real volumehigh_real volumelow_real "
    "option_strike point trade_tick_value trade_tick_value_profit trade_tick_value_loss trade_tick_size "
    "trade_contract_size trade_accrued_interest trade_face_value trade_liquidity_rate volume_min volume_max "
    "volume_step volume_limit swap_long swap_short margin_initial margin_maintenance session_volume "
    "session_turnover session_interest session_buy_orders_volume session_sell_orders_volume session_open "
    "session_close session_aw session_price_settlement session_price_limit_min session_price_limit_max "
    "margin_hedged price_change price_volatility price_theoretical price_greeks_delta price_greeks_theta "
    "price_greeks_gamma price_greeks_vega price_greeks_rho price_greeks_omega price_sensitivity basis category "
    "currency_base currency_profit currency_margin bank description exchange formula isin name page path",
)
TradeRequest = _unpicklable(
    "TradeRequest",
    "action magic order symbol volume price stoplimit sl tp deviation type type_filling type_time expiration "
    "comment position position_by",
)
OrderSendResult = _unpicklable(
    "OrderSendResult", "retcode deal order volume price bid ask comment request_id retcode_external request"
)
OrderCheckResult = _unpicklable(
    "OrderCheckResult", "retcode balance equity profit margin margin_free margin_level comment request"
)
TradePosition = _unpicklable(
    "TradePosition",
    "ticket time time_msc time_update time_update_msc type magic identifier reason volume price_open sl tp "
    "price_current swap profit symbol comment external_id",
)
TradeOrder = _unpicklable(
    "TradeOrder",
    "ticket time_setup time_setup_msc time_done time_done_msc time_expiration type type_time type_filling state "
    "magic position_id position_by_id reason volume_initial volume_current price_open sl tp price_current "
    "price_stoplimit symbol comment external_id",
)
TradeDeal = _unpicklable(
    "TradeDeal",
    "ticket order time time_msc type entry magic position_id reason volume price commission swap profit fee "
    "symbol comment external_id",
)

REQUEST_DEFAULTS: dict[str, Any] = {
    "action": 0,
    "magic": 0,
    "order": 0,
    "symbol": "",
    "volume": 0.0,
    "price": 0.0,
    "stoplimit": 0.0,
    "sl": 0.0,
    "tp": 0.0,
    "deviation": 0,
    "type": 0,
    "type_filling": 0,
    "type_time": 0,
    "expiration": 0,
    "comment": "",
    "position": 0,
    "position_by": 0,
}


def trade_request(request: dict[str, Any]) -> Any:
    """The TradeRequest record of a request dict (unknown keys are refused by the caller)."""
    return TradeRequest(**{**REQUEST_DEFAULTS, **request})
