"""The simulated exchange behind the DTC simulator: prices, orders, fills, positions. No sockets.

Every method takes and returns DTC message dataclasses, so the server (``server.py``, ``client.py``) only routes
them. State lives as long as the object (the simulator process), across client reconnects; ``export_state`` and
``restore_state`` (``persistence.py``) carry it across a restart of the process (``state.py`` keeps it in a file).
``records.py`` holds what is kept; ``answers.py`` the answers to DTC requests. Thread-safe.

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
from collections.abc import Callable

from nexus_gw.domain.matching import Quote, fill_price, limit_crossed, stop_triggered, touch
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
from .answers import ExchangeAnswers
from .persistence import ExchangeState
from .records import (
    GATEWAY_ORDER_TYPES,
    ExchangeSettings,
    FillOutcome,
    Market,
    SimFill,
    SimOrder,
    SimPosition,
    process_tag,
)


class SimExchange(ExchangeAnswers, ExchangeState):
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
        self._markets = {s: Market(self._on_grid(p), p, p, p) for s, p in settings.symbols.items()}
        self._orders: dict[str, SimOrder] = {}
        self._fills: list[SimFill] = []
        self._positions: dict[tuple[str, str], SimPosition] = {}
        self._tag = process_tag()
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
            order = SimOrder(
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

    def _validate(self, req: m.SubmitNewSingleOrder, order: SimOrder) -> str:
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

    def _by_client_id(self, client_order_id: str, account: str) -> SimOrder | None:
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

    def _execution_price(self, order: SimOrder) -> float | None:
        """Price at which ``order`` can execute now, or ``None`` if it cannot (the one fill model)."""
        bid, ask = self.bid_ask(order.symbol)
        market = self._markets[order.symbol]
        quote = Quote(bid, ask, market.last or market.price)
        side = Side.BUY if order.side is BuySell.BUY else Side.SELL
        if order.order_type is OrderType.STOP_LIMIT:
            order.triggered = order.triggered or stop_triggered(side, order.price1, quote.last)
            return touch(side, quote) if order.triggered and limit_crossed(side, order.price2, quote) else None
        kind = GATEWAY_ORDER_TYPES[order.order_type]
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

    def _slice_size(self, order: SimOrder) -> float:
        slices = max(1, self.settings.partial_fill_slices)
        size = order.quantity / slices
        if float(order.quantity).is_integer():
            size = float(math.ceil(size))
        return size

    def _record_fill(self, order: SimOrder, price: float, qty: float) -> SimFill:
        self._fill_seq += 1
        key = (order.account, order.symbol)
        pos = self._positions.setdefault(key, SimPosition(order.exchange))
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
        fill = SimFill(
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
        order: SimOrder,
        reason: OrderUpdateReason,
        *,
        info: str = "",
        fill: SimFill | None = None,
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
        pos = self._positions.get((account, symbol), SimPosition())
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
