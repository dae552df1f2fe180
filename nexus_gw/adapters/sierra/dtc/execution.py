"""Orders over DTC: building validated SUBMIT/CANCEL messages, tracking order state, deriving fills.

Pure bookkeeping, no sockets. Fill rules (reference §1.5.6): ``FilledQuantity`` is cumulative,
``AverageFillPrice`` volume-weighted, and each fill is described by the ``LastFill*`` fields of the update that
reports it, de-duplicated on ``LastFillExecutionID``. A server that omits ``LastFill*`` still yields a correct
fill: it is derived from the change in cumulative quantity and average price.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from nexus_gw.errors import OrderRejected, PlatformUnavailable, ProtocolError

from . import messages as m
from .binary import encode_binary
from .constants import (
    FILL_REASONS,
    ORDER_ID_LENGTH,
    BuySell,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
    TimeInForce,
)
from .events import Fill, OrderReport, Position, unset_to_none

MAX_REMEMBERED_EXECUTIONS: Final = 200_000
"""Execution IDs kept for de-duplication (oldest forgotten first); far more than a trading day produces."""

E = TypeVar("E", OrderStatus, OrderUpdateReason, OrderType, BuySell, TimeInForce)

SUPPORTED_ORDER_TYPES: Final = frozenset({OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT})


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A new single order as the caller means it.

    ``limit_price`` is used by LIMIT and STOP_LIMIT, ``stop_price`` by STOP and STOP_LIMIT; a MARKET order takes
    neither. Empty ``client_order_id`` lets the session choose one; empty ``trade_account`` uses the session's
    selected account; ``exchange=None`` uses the configured exchange field.
    """

    symbol: str
    side: BuySell
    quantity: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    client_order_id: str = ""
    trade_account: str = ""
    exchange: str | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    free_form_text: str = ""


class OrderInDoubt(PlatformUnavailable):
    """Writing a new order failed part-way: the server may or may not have received it.

    Reconcile (open orders, fills) before concluding either way, and never resend it under a new id blindly.
    """

    def __init__(self, client_order_id: str, message: str) -> None:
        super().__init__(message)
        self.client_order_id = client_order_id


def _reject(client_order_id: str, why: str) -> OrderRejected:
    return OrderRejected(f"order {client_order_id or '(no id)'} not sent: {why}")


def build_submit(
    request: OrderRequest, *, client_order_id: str, exchange: str, trade_account: str
) -> m.SubmitNewSingleOrder:
    """Validate ``request`` and return its SUBMIT_NEW_SINGLE_ORDER; raise :class:`OrderRejected` if invalid."""
    cid = client_order_id
    if request.side not in (BuySell.BUY, BuySell.SELL):
        raise _reject(cid, f"side must be BUY or SELL, got {request.side!r}")
    if not (isinstance(request.quantity, int | float) and math.isfinite(request.quantity) and request.quantity > 0):
        raise _reject(cid, f"quantity must be a positive number, got {request.quantity!r}")
    if request.order_type not in SUPPORTED_ORDER_TYPES:
        names = ", ".join(t.name for t in sorted(SUPPORTED_ORDER_TYPES))
        raise _reject(cid, f"order type {request.order_type!r} is not supported; use one of {names}")
    if request.time_in_force is TimeInForce.GOOD_TILL_DATE_TIME:
        raise _reject(cid, "GOOD_TILL_DATE_TIME is not supported; use DAY or GOOD_TILL_CANCELED")
    if not request.symbol.strip():
        raise _reject(cid, "symbol is empty; pass the Sierra symbol, e.g. NQH25 or NQH25_FUT_CME")
    if not trade_account:
        raise _reject(cid, "no trade account: set the Sierra trade_account or wait until the logon lists accounts")
    if not cid or len(cid.encode("utf-8")) > ORDER_ID_LENGTH - 1:
        raise _reject(cid, f"client order id must be 1..{ORDER_ID_LENGTH - 1} bytes, got {cid!r}")
    price1, price2 = _prices(request, cid)
    msg = m.SubmitNewSingleOrder(
        Symbol=request.symbol,
        Exchange=exchange,
        TradeAccount=trade_account,
        ClientOrderID=cid,
        OrderType=request.order_type,
        BuySell=request.side,
        Price1=price1,
        Price2=price2,
        Quantity=float(request.quantity),
        TimeInForce=request.time_in_force,
        IsAutomatedOrder=1,
        FreeFormText=request.free_form_text,
    )
    try:
        encode_binary(msg)  # field limits (symbol length, ...) are checked here, before anything is sent
    except ProtocolError as exc:
        raise _reject(cid, str(exc)) from exc
    return msg


