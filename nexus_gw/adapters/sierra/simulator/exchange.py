"""The simulated exchange behind the DTC simulator: prices, orders, fills, positions. No sockets.

Every method takes and returns DTC message dataclasses, so the server part (``simulator.py``) only routes them.
State lives as long as the object (the simulator process), across client reconnects; ``export_state`` and
``restore_state`` carry it across a restart of the process (``sim_state.py`` keeps it in a file). Thread-safe.

Price model: per symbol a random walk on the tick grid around a base price; the best bid is the current price
and the best ask one tick above; the last trade price is the price of the last trade (``step``) or the price set by
``set_price``. Fill model: the gateway's one fill model, ``nexus_gw.domain.matching.fill_price`` (MARKET at the
touch; LIMIT when the touch crosses it, at the touch; STOP triggers when the LAST trade price reaches it, then at
the touch); STOP_LIMIT triggers like a stop and then fills like a limit at Price2. Each order fills in up to
``partial_fill_slices`` executions.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from nexus_gw.domain.matching import Quote, fill_price, limit_crossed, stop_triggered, touch
from nexus_gw.protocol.constants import OrderType as GatewayOrderType
from nexus_gw.protocol.constants import Side

from ..dtc import messages as m
from ..dtc.constants import (
    DBL_MAX,
    TERMINAL_ORDER_STATUSES,
    AtBidOrAsk,
    BuySell,
    OpenClose,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
    TimeInForce,
    TradingStatus,
)


@dataclass(frozen=True, slots=True)
class ExchangeSettings:
    """Behaviour of the simulated exchange (the subset of the simulator's settings it needs)."""

    symbols: Mapping[str, float]
    """Symbol → base price of its random walk."""
    trade_accounts: tuple[str, ...] = ("Sim1",)
    tick_size: float = 0.25
    allow_trading: bool = True
    partial_fill_slices: int = 2
    """Executions per order (1 = fill in one go); quantity is split as evenly as whole contracts allow."""


@dataclass(slots=True)
class _Market:
    price: float
    open: float
    high: float
    low: float
    volume: float = 0.0
    num_trades: int = 0
    bid_size: float = 10.0
    ask_size: float = 10.0
    last_size: float = 0.0
    last_time: float = 0.0
    last: float = 0.0
    """Price of the last trade (0: none yet, then the current price stands for it)."""


@dataclass(slots=True)
class _Order:
    server_order_id: str
    client_order_id: str
    account: str
    symbol: str
    exchange: str
    order_type: OrderType
    side: BuySell
    price1: float
    price2: float
    quantity: float
    time_in_force: TimeInForce
    username: str
    received_ms: int
    status: OrderStatus = OrderStatus.OPEN
    filled: float = 0.0
    notional: float = 0.0
    triggered: bool = False

    @property
    def remaining(self) -> float:
        return max(0.0, self.quantity - self.filled)

    @property
    def average(self) -> float:
        return self.notional / self.filled if self.filled else DBL_MAX


@dataclass(slots=True)
class _Fill:
    execution_id: str
    order: _Order
    price: float
    quantity: float
    time: float
    position_after: float
    open_close: OpenClose


@dataclass(slots=True)
class _Position:
    exchange: str = ""
    quantity: float = 0.0
    average: float = 0.0
    entry_time: int = 0


@dataclass(slots=True)
class FillOutcome:
    """Result of one fill attempt: messages to broadcast, and whether the order is still working."""

    messages: list[m.OrderUpdate | m.PositionUpdate] = field(default_factory=list)
    working: bool = False
    executed: bool = False


STATE_VERSION: Final = 1
"""Version of :meth:`SimExchange.export_state` data."""

_ORDER_FIELDS: Final = (
    "server_order_id",
    "client_order_id",
    "account",
    "symbol",
    "exchange",
    "price1",
    "price2",
    "quantity",
    "username",
    "received_ms",
    "filled",
    "notional",
    "triggered",
)


def _order_data(order: _Order) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(order, name) for name in _ORDER_FIELDS}
    data.update(
        order_type=int(order.order_type),
        side=int(order.side),
        time_in_force=int(order.time_in_force),
        status=int(order.status),
    )
    return data


