"""What a DTC session reports, in plain Python terms, and the listener interface that receives it.

Events are free of gateway types so a driver can adapt them thinly. Conventions for every event:

- prices and quantities are floats; ``None`` means the server left the value unset (DTC's DBL_MAX/FLT_MAX);
- times are Unix seconds as floats (the session converts DTC's seconds, milliseconds and microseconds);
- ``symbol`` is the server's own symbol string (for Sierra, e.g. ``NQH25_FUT_CME``), never a gateway root.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import (
    DBL_MAX,
    FLT_MAX,
    TERMINAL_ORDER_STATUSES,
    AtBidOrAsk,
    BuySell,
    Encoding,
    LogonStatus,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
    TimeInForce,
)


@dataclass(frozen=True, slots=True)
class LogonInfo:
    """What the server said when it accepted the logon."""

    server_name: str
    result_text: str
    encoding: Encoding
    heartbeat_interval_s: int
    trading_supported: bool
    market_data_supported: bool
    oco_supported: bool
    cancel_replace_supported: bool
    symbol_exchange_delimiter: str
    security_definitions_supported: bool = False


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """Full state of one subscribed symbol, sent once after each (re)subscription."""

    symbol: str
    symbol_id: int
    bid: float | None
    bid_size: float | None
    ask: float | None
    ask_size: float | None
    last_price: float | None
    last_size: float | None
    last_time: float | None
    session_open: float | None
    session_high: float | None
    session_low: float | None
    session_volume: float | None
    settlement: float | None


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade print. ``aggressor`` AT_ASK = buyer lifted the offer, AT_BID = seller hit the bid.

    ``time`` is the server's time, or the local receive time for the variants that carry none.
    """

    symbol: str
    price: float
    size: float
    aggressor: AtBidOrAsk
    time: float


@dataclass(frozen=True, slots=True)
class Quote:
    """Best bid and offer; a side is ``None`` when the server marks it unset."""

    symbol: str
    bid: float | None
    bid_size: float | None
    ask: float | None
    ask_size: float | None
    time: float


@dataclass(frozen=True, slots=True)
class OrderReport:
    """State of one order after an ORDER_UPDATE. ``filled_quantity`` is cumulative (0 when unset)."""

    server_order_id: str
    client_order_id: str
    symbol: str
    exchange: str
    trade_account: str
    status: OrderStatus
    reason: OrderUpdateReason
    order_type: OrderType
    side: BuySell
    price1: float | None
    price2: float | None
    time_in_force: TimeInForce
    quantity: float | None
    filled_quantity: float
    remaining_quantity: float | None
    average_fill_price: float | None
    info_text: str
    previous_server_order_id: str
    request_id: int

    @property
    def is_terminal(self) -> bool:
        """True when the order can no longer change (filled, cancelled, rejected)."""
        return self.status in TERMINAL_ORDER_STATUSES


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution. Live fills come from ORDER_UPDATE ``LastFill*`` fields, reconciliation fills from
    HISTORICAL_ORDER_FILL_RESPONSE; ``execution_id`` is the de-duplication key.

    ``order_filled_quantity``/``order_average_price`` are the order's cumulative totals after this fill (live
    fills only; ``None`` for historical ones).
    """

    execution_id: str
    server_order_id: str
    client_order_id: str
    symbol: str
    exchange: str
    trade_account: str
    side: BuySell
    price: float
    quantity: float
    time: float
    order_filled_quantity: float | None = None
    order_average_price: float | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """Net position: ``quantity`` > 0 long, < 0 short, 0 flat. ``unsolicited`` marks a real-time change."""

    symbol: str
    exchange: str
    trade_account: str
    quantity: float
    average_price: float | None
    unsolicited: bool


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Everything the server reported right after a (re)logon, for comparison with the journal.

    ``errors`` lists requests that were rejected or not answered in time; if it is not empty the lists
    may be incomplete and the caller must not conclude that orders or positions are gone.
    """

    logon_count: int
    trade_accounts: tuple[str, ...]
    trade_account: str
    open_orders: tuple[OrderReport, ...]
    fills: tuple[Fill, ...]
    positions: tuple[Position, ...]
    errors: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.errors


class SessionListener:
    """Receives session events. Every method here does nothing; override the ones you need.

    All methods run on the session's I/O thread, in the order the server sent the messages. Keep them short;
    hand heavy work to another thread. An exception raised by a handler is logged with its traceback and the
    session carries on. Do not call the session's blocking ``request_*`` methods from a handler (they would
    wait for the very thread that is running the handler); use the ``*_async`` variants there.
    """

    def on_logged_on(self, info: LogonInfo) -> None:
        """The server accepted the logon (first connect and every reconnect)."""

    def on_logon_rejected(self, status: LogonStatus, text: str) -> None:
        """The server refused the logon; ``text`` is its reason. The session has closed the connection."""

    def on_disconnected(self, reason: str, will_reconnect: bool) -> None:
        """A logged-on connection ended; ``will_reconnect`` says whether the session retries by itself."""

    def on_snapshot(self, snapshot: MarketSnapshot) -> None:
        """Initial state of a subscribed symbol."""

    def on_trade(self, trade: Trade) -> None:
        """A trade print for a subscribed symbol."""

    def on_quote(self, quote: Quote) -> None:
        """A best bid/offer change for a subscribed symbol."""

    def on_market_data_reject(self, symbol: str, text: str) -> None:
        """The server refused a subscription; the symbol is no longer subscribed."""

    def on_order_update(self, report: OrderReport) -> None:
        """Any live ORDER_UPDATE (accepted, partial/full fill, cancelled, rejected...)."""

    def on_fill(self, fill: Fill) -> None:
        """A live execution, reported once per ``execution_id`` (after the matching ``on_order_update``)."""

    def on_position(self, position: Position) -> None:
        """An unsolicited position change."""

    def on_reconciled(self, report: Reconciliation) -> None:
        """Open orders, recent fills and positions after each (re)logon."""

    def on_server_message(self, text: str) -> None:
        """A USER_MESSAGE, GENERAL_LOG_MESSAGE or ALERT_MESSAGE from the server."""


def unset_to_none(value: float, *sentinels: float) -> float | None:
    """``None`` for DTC's "not set" sentinels (DBL_MAX, FLT_MAX, -DBL_MAX, or given ones), else the value."""
    if value in (DBL_MAX, -DBL_MAX, FLT_MAX, -FLT_MAX) or value in sentinels:
        return None
    return value