def _prices(request: OrderRequest, cid: str) -> tuple[float, float]:
    """Price1/Price2 per DTC convention: Price1 = limit (LIMIT) or stop (STOP, STOP_LIMIT), Price2 = limit."""
    kind = request.order_type
    limit = _price(cid, kind, "limit_price", request.limit_price, kind in (OrderType.LIMIT, OrderType.STOP_LIMIT))
    stop = _price(cid, kind, "stop_price", request.stop_price, kind in (OrderType.STOP, OrderType.STOP_LIMIT))
    if kind is OrderType.STOP_LIMIT:
        return stop, limit
    if kind is OrderType.LIMIT:
        return limit, 0.0
    if kind is OrderType.STOP:
        return stop, 0.0
    return 0.0, 0.0


def _price(cid: str, kind: OrderType, name: str, value: float | None, needed: bool) -> float:
    if not needed:
        if value is not None:
            raise _reject(cid, f"a {kind.name} order takes no {name} (got {value}); drop it or change the type")
        return 0.0
    if value is None or not math.isfinite(value):
        raise _reject(cid, f"a {kind.name} order needs a finite {name}, got {value!r}")
    return float(value)


def order_report(msg: m.OrderUpdate) -> OrderReport:
    """Plain view of an ORDER_UPDATE (unset doubles become ``None``, unknown enum values stay ints)."""
    return OrderReport(
        server_order_id=msg.ServerOrderID,
        client_order_id=msg.ClientOrderID,
        symbol=msg.Symbol,
        exchange=msg.Exchange,
        trade_account=msg.TradeAccount,
        status=_enum(OrderStatus, msg.OrderStatus),
        reason=_enum(OrderUpdateReason, msg.OrderUpdateReason),
        order_type=_enum(OrderType, msg.OrderType),
        side=_enum(BuySell, msg.BuySell),
        price1=unset_to_none(msg.Price1),
        price2=unset_to_none(msg.Price2),
        time_in_force=_enum(TimeInForce, msg.TimeInForce),
        quantity=unset_to_none(msg.OrderQuantity),
        filled_quantity=unset_to_none(msg.FilledQuantity) or 0.0,
        remaining_quantity=unset_to_none(msg.RemainingQuantity),
        average_fill_price=unset_to_none(msg.AverageFillPrice),
        info_text=msg.InfoText,
        previous_server_order_id=msg.PreviousServerOrderID,
        request_id=msg.RequestID,
    )


def historical_fill(msg: m.HistoricalOrderFillResponse) -> Fill:
    """Plain view of one HISTORICAL_ORDER_FILL_RESPONSE (``DateTime`` is Unix seconds)."""
    return Fill(
        execution_id=msg.UniqueExecutionID,
        server_order_id=msg.ServerOrderID,
        client_order_id="",
        symbol=msg.Symbol,
        exchange=msg.Exchange,
        trade_account=msg.TradeAccount,
        side=_enum(BuySell, msg.BuySell),
        price=msg.Price,
        quantity=msg.Quantity,
        time=float(msg.DateTime),
    )


def position(msg: m.PositionUpdate) -> Position:
    """Plain view of one POSITION_UPDATE."""
    return Position(
        symbol=msg.Symbol,
        exchange=msg.Exchange,
        trade_account=msg.TradeAccount,
        quantity=unset_to_none(msg.Quantity) or 0.0,
        average_price=unset_to_none(msg.AveragePrice),
        unsolicited=bool(msg.Unsolicited),
    )


def _enum(kind: type[E], value: int) -> E:
    try:
        return kind(value)
    except ValueError:
        return kind(0)


