"""The SymbolInfo record of a listed symbol at its current quote."""

from __future__ import annotations

from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double.brokers import SymbolSpec
from nexus_gw.adapters.mt5.double.records import SymbolInfo, TickRow

ORDER_MODE_ALL = 127  # market, limit, stop, stop-limit, SL, TP, close-by


def symbol_record(spec: SymbolSpec, tick: TickRow | None, selected: bool) -> Any:
    values: dict[str, Any] = dict.fromkeys(SymbolInfo._fields, 0)
    bid, ask, last = (tick.bid, tick.ask, tick.last) if tick else (0.0, 0.0, 0.0)
    base = "BTC" if spec.name == "BTCUSD" else spec.currency_profit
    values.update(
        custom=False,
        select=selected,
        visible=selected,
        time=tick.time if tick else 0,
        digits=spec.digits,
        spread=spec.spread_ticks * round(spec.tick_size / spec.point),
        spread_float=True,
        trade_calc_mode=2 if spec.exemode == c.SYMBOL_TRADE_EXECUTION_EXCHANGE else 1,
        trade_mode=spec.trade_mode,
        trade_stops_level=spec.stops_level,
        trade_exemode=spec.exemode,
        expiration_mode=15,
        filling_mode=spec.filling_mode,
        order_mode=ORDER_MODE_ALL,
        bid=bid,
        bidhigh=bid,
        bidlow=bid,
        ask=ask,
        askhigh=ask,
        asklow=ask,
        last=last,
        lasthigh=last,
        lastlow=last,
        point=spec.point,
        trade_tick_value=spec.tick_value,
        trade_tick_value_profit=spec.tick_value,
        trade_tick_value_loss=spec.tick_value,
        trade_tick_size=spec.tick_size,
        trade_contract_size=spec.contract_size,
        volume_min=spec.volume_min,
        volume_max=spec.volume_max,
        volume_step=spec.volume_step,
        margin_initial=spec.margin_initial,
        currency_base=base,
        currency_profit=spec.currency_profit,
        currency_margin=spec.currency_profit,
        bank="",
        description=spec.description,
        exchange=spec.exchange,
        formula="",
        isin="",
        name=spec.name,
        page="",
        path=spec.path,
    )
    for key in SymbolInfo._fields:  # float fields of the real record read 0.0, not 0
        if key.startswith(("price_", "session_", "swap_l", "swap_s", "option_strike", "trade_accrued", "trade_face")):
            values[key] = float(values[key])
    return SymbolInfo(**values)
