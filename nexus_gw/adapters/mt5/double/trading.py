"""order_send and order_check of the double: each request checked the way the trade server checks it, then executed.

A request is refused with the retcode the real server uses (see ``constants.RETCODE_TEXT``); an accepted one fills
market orders at the touch and leaves pending orders working for ``working.py`` to trigger and fill.
Liquidity per symbol (``liquidity``, unlimited by default) is the most one request or one tick can fill: beyond it
FOK is refused, IOC fills part and cancels the rest (DONE_PARTIAL), RETURN fills part and keeps the rest working.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double.account import Books, is_buy, vol
from nexus_gw.adapters.mt5.double.brokers import SymbolSpec
from nexus_gw.adapters.mt5.double.market import Market

MARKET_TYPES = frozenset({c.ORDER_TYPE_BUY, c.ORDER_TYPE_SELL})
PENDING_TYPES = frozenset(range(c.ORDER_TYPE_BUY_LIMIT, c.ORDER_TYPE_SELL_STOP_LIMIT + 1))


class Refused(Exception):
    def __init__(self, retcode: int) -> None:
        super().__init__(c.RETCODE_TEXT.get(retcode, str(retcode)))
        self.retcode = retcode


@dataclass
class Outcome:
    retcode: int
    deal: int = 0
    order: int = 0
    volume: float = 0.0
    price: float = 0.0


class Trader:
    def __init__(self, market: Market, books: Books) -> None:
        self.market = market
        self.books = books
        self.liquidity: dict[str, float] = {}

    # -- checks shared by order_check and order_send
    def spec(self, request: dict[str, Any]) -> SymbolSpec:
        spec = self.market.broker.spec(str(request.get("symbol", "")))
        if spec is None:
            raise Refused(c.TRADE_RETCODE_INVALID)
        return spec

    def check(self, request: dict[str, Any]) -> SymbolSpec:
        """Raise Refused with the server's retcode if ``request`` would be refused; the symbol's spec if not."""
        action = request.get("action")
        if action in (c.TRADE_ACTION_REMOVE, c.TRADE_ACTION_MODIFY):
            if int(request.get("order", 0) or 0) not in self.books.orders:
                raise Refused(c.TRADE_RETCODE_INVALID_ORDER)
            spec = self.spec(self.books.orders[int(request["order"])])
            if action == c.TRADE_ACTION_MODIFY:
                self._check_pending_price(spec, {**self.books.orders[int(request["order"])], **request})
            return spec
        if action == c.TRADE_ACTION_SLTP:
            position = self.books.positions.get(int(request.get("position", 0) or 0))
            if position is None:
                raise Refused(c.TRADE_RETCODE_POSITION_CLOSED)
            return self.spec(position)
        if action not in (c.TRADE_ACTION_DEAL, c.TRADE_ACTION_PENDING):
            raise Refused(c.TRADE_RETCODE_INVALID)
        spec = self.spec(request)
        order_type = request.get("type")
        if order_type not in (MARKET_TYPES if action == c.TRADE_ACTION_DEAL else PENDING_TYPES):
            raise Refused(c.TRADE_RETCODE_INVALID)
        if spec.trade_mode == c.SYMBOL_TRADE_MODE_DISABLED:
            raise Refused(c.TRADE_RETCODE_TRADE_DISABLED)
        if not self.market.is_open(spec.name):
            raise Refused(c.TRADE_RETCODE_MARKET_CLOSED)
        if self.market.last_tick(spec.name) is None:
            raise Refused(c.TRADE_RETCODE_PRICE_OFF)
        self._check_volume(spec, request)
        self._check_filling(spec, request)
        closing = self._check_position(spec, request)
        price = self._reference_price(spec, request)
        self._check_stops(spec, request, price)
        if action == c.TRADE_ACTION_PENDING:
            self._check_pending_price(spec, request)
            if request.get("type_time") == c.ORDER_TIME_SPECIFIED and int(request.get("expiration", 0) or 0) <= (
                self.market.now_msc // 1000
            ):
                raise Refused(c.TRADE_RETCODE_INVALID_EXPIRATION)
        if not closing and self.margin_needed(spec, float(request["volume"])) > self.free_margin():
            raise Refused(c.TRADE_RETCODE_NO_MONEY)
        return spec

    @staticmethod
    def _check_volume(spec: SymbolSpec, request: dict[str, Any]) -> None:
        volume = request.get("volume")
        if not isinstance(volume, int | float) or isinstance(volume, bool):
            raise Refused(c.TRADE_RETCODE_INVALID_VOLUME)
        steps = (volume - spec.volume_min) / spec.volume_step
        if volume < spec.volume_min or volume > spec.volume_max or abs(steps - round(steps)) > 1e-6:
            raise Refused(c.TRADE_RETCODE_INVALID_VOLUME)

    @staticmethod
    def _check_filling(spec: SymbolSpec, request: dict[str, Any]) -> None:
        filling = request.get("type_filling", c.ORDER_FILLING_FOK)
        bit = {c.ORDER_FILLING_FOK: 1, c.ORDER_FILLING_IOC: 2, c.ORDER_FILLING_BOC: 4}.get(filling)
        if filling == c.ORDER_FILLING_RETURN:
            pending = request.get("action") == c.TRADE_ACTION_PENDING
            if pending or spec.exemode in (c.SYMBOL_TRADE_EXECUTION_MARKET, c.SYMBOL_TRADE_EXECUTION_EXCHANGE):
                return
        elif bit is not None and spec.filling_mode & bit:
            return
        raise Refused(c.TRADE_RETCODE_INVALID_FILL)

    def _check_position(self, spec: SymbolSpec, request: dict[str, Any]) -> bool:
        """True when the request closes (part of) a position; refuses a bad ``position`` ticket or volume."""
        ticket = int(request.get("position", 0) or 0)
        if self.books.hedging:
            if not ticket:
                return False
            position = self.books.positions.get(ticket)
        else:
            position = self.books.netting_position(spec.name)
            if ticket and (position is None or position["ticket"] != ticket):
                raise Refused(c.TRADE_RETCODE_POSITION_CLOSED)
        if position is None:
            if ticket:
                raise Refused(c.TRADE_RETCODE_POSITION_CLOSED)
            return False
        opposite = (position["type"] == c.POSITION_TYPE_BUY) != is_buy(int(request["type"]))
        if ticket and (position["symbol"] != spec.name or not opposite):
            raise Refused(c.TRADE_RETCODE_INVALID)
        if ticket and float(request["volume"]) > position["volume"] + 1e-9:
            raise Refused(c.TRADE_RETCODE_INVALID_CLOSE_VOLUME)
        return opposite and float(request["volume"]) <= position["volume"] + 1e-9

    def _reference_price(self, spec: SymbolSpec, request: dict[str, Any]) -> float:
        if request["action"] == c.TRADE_ACTION_PENDING:
            return float(request.get("price", 0.0) or 0.0)
        tick = self.market.last_tick(spec.name)
        assert tick is not None
        return tick.ask if is_buy(int(request["type"])) else tick.bid

    @staticmethod
    def _check_stops(spec: SymbolSpec, request: dict[str, Any], price: float) -> None:
        sl, tp = float(request.get("sl", 0.0) or 0.0), float(request.get("tp", 0.0) or 0.0)
        gap = spec.stops_level * spec.point
        buy = is_buy(int(request["type"]))
        if sl and (sl > price - gap if buy else sl < price + gap):
            raise Refused(c.TRADE_RETCODE_INVALID_STOPS)
        if tp and (tp < price + gap if buy else tp > price - gap):
            raise Refused(c.TRADE_RETCODE_INVALID_STOPS)

    def _check_pending_price(self, spec: SymbolSpec, request: dict[str, Any]) -> None:
        price = float(request.get("price", request.get("price_open", 0.0)) or 0.0)
        ticks = price / spec.tick_size
        if price <= 0 or abs(ticks - round(ticks)) > 1e-6:
            raise Refused(c.TRADE_RETCODE_INVALID_PRICE)
        if spec.exemode == c.SYMBOL_TRADE_EXECUTION_EXCHANGE:
            return  # an exchange takes a marketable limit (it fills) and a stop already through (it triggers)
        tick = self.market.last_tick(spec.name)
        assert tick is not None
        order_type = int(request["type"])
        wrong_side = {
            c.ORDER_TYPE_BUY_LIMIT: price >= tick.ask,
            c.ORDER_TYPE_SELL_LIMIT: price <= tick.bid,
            c.ORDER_TYPE_BUY_STOP: price <= tick.ask,
            c.ORDER_TYPE_SELL_STOP: price >= tick.bid,
            c.ORDER_TYPE_BUY_STOP_LIMIT: price <= tick.ask,
            c.ORDER_TYPE_SELL_STOP_LIMIT: price >= tick.bid,
        }
        if wrong_side.get(order_type, False):
            raise Refused(c.TRADE_RETCODE_INVALID_PRICE)

    # -- money
    def margin_needed(self, spec: SymbolSpec, volume: float) -> float:
        return round(volume * spec.margin_initial, 2)

    def equity(self) -> float:
        return round(self.books.balance + self.books.floating(), 2)

    def free_margin(self) -> float:
        return round(self.equity() - self.books.margin(), 2)

    # -- execution
    def execute(self, request: dict[str, Any]) -> Outcome:
        spec = self.check(request)
        action = request["action"]
        now = self.market.now_msc
        if action == c.TRADE_ACTION_REMOVE:
            order = self.books.orders[int(request["order"])]
            self.books.finish(order, c.ORDER_STATE_CANCELED, now)
            return Outcome(c.TRADE_RETCODE_DONE, order=order["ticket"])
        if action == c.TRADE_ACTION_MODIFY:
            order = self.books.orders[int(request["order"])]
            for key, field in (("price", "price_open"), ("sl", "sl"), ("tp", "tp"), ("stoplimit", "price_stoplimit")):
                if key in request:
                    order[field] = float(request[key])
            if "type_time" in request:
                order["type_time"] = int(request["type_time"])
            if "expiration" in request:
                order["time_expiration"] = int(request["expiration"])
            return Outcome(c.TRADE_RETCODE_DONE, order=order["ticket"])
        if action == c.TRADE_ACTION_SLTP:
            position = self.books.positions[int(request["position"])]
            position.update(sl=float(request.get("sl", 0.0) or 0.0), tp=float(request.get("tp", 0.0) or 0.0))
            return Outcome(c.TRADE_RETCODE_DONE)
        tick = self.market.last_tick(spec.name)
        assert tick is not None
        order = self.books.new_order(request, now, tick.ask if is_buy(int(request["type"])) else tick.bid)
        if action == c.TRADE_ACTION_PENDING:
            order["state"] = c.ORDER_STATE_PLACED
            return Outcome(c.TRADE_RETCODE_PLACED, order=order["ticket"], volume=order["volume_initial"])
        return self.fill_marketable(order, spec, order["price_current"], refuse_fok=True)

    def fill_marketable(self, order: dict[str, Any], spec: SymbolSpec, price: float, *, refuse_fok: bool) -> Outcome:
        """Fill ``order`` at ``price`` as far as liquidity allows, per its filling mode."""
        wanted = order["volume_current"]
        available = self.liquidity.get(spec.name, float("inf"))
        now = self.market.now_msc
        filling = order["type_filling"]
        if available + 1e-9 < wanted and filling == c.ORDER_FILLING_FOK:
            if refuse_fok:
                self.books.orders.pop(order["ticket"], None)
                return Outcome(c.TRADE_RETCODE_REJECT)
            return Outcome(c.TRADE_RETCODE_PLACED, order=order["ticket"])  # a pending FOK waits for the whole
        if available < wanted:  # whole volume steps of what the book offers
            volume = vol(math.floor(available / spec.volume_step + 1e-9) * spec.volume_step)
        else:
            volume = wanted
        if volume <= 0:
            if filling == c.ORDER_FILLING_IOC:
                self.books.finish(order, c.ORDER_STATE_CANCELED, now)
                return Outcome(c.TRADE_RETCODE_CANCEL, order=order["ticket"])
            order["state"] = c.ORDER_STATE_PLACED
            return Outcome(c.TRADE_RETCODE_PLACED, order=order["ticket"])
        deal = self.books.fill(order, volume, price, now, spec)
        if order["volume_current"] <= 0:
            self.books.finish(order, c.ORDER_STATE_FILLED, now)
            return Outcome(c.TRADE_RETCODE_DONE, deal["ticket"], order["ticket"], volume, price)
        if filling == c.ORDER_FILLING_IOC:
            self.books.finish(order, c.ORDER_STATE_CANCELED, now)
        else:
            order["state"] = c.ORDER_STATE_PARTIAL
        return Outcome(c.TRADE_RETCODE_DONE_PARTIAL, deal["ticket"], order["ticket"], volume, price)
