"""Working orders on each new tick, by the project's one fill model (``nexus_gw.domain.matching.fill_price``).

A limit fills when the touch crosses it, at the touch; a stop triggers on the LAST price and then fills at the
touch (a CFD tick has no last price, so there the bid stands for it); a stop-limit, once triggered, becomes a limit
at its ``stoplimit`` price, as MT5 does. The unfilled rest of a RETURN order keeps working and fills at the touch.
Orders with ``ORDER_TIME_SPECIFIED`` expire at their expiration, ``ORDER_TIME_DAY`` ones at the end of the UTC day.
A position's stop loss or take profit closes it at the touch (a buy at the bid, a sell at the ask) once the touch
reaches it: an order and an OUT deal with reason SL or TP and comment ``[sl PRICE]`` / ``[tp PRICE]``.
"""

from __future__ import annotations

from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double.account import is_buy
from nexus_gw.adapters.mt5.double.records import TickRow
from nexus_gw.adapters.mt5.double.trading import Trader
from nexus_gw.domain.matching import Quote, fill_price
from nexus_gw.domain.types import OrderType, Side

KIND = {
    c.ORDER_TYPE_BUY: OrderType.MARKET,
    c.ORDER_TYPE_SELL: OrderType.MARKET,
    c.ORDER_TYPE_BUY_LIMIT: OrderType.LIMIT,
    c.ORDER_TYPE_SELL_LIMIT: OrderType.LIMIT,
    c.ORDER_TYPE_BUY_STOP: OrderType.STOP,
    c.ORDER_TYPE_SELL_STOP: OrderType.STOP,
    c.ORDER_TYPE_BUY_STOP_LIMIT: OrderType.STOP,
    c.ORDER_TYPE_SELL_STOP_LIMIT: OrderType.STOP,
}
DAY_MSC = 86_400_000


def quote_of(tick: TickRow) -> Quote:
    return Quote(bid=tick.bid, ask=tick.ask, last=tick.last or tick.bid)


def expired(order: dict[str, Any], now_msc: int) -> bool:
    if order["type_time"] == c.ORDER_TIME_SPECIFIED and order["time_expiration"]:
        return now_msc // 1000 >= order["time_expiration"]
    if order["type_time"] == c.ORDER_TIME_DAY:
        return now_msc // DAY_MSC > order["time_setup_msc"] // DAY_MSC
    return False


def on_tick(trader: Trader, symbol: str, tick: TickRow) -> None:
    """Revalue ``symbol``'s positions and work its orders against ``tick``."""
    spec = trader.market.broker.spec(symbol)
    if spec is None:
        return
    books = trader.books
    books.mark(symbol, tick.bid, tick.ask, spec)
    quote = quote_of(tick)
    for order in [o for o in books.orders.values() if o["symbol"] == symbol]:
        if expired(order, tick.time_msc):
            books.finish(order, c.ORDER_STATE_EXPIRED, tick.time_msc)
            continue
        side = Side.BUY if is_buy(order["type"]) else Side.SELL
        kind = KIND[order["type"]]
        price = order["price_open"]
        execution = fill_price(
            side,
            kind,
            quote,
            limit_price=price if kind is OrderType.LIMIT else None,
            stop_price=price if kind is OrderType.STOP else None,
        )
        if execution.price is None:
            continue
        if order["type"] in (c.ORDER_TYPE_BUY_STOP_LIMIT, c.ORDER_TYPE_SELL_STOP_LIMIT):
            order["type"] = c.ORDER_TYPE_BUY_LIMIT if side is Side.BUY else c.ORDER_TYPE_SELL_LIMIT
            order["price_open"] = order["price_stoplimit"]
            continue  # the limit it became works from the next tick
        trader.fill_marketable(order, spec, execution.price, refuse_fok=False)
    for position in [p for p in books.positions.values() if p["symbol"] == symbol and (p["sl"] or p["tp"])]:
        _stop_out(trader, position, tick)


def _stop_out(trader: Trader, position: dict[str, Any], tick: TickRow) -> None:
    """Close ``position`` at the touch when it has reached its stop loss or take profit."""
    buy = position["type"] == c.POSITION_TYPE_BUY
    price = tick.bid if buy else tick.ask
    sl, tp = position["sl"], position["tp"]
    if sl and (price <= sl if buy else price >= sl):
        reason, level, name = c.DEAL_REASON_SL, sl, "sl"
    elif tp and (price >= tp if buy else price <= tp):
        reason, level, name = c.DEAL_REASON_TP, tp, "tp"
    else:
        return
    spec = trader.market.broker.spec(position["symbol"])
    assert spec is not None
    request = {
        "type": c.ORDER_TYPE_SELL if buy else c.ORDER_TYPE_BUY,
        "volume": position["volume"],
        "symbol": position["symbol"],
        "position": position["ticket"],
        "magic": position["magic"],
        "comment": f"[{name} {level}]",
        "type_filling": c.ORDER_FILLING_IOC,
    }
    order = trader.books.new_order(request, tick.time_msc, price)
    order["reason"] = reason
    deal = trader.books.fill(order, position["volume"], price, tick.time_msc, spec)
    deal["reason"] = reason
    trader.books.finish(order, c.ORDER_STATE_FILLED, tick.time_msc)
