"""The fake Bookmap's instruments, book and orders: what it answers, as lines of the package's protocol. No I/O.

Each method returns the lines (without LF) Bookmap would send in answer, built with ``frames.join``; the server
(``server.py``) writes them. Prices in depth and trades are price levels, sizes size levels; order and execution
prices are real prices (``frames.py``, ``symbols.py``). Orders keep the client id the addon gave them, so a
reconnecting addon finds its orders in the replay of the order list (sent when it subscribes to order info).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from .. import frames as f

DEPTH_LEVELS = 10


@dataclass
class FakeInstrument:
    alias: str
    pips: float
    price: float
    """Starting mid price (real)."""
    size_multiplier: float = 1.0
    instrument_multiplier: float = 20.0
    trading: bool = True
    full_name: str = ""

    def info(self) -> str:
        features = {"trading": self.trading, "depth": True, "mbo": False, "isTradingSubscriptionSupported": True}
        name = self.full_name or self.alias.split("@")[0].split(".")[0]
        return f.join(
            f.INSTRUMENT_INFO,
            self.alias,
            name,
            0,
            self.pips,
            self.size_multiplier,
            self.instrument_multiplier,
            json.dumps(features),
        )


@dataclass
class FakeOrder:
    order_id: str
    alias: str
    client_id: str
    is_buy: bool
    size: int
    limit: float | None
    stop: float | None
    duration: str
    status: str = "PENDING_SUBMIT"
    filled: int = 0
    value: float = 0.0
    triggered: bool = False
    executions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.limit is not None and self.stop is not None:
            return "STP_LMT"
        return "LMT" if self.limit is not None else "STP" if self.stop is not None else "MKT"

    def update(self) -> str:
        avg = self.value / self.filled if self.filled else math.nan
        body = {
            "instrumentAlias": self.alias,
            "orderId": self.order_id,
            "clientId": self.client_id,
            "isBuy": self.is_buy,
            "type": self.kind,
            "doNotIncrease": False,
            "filled": self.filled,
            "unfilled": self.size - self.filled,
            "averageFillPrice": avg,
            "duration": self.duration,
            "status": self.status,
            "limitPrice": math.nan if self.limit is None else self.limit,
            "stopPrice": math.nan if self.stop is None else self.stop,
            "stopTriggered": self.triggered,
            "modificationUtcTime": int(time.time() * 1000),
            "isSimulated": True,
            "isDuplicate": False,
        }
        for key in ("filled", "unfilled", "averageFillPrice", "status", "limitPrice", "stopPrice"):
            body[f"{key}Changed"] = True
        return f.join(f.UPDATE_ORDER, json.dumps(body))


class FakeMarket:
    """Instruments, their books (a mid level moving by one tick) and the orders of the one account."""

    def __init__(self, instruments: list[FakeInstrument], parts: int = 2, max_size: int = 100, seed: int = 0) -> None:
        self.instruments = {i.alias: i for i in instruments}
        self.mid = {i.alias: round(i.price / i.pips) for i in instruments}
        self.last = dict(self.mid)
        self.parts = max(1, parts)
        self.max_size = max_size
        self.orders: dict[str, FakeOrder] = {}
        self.position: dict[str, int] = {alias: 0 for alias in self.instruments}
        self._ids = itertools.count(1)
        self._execs = itertools.count(1)
        self._random = random.Random(seed)

    def bid(self, alias: str) -> int:
        return self.mid[alias]

    def ask(self, alias: str) -> int:
        return self.mid[alias] + 1

    # -- market data ----------------------------------------------------------------------------------------
    def depth_snapshot(self, alias: str) -> list[str]:
        lines = []
        for i in range(DEPTH_LEVELS):
            lines.append(f.join(f.DEPTH, alias, 1, self.bid(alias) - i, 5 + i))
            lines.append(f.join(f.DEPTH, alias, 0, self.ask(alias) + i, 5 + i))
        return lines

    def step(self, alias: str) -> list[str]:
        """The market moves (or not) by one tick and trades once; then resting orders are checked."""
        move = self._random.choice((-1, 0, 0, 1))
        lines: list[str] = []
        if move:
            old_bid, old_ask = self.bid(alias), self.ask(alias)
            self.mid[alias] += move
            if move > 0:  # the old ask is now the bid; a new level on the far ask side
                lines += [f.join(f.DEPTH, alias, 0, old_ask, 0), f.join(f.DEPTH, alias, 1, old_ask, 5)]
                lines.append(f.join(f.DEPTH, alias, 0, self.ask(alias) + DEPTH_LEVELS - 1, 5 + DEPTH_LEVELS))
                lines.append(f.join(f.DEPTH, alias, 1, self.bid(alias) - DEPTH_LEVELS, 0))
            else:
                lines += [f.join(f.DEPTH, alias, 1, old_bid, 0), f.join(f.DEPTH, alias, 0, old_bid, 5)]
                lines.append(f.join(f.DEPTH, alias, 1, self.bid(alias) - DEPTH_LEVELS + 1, 5 + DEPTH_LEVELS))
                lines.append(f.join(f.DEPTH, alias, 0, self.ask(alias) + DEPTH_LEVELS, 0))
        buyer = self._random.random() < 0.5
        level = self.ask(alias) if buyer else self.bid(alias)
        self.last[alias] = level
        lines.append(f.join(f.TRADE, alias, float(level), 1, 0, int(buyer), 1, 1, "", ""))
        lines.append(f.join(f.ON_INTERVAL, alias))
        for order in list(self.orders.values()):
            if order.alias == alias and order.status == "WORKING":
                lines += self._match(order)
        return lines

    # -- orders ---------------------------------------------------------------------------------------------
    def send_order(self, body: dict[str, Any]) -> list[str]:
        """A ``19`` order; [] for an alias Bookmap does not know (Bookmap never answers those)."""
        alias = str(body["alias"])
        instrument = self.instruments.get(alias)
        if instrument is None:
            return []
        order = FakeOrder(
            order_id=f"bm{next(self._ids)}",
            alias=alias,
            client_id=str(body.get("clientId", "")),
            is_buy=bool(body["isBuy"]),
            size=int(body["size"]),
            limit=float(body["limitPrice"]) if "limitPrice" in body else None,
            stop=float(body["stopPrice"]) if "stopPrice" in body else None,
            duration=str(body.get("duration", "GTC")),
        )
        self.orders[order.order_id] = order
        lines = [order.update()]
        if order.size < 1 or order.size > self.max_size or not instrument.trading:
            order.status = "REJECTED"
            return [*lines, order.update()]
        order.status = "WORKING"
        return [*lines, order.update(), *self._match(order)]

    def cancel(self, alias: str, order_id: str) -> list[str]:
        order = self.orders.get(order_id)
        if order is None or order.alias != alias or order.status != "WORKING":
            return []
        order.status = "CANCELLED"
        return [order.update()]

    def _match(self, order: FakeOrder) -> list[str]:
        alias = order.alias
        pips = self.instruments[alias].pips
        price_level = self.ask(alias) if order.is_buy else self.bid(alias)
        if order.stop is not None and not order.triggered:
            last = self.last[alias] * pips
            if (order.is_buy and last < order.stop - 1e-9) or (not order.is_buy and last > order.stop + 1e-9):
                return []
            order.triggered = True
        if order.limit is not None:
            price = price_level * pips
            if (order.is_buy and price > order.limit + 1e-9) or (not order.is_buy and price < order.limit - 1e-9):
                return []
        return self._fill(order, round(price_level * pips, 10))

    def _fill(self, order: FakeOrder, price: float) -> list[str]:
        lines: list[str] = []
        remaining = order.size - order.filled
        chunk = max(1, math.ceil(order.size / self.parts))
        while remaining > 0:
            size = min(chunk, remaining)
            remaining -= size
            order.filled += size
            order.value += size * price
            if order.filled >= order.size:
                order.status = "FILLED"
            execution = {
                "orderId": order.order_id,
                "size": size,
                "price": price,
                "executionId": f"ex{next(self._execs)}",
                "time": int(time.time() * 1000),
                "isSimulated": True,
            }
            order.executions.append(execution)
            self.position[order.alias] += size if order.is_buy else -size
            lines += [self.execution_line(order, execution), order.update(), self.position_line(order.alias)]
        return lines

    @staticmethod
    def execution_line(order: FakeOrder, execution: dict[str, Any]) -> str:
        return f.join(f.EXECUTE_ORDER, order.alias, json.dumps(execution))

    def position_line(self, alias: str) -> str:
        body = {
            "instrumentAlias": alias,
            "unrealizedPnl": 0.0,
            "realizedPnl": 0.0,
            "position": self.position[alias],
            "averagePrice": 0.0,
            "volume": sum(o.filled for o in self.orders.values() if o.alias == alias),
            "workingBuys": sum(o.size - o.filled for o in self.working(alias) if o.is_buy),
            "workingSells": sum(o.size - o.filled for o in self.working(alias) if not o.is_buy),
            "isDuplicate": False,
        }
        return f.join(f.POSITION_UPDATE, json.dumps(body))

    def working(self, alias: str) -> list[FakeOrder]:
        return [o for o in self.orders.values() if o.alias == alias and o.status == "WORKING"]

    def replay(self, alias: str) -> list[str]:
        """Every order of ``alias`` in its latest state and its executions (an addon subscribing to order info)."""
        lines: list[str] = []
        for order in self.orders.values():
            if order.alias == alias:
                lines.append(order.update())
                lines += [self.execution_line(order, e) for e in order.executions]
        return [*lines, self.position_line(alias)]