def _order_from(data: Mapping[str, Any]) -> _Order:
    return _Order(
        server_order_id=str(data["server_order_id"]),
        client_order_id=str(data["client_order_id"]),
        account=str(data["account"]),
        symbol=str(data["symbol"]),
        exchange=str(data["exchange"]),
        order_type=OrderType(int(data["order_type"])),
        side=BuySell(int(data["side"])),
        price1=float(data["price1"]),
        price2=float(data["price2"]),
        quantity=float(data["quantity"]),
        time_in_force=TimeInForce(int(data["time_in_force"])),
        username=str(data["username"]),
        received_ms=int(data["received_ms"]),
        status=OrderStatus(int(data["status"])),
        filled=float(data["filled"]),
        notional=float(data["notional"]),
        triggered=bool(data["triggered"]),
    )


def _tag() -> str:
    """Short base-36 stamp of the process start, so IDs stay unique across simulator restarts."""
    n, digits = int(time.time() * 1000), "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


_GATEWAY_ORDER_TYPES: Final = {
    OrderType.MARKET: GatewayOrderType.MARKET,
    OrderType.LIMIT: GatewayOrderType.LIMIT,
    OrderType.STOP: GatewayOrderType.STOP,
}


class SimExchange:
    """Orders, executions and positions of the simulated DTC server."""

    def __init__(
        self,
        settings: ExchangeSettings,
        *,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._rng = rng or random.Random()
        self._wall = wall_clock
        self._lock = threading.RLock()
        if settings.tick_size <= 0:
            raise ValueError(f"tick_size must be > 0 (was {settings.tick_size}); use the instrument's price increment")
        self._markets = {s: _Market(self._on_grid(p), p, p, p) for s, p in settings.symbols.items()}
        self._orders: dict[str, _Order] = {}
        self._fills: list[_Fill] = []
        self._positions: dict[tuple[str, str], _Position] = {}
        self._tag = _tag()
        self._order_seq = 0
        self._fill_seq = 0

    # ----------------------------------------------------------------------------------------------- market

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._markets)

    def has_symbol(self, symbol: str) -> bool:
        return symbol in self._markets

    def _on_grid(self, price: float) -> float:
        tick = self.settings.tick_size
        return round(round(price / tick) * tick, 10)

    def bid_ask(self, symbol: str) -> tuple[float, float]:
        with self._lock:
            price = self._markets[symbol].price
            return price, self._on_grid(price + self.settings.tick_size)

    def set_price(self, symbol: str, price: float) -> None:
        """Move the market of ``symbol`` (the bid) to ``price`` (tests use it to trigger resting orders)."""
        with self._lock:
            market = self._markets[symbol]
            market.price = max(self.settings.tick_size, self._on_grid(price))
            market.last = market.price
            market.high = max(market.high, market.price)
            market.low = min(market.low, market.price)

    def step(self, symbol: str) -> tuple[m.MarketDataUpdateTrade, m.MarketDataUpdateBidAsk]:
        """Advance the random walk one step; return the trade and the new best bid/ask (SymbolID 0)."""
        rng = self._rng
        with self._lock:
            market = self._markets[symbol]
            tick = self.settings.tick_size
            market.price = max(tick, self._on_grid(market.price + tick * rng.choice((-1, 0, 1))))
            bid, ask = self.bid_ask(symbol)
            buyer = rng.random() < 0.5
            size = float(rng.randint(1, 5))
            now = self._wall()
            market.last_size, market.last_time = size, now
            market.last = ask if buyer else bid
            market.volume += size
            market.num_trades += 1
            market.high = max(market.high, ask if buyer else bid)
            market.low = min(market.low, ask if buyer else bid)
            market.bid_size, market.ask_size = float(rng.randint(1, 50)), float(rng.randint(1, 50))
            trade = m.MarketDataUpdateTrade(
                AtBidOrAsk=AtBidOrAsk.AT_ASK if buyer else AtBidOrAsk.AT_BID,
                Price=ask if buyer else bid,
                Volume=size,
                DateTime=now,
            )
            quote = m.MarketDataUpdateBidAsk(
                BidPrice=bid, BidQuantity=market.bid_size, AskPrice=ask, AskQuantity=market.ask_size, DateTime=int(now)
            )
            return trade, quote

    def snapshot(self, symbol: str, symbol_id: int) -> m.MarketDataSnapshot:
        with self._lock:
            market = self._markets[symbol]
            bid, ask = self.bid_ask(symbol)
            now = self._wall()
            return m.MarketDataSnapshot(
                SymbolID=symbol_id,
                SessionSettlementPrice=self.settings.symbols[symbol],
                SessionOpenPrice=market.open,
                SessionHighPrice=market.high,
                SessionLowPrice=market.low,
                SessionVolume=market.volume,
                SessionNumTrades=market.num_trades,
                BidPrice=bid,
                AskPrice=ask,
                AskQuantity=market.ask_size,
                BidQuantity=market.bid_size,
                LastTradePrice=market.price,
                LastTradeVolume=market.last_size if market.last_size else DBL_MAX,
                LastTradeDateTime=market.last_time,
                BidAskDateTime=now,
                TradingSessionDate=int(now // 86400 * 86400),
                TradingStatus=TradingStatus.OPEN,
            )

    # ------------------------------------------------------------------------------------------------ orders

    def submit(self, req: m.SubmitNewSingleOrder, username: str) -> tuple[m.OrderUpdate, str | None]:
        """Accept or reject a new order; return its first ORDER_UPDATE and its ServerOrderID when working."""
        with self._lock:
            self._order_seq += 1
            try:
                order_type, side, tif = OrderType(req.OrderType), BuySell(req.BuySell), TimeInForce(req.TimeInForce)
            except ValueError:
                order_type, side, tif = OrderType.UNSET, BuySell.UNSET, TimeInForce.UNSET
            order = _Order(
                server_order_id=f"{self._tag}-{self._order_seq}",
                client_order_id=req.ClientOrderID,
                account=req.TradeAccount,
                symbol=req.Symbol,
                exchange=req.Exchange,
                order_type=order_type,
                side=side,
                price1=req.Price1,
                price2=req.Price2,
                quantity=req.Quantity,
                time_in_force=tif,
                username=username,
                received_ms=int(self._wall() * 1000),
            )
            self._orders[order.server_order_id] = order
            problem = self._validate(req, order)
            if problem:
                order.status = OrderStatus.REJECTED
                return self._update(order, OrderUpdateReason.NEW_ORDER_REJECTED, info=problem), None
            accepted = self._update(order, OrderUpdateReason.NEW_ORDER_ACCEPTED, info="Order accepted")
            return accepted, order.server_order_id

    def _validate(self, req: m.SubmitNewSingleOrder, order: _Order) -> str:
        accounts = self.settings.trade_accounts
        if not self.settings.allow_trading:
            return "Trading is not allowed on this DTC server (enable Allow Trading)"
        if req.TradeAccount not in accounts:
            return f"Trade account '{req.TradeAccount}' does not exist (accounts: {', '.join(accounts) or 'none'})"
        if req.Symbol not in self._markets:
            return f"Symbol '{req.Symbol}' is not known to the simulator (known: {', '.join(self._markets)})"
        if order.side is BuySell.UNSET:
            return f"BuySell must be BUY (1) or SELL (2), got {req.BuySell}"
        if not (math.isfinite(req.Quantity) and 0 < req.Quantity < DBL_MAX):
            return f"Quantity must be positive, got {req.Quantity}"
        if order.order_type not in (OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT):
            return f"Order type {req.OrderType} is not supported by the simulator"
        needs = {OrderType.LIMIT: 1, OrderType.STOP: 1, OrderType.STOP_LIMIT: 2}.get(order.order_type, 0)
        prices = (req.Price1, req.Price2)[:needs]
        if any(not (math.isfinite(p) and 0 < p < DBL_MAX) for p in prices):
            return f"{order.order_type.name} order needs positive Price1{'/Price2' if needs == 2 else ''}"
        duplicate = any(
            o.client_order_id == req.ClientOrderID
            and o.account == req.TradeAccount
            and o is not order
            and o.status is not OrderStatus.REJECTED
            for o in self._orders.values()
            if req.ClientOrderID
        )
        if duplicate:
            return f"Duplicate ClientOrderID '{req.ClientOrderID}'"
        return ""

    def cancel(self, req: m.CancelOrder) -> m.OrderUpdate:
        with self._lock:
            order = self._orders.get(req.ServerOrderID) or self._by_client_id(req.ClientOrderID, req.TradeAccount)
            if order is None:
                return m.OrderUpdate(
                    ServerOrderID=req.ServerOrderID,
                    ClientOrderID=req.ClientOrderID,
                    TradeAccount=req.TradeAccount,
                    OrderStatus=OrderStatus.UNSPECIFIED,
                    OrderUpdateReason=OrderUpdateReason.ORDER_CANCEL_REJECTED,
                    InfoText=f"Order '{req.ServerOrderID or req.ClientOrderID}' not found",
                    TotalNumMessages=1,
                    MessageNumber=1,
                )
            if order.status in TERMINAL_ORDER_STATUSES:
                return self._update(
                    order,
                    OrderUpdateReason.ORDER_CANCEL_REJECTED,
                    info=f"Order cannot be canceled: it is already {order.status.name}",
                )
            order.status = OrderStatus.CANCELED
            return self._update(order, OrderUpdateReason.ORDER_CANCELED, info="Order canceled")

    def _by_client_id(self, client_order_id: str, account: str) -> _Order | None:
        if not client_order_id:
            return None
        for order in self._orders.values():
            if order.client_order_id == client_order_id and (not account or order.account == account):
                return order
        return None

    def is_working(self, server_order_id: str) -> bool:
        with self._lock:
            order = self._orders.get(server_order_id)
            return order is not None and order.status not in TERMINAL_ORDER_STATUSES

    def working_orders(self, symbol: str) -> list[str]:
        with self._lock:
            return [
                o.server_order_id
                for o in self._orders.values()
                if o.symbol == symbol and o.status not in TERMINAL_ORDER_STATUSES
            ]

    def _execution_price(self, order: _Order) -> float | None:
        """Price at which ``order`` can execute now, or ``None`` if it cannot (the one fill model)."""
        bid, ask = self.bid_ask(order.symbol)
        market = self._markets[order.symbol]
        quote = Quote(bid, ask, market.last or market.price)
        side = Side.BUY if order.side is BuySell.BUY else Side.SELL
        if order.order_type is OrderType.STOP_LIMIT:
            order.triggered = order.triggered or stop_triggered(side, order.price1, quote.last)
            return touch(side, quote) if order.triggered and limit_crossed(side, order.price2, quote) else None
        kind = _GATEWAY_ORDER_TYPES[order.order_type]
        result = fill_price(
            side, kind, quote, limit_price=order.price1, stop_price=order.price1, triggered=order.triggered
        )
        order.triggered = result.triggered
        return result.price

    def try_fill(self, server_order_id: str) -> FillOutcome:
        """Execute the next slice of a working order if the market allows; otherwise report it as resting."""
        with self._lock:
            order = self._orders.get(server_order_id)
            if order is None or order.status in TERMINAL_ORDER_STATUSES:
                return FillOutcome()
            price = self._execution_price(order)
            if price is None:
                return FillOutcome(working=True)
            qty = min(order.remaining, self._slice_size(order))
            order.filled += qty
            order.notional += qty * price
            done = order.remaining <= 1e-9
            order.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
            fill = self._record_fill(order, price, qty)
            reason = OrderUpdateReason.ORDER_FILLED if done else OrderUpdateReason.ORDER_FILLED_PARTIALLY
            update = self._update(order, reason, fill=fill)
            return FillOutcome(
                [update, self._position_message(order.account, order.symbol, order.exchange)],
                working=not done,
                executed=True,
            )

    def _slice_size(self, order: _Order) -> float:
        slices = max(1, self.settings.partial_fill_slices)
        size = order.quantity / slices
        if float(order.quantity).is_integer():
            size = float(math.ceil(size))
        return size

    def _record_fill(self, order: _Order, price: float, qty: float) -> _Fill:
        self._fill_seq += 1
        key = (order.account, order.symbol)
        pos = self._positions.setdefault(key, _Position(order.exchange))
        signed = qty if order.side is BuySell.BUY else -qty
        opening = pos.quantity == 0 or (pos.quantity > 0) == (signed > 0)
        new_qty = pos.quantity + signed
        if abs(new_qty) < 1e-9:
            new_qty, average = 0.0, 0.0
        elif opening:
            average = (pos.average * abs(pos.quantity) + price * qty) / abs(new_qty)
        elif (new_qty > 0) == (pos.quantity > 0):
            average = pos.average
        else:
            average = price  # the position flipped: the remainder opened at this price
        now = self._wall()
        if pos.quantity == 0 and new_qty != 0:
            pos.entry_time = int(now)
        pos.quantity, pos.average = new_qty, average
        fill = _Fill(
            execution_id=f"{self._tag}-F{self._fill_seq}",
            order=order,
            price=price,
            quantity=qty,
            time=now,
            position_after=new_qty,
            open_close=OpenClose.OPEN if opening else OpenClose.CLOSE,
        )
        self._fills.append(fill)
        return fill

    def _update(
        self,
        order: _Order,
        reason: OrderUpdateReason,
        *,
        info: str = "",
        fill: _Fill | None = None,
        request_id: int = 0,
        number: int = 1,
        total: int = 1,
    ) -> m.OrderUpdate:
        priced = order.order_type is not OrderType.MARKET
        return m.OrderUpdate(
            RequestID=request_id,
            TotalNumMessages=total,
            MessageNumber=number,
            Symbol=order.symbol,
            Exchange=order.exchange,
            ServerOrderID=order.server_order_id,
            ClientOrderID=order.client_order_id,
            OrderStatus=order.status,
            OrderUpdateReason=reason,
            OrderType=order.order_type,
            BuySell=order.side,
            Price1=order.price1 if priced else DBL_MAX,
            Price2=order.price2 if order.order_type is OrderType.STOP_LIMIT else DBL_MAX,
            TimeInForce=order.time_in_force,
            OrderQuantity=order.quantity,
            FilledQuantity=order.filled,
            RemainingQuantity=order.remaining,
            AverageFillPrice=order.average,
            LastFillPrice=fill.price if fill else DBL_MAX,
            LastFillDateTime=int(fill.time * 1000) if fill else 0,
            LastFillQuantity=fill.quantity if fill else DBL_MAX,
            LastFillExecutionID=fill.execution_id if fill else "",
            TradeAccount=order.account,
            InfoText=info,
            OpenOrClose=fill.open_close if fill else OpenClose.UNSET,
            OrderReceivedDateTime=order.received_ms,
            LatestTransactionDateTime=self._wall(),
            Username=order.username,
        )

    def _position_message(
        self, account: str, symbol: str, exchange: str, *, request_id: int = 0, number: int = 1, total: int = 1
    ) -> m.PositionUpdate:
        pos = self._positions.get((account, symbol), _Position())
        return m.PositionUpdate(
            RequestID=request_id,
            TotalNumberMessages=total,
            MessageNumber=number,
            Symbol=symbol,
            Exchange=exchange,
            Quantity=pos.quantity,
            AveragePrice=pos.average,
            TradeAccount=account,
            Unsolicited=0 if request_id else 1,
            EntryDateTime=pos.entry_time,
        )

    # ------------------------------------------------------------------------------------------------- state

    def export_state(self) -> dict[str, Any]:
        """Orders, fills, positions and prices as plain JSON-able data (see :meth:`restore_state`)."""
        with self._lock:
            return {
                "version": STATE_VERSION,
                "saved_at": self._wall(),
                "prices": {symbol: market.price for symbol, market in self._markets.items()},
                "orders": [_order_data(o) for o in self._orders.values()],
                "fills": [
                    {
                        "execution_id": f.execution_id,
                        "server_order_id": f.order.server_order_id,
                        "price": f.price,
                        "quantity": f.quantity,
                        "time": f.time,
                        "position_after": f.position_after,
                        "open_close": int(f.open_close),
                    }
                    for f in self._fills
                ],
                "positions": [
                    {
                        "account": account,
                        "symbol": symbol,
                        "exchange": pos.exchange,
                        "quantity": pos.quantity,
                        "average": pos.average,
                        "entry_time": pos.entry_time,
                    }
                    for (account, symbol), pos in self._positions.items()
                ],
            }

    def restore_state(self, state: Mapping[str, Any]) -> list[str]:
        """Load what :meth:`export_state` produced (after a restart); return the ServerOrderIDs still working.

        IDs made from now on carry this process's own stamp, so they never collide with restored ones.
        Raises ``ValueError`` naming what is wrong when ``state`` is not a state of this version.
        """
        version = state.get("version")
        if version != STATE_VERSION:
            raise ValueError(f"state version {version!r} is not {STATE_VERSION}; delete the file to start empty")
        with self._lock:
            try:
                orders = {o.server_order_id: o for o in (_order_from(item) for item in state["orders"])}
                fills = [
                    _Fill(
                        execution_id=str(item["execution_id"]),
                        order=orders[str(item["server_order_id"])],
                        price=float(item["price"]),
                        quantity=float(item["quantity"]),
                        time=float(item["time"]),
                        position_after=float(item["position_after"]),
                        open_close=OpenClose(int(item["open_close"])),
                    )
                    for item in state["fills"]
                ]
                positions = {
                    (str(item["account"]), str(item["symbol"])): _Position(
                        exchange=str(item["exchange"]),
                        quantity=float(item["quantity"]),
                        average=float(item["average"]),
                        entry_time=int(item["entry_time"]),
                    )
                    for item in state["positions"]
                }
                prices = {str(k): float(v) for k, v in state.get("prices", {}).items()}
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"state is damaged ({type(exc).__name__}: {exc}); delete the file to start empty"
                ) from exc
            self._orders.update(orders)
            self._fills.extend(fills)
            self._positions.update(positions)
            for symbol, price in prices.items():
                if symbol in self._markets and price > 0:
                    self._markets[symbol].price = self._markets[symbol].last = self._on_grid(price)
            return [o.server_order_id for o in orders.values() if o.status not in TERMINAL_ORDER_STATUSES]

    # ---------------------------------------------------------------------------------------------- requests

    def _unknown_account(self, account: str) -> str:
        if account and account not in self.settings.trade_accounts:
            return f"Trade account '{account}' does not exist (accounts: {', '.join(self.settings.trade_accounts)})"
        return ""

    def open_orders(self, req: m.OpenOrdersRequest) -> list[m.OrderUpdate] | m.OpenOrdersReject:
        with self._lock:
            problem = self._unknown_account(req.TradeAccount)
            if problem:
                return m.OpenOrdersReject(RequestID=req.RequestID, RejectText=problem)
            working = [
                o
                for o in self._orders.values()
                if o.status not in TERMINAL_ORDER_STATUSES
                and (not req.TradeAccount or o.account == req.TradeAccount)
                and (req.RequestAllOrders or o.server_order_id == req.ServerOrderID)
            ]
            if not working:
                return [
                    m.OrderUpdate(
                        RequestID=req.RequestID,
                        TotalNumMessages=1,
                        MessageNumber=1,
                        OrderUpdateReason=OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE,
                        TradeAccount=req.TradeAccount,
                        NoOrders=1,
                    )
                ]
            total = len(working)
            return [
                self._update(
                    o, OrderUpdateReason.OPEN_ORDERS_REQUEST_RESPONSE, request_id=req.RequestID, number=i, total=total
                )
                for i, o in enumerate(working, 1)
            ]

    def historical_fills(
        self, req: m.HistoricalOrderFillsRequest
    ) -> list[m.HistoricalOrderFillResponse] | m.HistoricalOrderFillsReject:
        with self._lock:
            problem = self._unknown_account(req.TradeAccount)
            if problem:
                return m.HistoricalOrderFillsReject(RequestID=req.RequestID, RejectText=problem)
            since = 0.0
            if req.StartDateTime > 0:
                since = float(req.StartDateTime)
            elif req.NumberOfDays > 0:
                since = self._wall() - req.NumberOfDays * 86400
            fills = [
                f
                for f in self._fills
                if f.time >= since
                and (not req.TradeAccount or f.order.account == req.TradeAccount)
                and (not req.ServerOrderID or f.order.server_order_id == req.ServerOrderID)
            ]
            if not fills:
                return [
                    m.HistoricalOrderFillResponse(
                        RequestID=req.RequestID,
                        TotalNumberMessages=1,
                        MessageNumber=1,
                        NoOrderFills=1,
                        TradeAccount=req.TradeAccount,
                    )
                ]
            total = len(fills)
            return [
                m.HistoricalOrderFillResponse(
                    RequestID=req.RequestID,
                    TotalNumberMessages=total,
                    MessageNumber=i,
                    Symbol=f.order.symbol,
                    Exchange=f.order.exchange,
                    ServerOrderID=f.order.server_order_id,
                    BuySell=f.order.side,
                    Price=f.price,
                    DateTime=int(f.time),
                    Quantity=f.quantity,
                    UniqueExecutionID=f.execution_id,
                    TradeAccount=f.order.account,
                    OpenClose=f.open_close,
                    PositionQuantity=f.position_after,
                )
                for i, f in enumerate(fills, 1)
            ]

    def positions(self, req: m.CurrentPositionsRequest) -> list[m.PositionUpdate] | m.CurrentPositionsReject:
        with self._lock:
            problem = self._unknown_account(req.TradeAccount)
            if problem:
                return m.CurrentPositionsReject(RequestID=req.RequestID, RejectText=problem)
            held = [
                (account, symbol)
                for (account, symbol), pos in self._positions.items()
                if pos.quantity != 0 and (not req.TradeAccount or account == req.TradeAccount)
            ]
            if not held:
                return [
                    m.PositionUpdate(
                        RequestID=req.RequestID,
                        TotalNumberMessages=1,
                        MessageNumber=1,
                        NoPositions=1,
                        TradeAccount=req.TradeAccount,
                    )
                ]
            total = len(held)
            return [
                self._position_message(
                    account,
                    symbol,
                    self._positions[(account, symbol)].exchange,
                    request_id=req.RequestID,
                    number=i,
                    total=total,
                )
                for i, (account, symbol) in enumerate(held, 1)
            ]

    def trade_accounts(self, req: m.TradeAccountsRequest) -> list[m.TradeAccountResponse]:
        accounts = self.settings.trade_accounts
        if not accounts:
            return [m.TradeAccountResponse(RequestID=req.RequestID, TotalNumberMessages=0, MessageNumber=0)]
        return [
            m.TradeAccountResponse(
                RequestID=req.RequestID, TotalNumberMessages=len(accounts), MessageNumber=i, TradeAccount=account
            )
            for i, account in enumerate(accounts, 1)
        ]
