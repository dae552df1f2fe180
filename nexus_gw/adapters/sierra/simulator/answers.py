"""The simulated exchange's answers to DTC requests: open orders, historical fills, positions, accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dtc import messages as m
from ..dtc.constants import (
    TERMINAL_ORDER_STATUSES,
    OrderUpdateReason,
)
from .fields import ExchangeFields
from .records import SimFill, SimOrder


class ExchangeAnswers(ExchangeFields):
    """Mixed into :class:`~.exchange.SimExchange`; uses its state."""

    if TYPE_CHECKING:  # provided by SimExchange

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
        ) -> m.OrderUpdate: ...

        def _position_message(
            self, account: str, symbol: str, exchange: str, *, request_id: int = 0, number: int = 1, total: int = 1
        ) -> m.PositionUpdate: ...

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

    def security_definition(
        self, req: m.SecurityDefinitionForSymbolRequest
    ) -> m.SecurityDefinitionResponse | m.SecurityDefinitionReject:
        """The definition of a symbol the simulator lists, spelled exactly as listed; a reject for any other.

        Like Sierra, the simulator knows each contract under one spelling only (its data feed's): ``NQZ26`` is not
        ``NQZ26_FUT_CME``. A client using the wrong symbol template is therefore told so here, before it trades.
        """
        symbol = req.Symbol
        if symbol not in self.settings.symbols:
            return m.SecurityDefinitionReject(
                RequestID=req.RequestID, RejectText=f"Symbol '{symbol}' not found on the server's data feed"
            )
        exchange = req.Exchange or _exchange_of(symbol)
        return m.SecurityDefinitionResponse(
            RequestID=req.RequestID,
            Symbol=symbol,
            Exchange=exchange,
            SecurityType=1,  # SECURITY_TYPE_FUTURE
            Description=f"{symbol} (nexusgw DTC simulator)",
            MinPriceIncrement=self.settings.tick_size,
            IsFinalMessage=1,
            ExchangeSymbol=symbol,
            Currency="USD",
        )


def _exchange_of(symbol: str) -> str:
    """The exchange a symbol spells after its delimiter (``NQZ26_FUT_CME``, ``NQZ26-CME``); empty when none."""
    for delimiter in ("_FUT_", "-", "."):
        if delimiter in symbol:
            return symbol.rsplit(delimiter, 1)[1][:15]
    return ""
