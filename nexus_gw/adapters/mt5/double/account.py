"""The account's books: orders, positions and deals, and how a fill changes them on netting and hedging accounts.

Records are kept as plain dicts whose keys are the real record's fields (so they persist as JSON and become
``TradeOrder``/``TradePosition``/``TradeDeal`` with ``Record(**row)``).

- Netting (margin mode 0 or 1): one position per symbol; an opposite deal reduces it (entry OUT), closes it (OUT)
  or reverses it (INOUT: the position takes the reversing order's ticket, its ``identifier`` stays).
- Hedging (margin mode 2): each deal opens a new position, unless the request names one with ``position``, which
  the deal then closes or reduces (entry OUT).
"""

from __future__ import annotations

from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double.brokers import Broker, SymbolSpec

BUY_TYPES = frozenset({c.ORDER_TYPE_BUY, c.ORDER_TYPE_BUY_LIMIT, c.ORDER_TYPE_BUY_STOP, c.ORDER_TYPE_BUY_STOP_LIMIT})

Row = dict[str, Any]


def is_buy(order_type: int) -> bool:
    return order_type in BUY_TYPES


def vol(value: float) -> float:
    return round(float(value), 8)


class Books:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.margin_mode = broker.margin_mode
        self.balance = broker.balance
        self.next_order = 100_000_001
        self.next_deal = 200_000_001
        self.orders: dict[int, Row] = {}  # working orders (orders_get)
        self.history_orders: dict[int, Row] = {}
        self.positions: dict[int, Row] = {}
        self.deals: list[Row] = []

    @property
    def hedging(self) -> bool:
        return self.margin_mode == c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING

    # -- orders
    def new_order(self, request: dict[str, Any], now_msc: int, price_current: float) -> Row:
        ticket = self.next_order
        self.next_order += 1
        order = {
            "ticket": ticket,
            "time_setup": now_msc // 1000,
            "time_setup_msc": now_msc,
            "time_done": 0,
            "time_done_msc": 0,
            "time_expiration": int(request.get("expiration", 0) or 0),
            "type": int(request["type"]),
            "type_time": int(request.get("type_time", c.ORDER_TIME_GTC)),
            "type_filling": int(request.get("type_filling", c.ORDER_FILLING_FOK)),
            "state": c.ORDER_STATE_STARTED,
            "magic": int(request.get("magic", 0)),
            "position_id": int(request.get("position", 0) or 0),
            "position_by_id": int(request.get("position_by", 0) or 0),
            "reason": c.ORDER_REASON_EXPERT,
            "volume_initial": vol(request["volume"]),
            "volume_current": vol(request["volume"]),
            "price_open": float(request.get("price", 0.0) or 0.0),
            "sl": float(request.get("sl", 0.0) or 0.0),
            "tp": float(request.get("tp", 0.0) or 0.0),
            "price_current": price_current,
            "price_stoplimit": float(request.get("stoplimit", 0.0) or 0.0),
            "symbol": str(request["symbol"]),
            "comment": str(request.get("comment", ""))[:31],
            "external_id": "",
        }
        self.orders[ticket] = order
        return order

    def finish(self, order: Row, state: int, now_msc: int) -> None:
        """Move ``order`` to history in ``state`` (FILLED, CANCELED, EXPIRED…)."""
        order.update(state=state, time_done=now_msc // 1000, time_done_msc=now_msc)
        self.orders.pop(order["ticket"], None)
        self.history_orders[order["ticket"]] = order

    # -- positions
    def netting_position(self, symbol: str) -> Row | None:
        return next((p for p in self.positions.values() if p["symbol"] == symbol), None)

    def fill(self, order: Row, volume: float, price: float, now_msc: int, spec: SymbolSpec) -> Row:
        """Book one deal of ``volume`` at ``price`` for ``order``; returns the deal."""
        volume = vol(volume)
        order["volume_current"] = vol(order["volume_current"] - volume)
        target = order["position_id"]
        if self.hedging:
            position = self.positions.get(target) if target else None
        else:
            position = self.netting_position(order["symbol"])
        buy = is_buy(order["type"])
        if position is None:
            entry, profit, position = c.DEAL_ENTRY_IN, 0.0, self._open(order, volume, price, now_msc)
        elif (position["type"] == c.POSITION_TYPE_BUY) == buy:
            entry, profit = c.DEAL_ENTRY_IN, 0.0
            total = vol(position["volume"] + volume)
            position["price_open"] = round((position["price_open"] * position["volume"] + price * volume) / total, 8)
            position["volume"] = total
        else:
            closed = min(volume, position["volume"])
            profit = self._profit(position, closed, price, spec)
            remaining = vol(position["volume"] - volume)
            entry = c.DEAL_ENTRY_OUT if remaining >= 0 else c.DEAL_ENTRY_INOUT
            if remaining > 0:
                position["volume"] = remaining
            elif remaining == 0:
                del self.positions[position["ticket"]]
            else:  # netting reversal: the reversing order's ticket, the same identifier
                del self.positions[position["ticket"]]
                position.update(
                    ticket=order["ticket"],
                    type=c.POSITION_TYPE_BUY if buy else c.POSITION_TYPE_SELL,
                    volume=-remaining,
                    price_open=price,
                    magic=order["magic"],
                    comment=order["comment"],
                )
                self.positions[order["ticket"]] = position
            self.balance = round(self.balance + profit, 2)
        position.update(time_update=now_msc // 1000, time_update_msc=now_msc)
        deal = {
            "ticket": self.next_deal,
            "order": order["ticket"],
            "time": now_msc // 1000,
            "time_msc": now_msc,
            "type": c.DEAL_TYPE_BUY if buy else c.DEAL_TYPE_SELL,
            "entry": entry,
            "magic": order["magic"],
            "position_id": position["identifier"],
            "reason": c.DEAL_REASON_EXPERT,
            "volume": volume,
            "price": price,
            "commission": 0.0,
            "swap": 0.0,
            "profit": profit,
            "fee": 0.0,
            "symbol": order["symbol"],
            "comment": order["comment"],
            "external_id": "",
        }
        self.next_deal += 1
        self.deals.append(deal)
        if not order["position_id"]:
            order["position_id"] = position["identifier"]
        return deal

    def _open(self, order: Row, volume: float, price: float, now_msc: int) -> Row:
        position = {
            "ticket": order["ticket"],
            "time": now_msc // 1000,
            "time_msc": now_msc,
            "time_update": now_msc // 1000,
            "time_update_msc": now_msc,
            "type": c.POSITION_TYPE_BUY if is_buy(order["type"]) else c.POSITION_TYPE_SELL,
            "magic": order["magic"],
            "identifier": order["ticket"],
            "reason": c.POSITION_REASON_EXPERT,
            "volume": volume,
            "price_open": price,
            "sl": order["sl"],
            "tp": order["tp"],
            "price_current": price,
            "swap": 0.0,
            "profit": 0.0,
            "symbol": order["symbol"],
            "comment": order["comment"],
            "external_id": "",
        }
        self.positions[order["ticket"]] = position
        return position

    @staticmethod
    def _profit(position: Row, volume: float, price: float, spec: SymbolSpec) -> float:
        sign = 1.0 if position["type"] == c.POSITION_TYPE_BUY else -1.0
        return round(sign * (price - position["price_open"]) / spec.tick_size * spec.tick_value * volume, 2)

    def mark(self, symbol: str, bid: float, ask: float, spec: SymbolSpec) -> None:
        """Revalue ``symbol``'s positions at the current quote (a buy closes at the bid, a sell at the ask)."""
        for position in self.positions.values():
            if position["symbol"] == symbol:
                price = bid if position["type"] == c.POSITION_TYPE_BUY else ask
                position["price_current"] = price
                position["profit"] = self._profit(position, position["volume"], price, spec)

    def floating(self) -> float:
        return round(sum(p["profit"] for p in self.positions.values()), 2)

    def margin(self) -> float:
        total = 0.0
        for position in self.positions.values():
            spec = self.broker.spec(position["symbol"])
            total += position["volume"] * (spec.margin_initial if spec else 0.0)
        return round(total, 2)

    # -- persistence
    def state(self) -> dict[str, Any]:
        return {
            "margin_mode": self.margin_mode,
            "balance": self.balance,
            "next_order": self.next_order,
            "next_deal": self.next_deal,
            "orders": list(self.orders.values()),
            "history_orders": list(self.history_orders.values()),
            "positions": list(self.positions.values()),
            "deals": self.deals,
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.margin_mode = int(state["margin_mode"])
        self.balance = float(state["balance"])
        self.next_order = int(state["next_order"])
        self.next_deal = int(state["next_deal"])
        self.orders = {o["ticket"]: o for o in state["orders"]}
        self.history_orders = {o["ticket"]: o for o in state["history_orders"]}
        self.positions = {p["ticket"]: p for p in state["positions"]}
        self.deals = list(state["deals"])