class OrderTracker:
    """Latest state of every order seen in this process, the client → server ID map, and seen executions.

    Thread-safe: the I/O thread applies updates while callers look up IDs for cancels.
    """

    def __init__(self, id_prefix: str = "ngw", now: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._now = now
        self._orders: dict[str, OrderReport] = {}
        self._by_client: dict[str, str] = {}
        self._submitted: set[str] = set()
        self._executions: OrderedDict[str, None] = OrderedDict()
        self._counter = itertools.count(1)
        self._id_stem = f"{id_prefix}{int(now() * 1000) % 36**7:x}"

    def new_client_order_id(self) -> str:
        """A client order ID unique within this process and very likely across restarts (time-stamped)."""
        with self._lock:
            return f"{self._id_stem}-{next(self._counter)}"

    def register_submit(self, client_order_id: str) -> None:
        """Claim ``client_order_id`` for a new order; a reused ID is refused (resending must not double)."""
        with self._lock:
            if client_order_id in self._submitted or client_order_id in self._by_client:
                raise OrderRejected(
                    f"order {client_order_id} not sent: this client order id was already used in this session; "
                    "an order is never sent twice. Check its state or use a new id"
                )
            self._submitted.add(client_order_id)

    def server_order_id(self, client_order_id: str) -> str | None:
        with self._lock:
            return self._by_client.get(client_order_id)

    def get(self, server_order_id: str) -> OrderReport | None:
        with self._lock:
            return self._orders.get(server_order_id)

    def working_orders(self) -> list[OrderReport]:
        with self._lock:
            return [r for r in self._orders.values() if not r.is_terminal]

    def remember(self, report: OrderReport) -> None:
        """Record state reported by an open-orders answer (no fill is derived from it)."""
        with self._lock:
            self._store(report)

    def apply(self, msg: m.OrderUpdate) -> tuple[OrderReport, Fill | None]:
        """Record a live ORDER_UPDATE; return its report and the new fill it announces, if any."""
        report = order_report(msg)
        with self._lock:
            previous = self._orders.get(report.server_order_id) if report.server_order_id else None
            self._store(report)
            fill = self._fill(msg, report, previous)
            if fill is not None:
                if fill.execution_id in self._executions:
                    return report, None
                self._executions[fill.execution_id] = None
                while len(self._executions) > MAX_REMEMBERED_EXECUTIONS:
                    self._executions.popitem(last=False)
        return report, fill

    def _store(self, report: OrderReport) -> None:
        if report.server_order_id:
            self._orders[report.server_order_id] = report
            if report.client_order_id:
                self._by_client[report.client_order_id] = report.server_order_id

    def _fill(self, msg: m.OrderUpdate, report: OrderReport, previous: OrderReport | None) -> Fill | None:
        if report.reason not in FILL_REASONS:
            return None
        qty = unset_to_none(msg.LastFillQuantity)
        price = unset_to_none(msg.LastFillPrice)
        if qty is None or price is None or qty <= 0:
            qty, price = _derive_fill(report, previous)
            if qty is None or price is None:
                return None
        execution_id = msg.LastFillExecutionID or f"{report.server_order_id}:{report.filled_quantity:g}"
        when = msg.LastFillDateTime / 1000 if msg.LastFillDateTime else self._now()
        return Fill(
            execution_id=execution_id,
            server_order_id=report.server_order_id,
            client_order_id=report.client_order_id,
            symbol=report.symbol,
            exchange=report.exchange,
            trade_account=report.trade_account,
            side=report.side,
            price=price,
            quantity=qty,
            time=when,
            order_filled_quantity=report.filled_quantity,
            order_average_price=report.average_fill_price,
        )


def _derive_fill(report: OrderReport, previous: OrderReport | None) -> tuple[float | None, float | None]:
    """Fill size and price from the change of cumulative quantity and average price (no LastFill* fields)."""
    before_qty = previous.filled_quantity if previous else 0.0
    before_avg = (previous.average_fill_price if previous else None) or 0.0
    delta = report.filled_quantity - before_qty
    if delta <= 0 or report.average_fill_price is None:
        return None, None
    price = (report.average_fill_price * report.filled_quantity - before_avg * before_qty) / delta
    return delta, price
