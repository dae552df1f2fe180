"""A DTC client session: connect, negotiate the encoding, log on, keep alive, reconnect, trade, reconcile.

One I/O thread owns the socket. It connects (bounded by ``connect_timeout_s``), optionally negotiates the
encoding, logs on (bounded by ``logon_timeout_s``), then loops: read one message with a short poll timeout,
dispatch it, send a HEARTBEAT every ``heartbeat_interval_s``, declare the connection dead after twice that
interval without a byte from the server, and expire unanswered requests. When the connection ends it
reconnects after an exponential backoff (``reconnect_initial_s`` doubling up to ``reconnect_max_s``). After
every logon it resubscribes market data and reconciles: trade accounts, then open orders, recent fills and
positions, delivered together as one :class:`~.events.Reconciliation`.

Events go to a :class:`~.events.SessionListener` on the I/O thread. Public methods may be called from any other
thread. The session knows nothing of the gateway; ``SierraDriver`` adapts it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from nexus_gw.errors import OrderRejected, PlatformUnavailable

from . import execution
from . import messages as m
from .constants import (
    BuySell,
    OrderType,
)
from .data import MarketDataBook
from .events import (
    Fill,
    LogonInfo,
    OrderReport,
    Position,
    SessionListener,
)
from .execution import OrderInDoubt, OrderRequest, OrderTracker
from .loop import SessionLoop
from .requests import RequestBook
from .settings import SessionConfig, SessionState
from .transport import MessageStream
from .wire import Message

__all__ = ["DtcSession", "SessionConfig", "SessionState"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class DtcSession(SessionLoop):
    """Client side of one DTC connection, kept alive across network failures. See the module docstring."""

    def __init__(
        self,
        config: SessionConfig,
        listener: SessionListener | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.listener = listener or SessionListener()
        self._clock = clock
        self._wall = wall_clock
        self._cond = threading.Condition()
        self._state = SessionState.IDLE
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stop_reason = "client logoff"
        self._stream: MessageStream | None = None
        self._logon_info: LogonInfo | None = None
        self._logon_count = 0
        self._connect_attempts = 0
        self._last_error = ""
        self._do_not_reconnect = False
        self._data_lock = threading.Lock()
        self._data = MarketDataBook(config.exchange, now=wall_clock)
        self._orders = OrderTracker(config.client_order_id_prefix, now=wall_clock)
        self._requests = RequestBook(clock)
        self._trade_accounts: tuple[str, ...] = ()
        self._trade_account = config.trade_account
        self._handlers: dict[type[Message], Callable[[Any], None]] = {
            m.Heartbeat: lambda _msg: None,
            m.OrderUpdate: self._on_order_update,
            m.PositionUpdate: self._on_position_update,
            m.HistoricalOrderFillResponse: self._on_historical_fill,
            m.TradeAccountResponse: self._on_trade_account,
            m.OpenOrdersReject: self._on_request_reject,
            m.CurrentPositionsReject: self._on_request_reject,
            m.HistoricalOrderFillsReject: self._on_request_reject,
            m.SecurityDefinitionResponse: self._on_security_definition,
            m.SecurityDefinitionReject: self._on_request_reject,
            m.UserMessage: lambda msg: self._emit(self.listener.on_server_message, msg.UserMessage),
            m.GeneralLogMessage: lambda msg: self._emit(self.listener.on_server_message, msg.MessageText),
            m.AlertMessage: lambda msg: self._emit(self.listener.on_server_message, msg.MessageText),
            m.MarketDataFeedStatusMessage: lambda msg: log.info("DTC market data feed status: %d", msg.Status),
        }

    # ------------------------------------------------------------------------------------------------ lifecycle

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def logged_on(self) -> bool:
        return self._state is SessionState.LOGGED_ON

    @property
    def logon_info(self) -> LogonInfo | None:
        """What the server reported at the current logon; ``None`` when not logged on."""
        return self._logon_info if self.logged_on else None

    @property
    def logon_count(self) -> int:
        """Successful logons so far (1 after the first connect, +1 per reconnect)."""
        return self._logon_count

    @property
    def connect_attempts(self) -> int:
        """TCP connection attempts so far, successful or not (grows slowly while backing off)."""
        return self._connect_attempts

    @property
    def last_error(self) -> str:
        """Why the last connection attempt or connection ended (empty if none did)."""
        return self._last_error

    @property
    def trade_accounts(self) -> tuple[str, ...]:
        return self._trade_accounts

    @property
    def trade_account(self) -> str:
        """Account used for orders and reconciliation."""
        return self._trade_account

    def select_trade_account(self, account: str) -> None:
        """Use ``account`` for later orders and reconciliations."""
        self._trade_account = account

    def start(self) -> None:
        """Start the I/O thread (returns at once; see :meth:`wait_until_logged_on`)."""
        with self._cond:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._do_not_reconnect = False
            self._last_error = ""
            self._state = SessionState.CONNECTING
            self._thread = threading.Thread(
                target=self._run, name=f"dtc-session-{self.config.host}:{self.config.port}", daemon=True
            )
            self._thread.start()

    def wait_until_logged_on(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds for LOGGED_ON; False at once if the session rejected or stopped."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._state is not SessionState.LOGGED_ON:
                if self._state in (SessionState.REJECTED, SessionState.STOPPED, SessionState.IDLE):
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def wait_for_state(self, predicate: Callable[[SessionState], bool], timeout: float) -> bool:
        """Block up to ``timeout`` seconds until ``predicate(state)`` holds."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._state), timeout)

    def stop(self, timeout: float = 5.0, reason: str = "client logoff") -> None:
        """Send LOGOFF if logged on, close the connection and end the I/O thread (at most ``timeout`` s)."""
        self._stop_reason = reason
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("DTC session thread did not end within %.1fs; closing its socket", timeout)
                self._close_stream()
                thread.join(1.0)
        self._set_state(SessionState.STOPPED if self._state is not SessionState.REJECTED else SessionState.REJECTED)

    # ------------------------------------------------------------------------------------------------ market data

    def subscribe(self, symbol: str, exchange: str | None = None) -> int:
        """Subscribe to ``symbol`` (now if logged on, else at the next logon) and return its SymbolID."""
        with self._data_lock:  # atomic with the resubscription at logon: each request is sent exactly once
            request = self._data.subscribe(symbol, exchange)
            send_now = self.logged_on
        if send_now:
            self._send(request)
        return request.SymbolID

    def unsubscribe(self, symbol: str) -> None:
        with self._data_lock:
            request = self._data.unsubscribe(symbol)
            send_now = self.logged_on
        if request is not None and send_now:
            self._send(request)

    @property
    def subscriptions(self) -> dict[str, int]:
        with self._data_lock:
            return self._data.subscriptions

    # ------------------------------------------------------------------------------------------------- orders

    def submit_order(self, request: OrderRequest) -> str:
        """Send a new order and return its ClientOrderID. Never queued: if not logged on, nothing is sent.

        Raises :class:`OrderRejected` for an invalid order or a reused client id, :class:`PlatformUnavailable`
        when the session is not logged on (nothing was sent), and its subclass :class:`OrderInDoubt` when the
        write failed (then the order may or may not have reached the server: reconcile before sending it again
        under a new id).
        """
        info = self._require_logged_on("the order was not sent")
        if not info.trading_supported:
            raise OrderRejected(
                "order not sent: the DTC server does not allow trading; enable 'Allow Trading' in Sierra Chart "
                "(Global Settings > Sierra Chart Server Settings > DTC Protocol Server)"
            )
        cid = request.client_order_id or self._orders.new_client_order_id()
        exchange = self.config.exchange if request.exchange is None else request.exchange
        msg = execution.build_submit(
            request, client_order_id=cid, exchange=exchange, trade_account=request.trade_account or self.trade_account
        )
        self._orders.register_submit(cid)
        try:
            self._send(msg)
        except PlatformUnavailable as exc:
            raise OrderInDoubt(
                cid, f"order {cid} may not have reached the DTC server ({exc}); reconcile open orders before resending"
            ) from exc
        return cid

    def submit_market(self, symbol: str, side: BuySell, quantity: float, **kw: Any) -> str:
        return self.submit_order(OrderRequest(symbol, side, quantity, OrderType.MARKET, **kw))

    def submit_limit(self, symbol: str, side: BuySell, quantity: float, limit_price: float, **kw: Any) -> str:
        return self.submit_order(OrderRequest(symbol, side, quantity, OrderType.LIMIT, limit_price=limit_price, **kw))

    def submit_stop(self, symbol: str, side: BuySell, quantity: float, stop_price: float, **kw: Any) -> str:
        return self.submit_order(OrderRequest(symbol, side, quantity, OrderType.STOP, stop_price=stop_price, **kw))

    def cancel_order(self, *, server_order_id: str = "", client_order_id: str = "") -> None:
        """Ask the server to cancel an order; the answer arrives as ``on_order_update`` (CANCELED or rejected)."""
        self._require_logged_on("the cancel was not sent")
        sid = server_order_id or (self._orders.server_order_id(client_order_id) if client_order_id else None)
        if not sid:
            raise OrderRejected(
                f"cannot cancel order {client_order_id or '(no id)'}: its ServerOrderID is not known yet; "
                "wait for NEW_ORDER_ACCEPTED or pass server_order_id"
            )
        known = self._orders.get(sid)
        account = known.trade_account if known else self.trade_account
        cid = client_order_id or (known.client_order_id if known else "")
        self._send(m.CancelOrder(ServerOrderID=sid, ClientOrderID=cid, TradeAccount=account))

    def order(self, server_order_id: str) -> OrderReport | None:
        """Latest known state of an order seen in this process."""
        return self._orders.get(server_order_id)

    # ----------------------------------------------------------------------------------------------- requests

    def request_trade_accounts_async(self) -> Future[list[str]]:
        return self._request("trade accounts", lambda rid: m.TradeAccountsRequest(RequestID=rid))

    def request_open_orders_async(self, trade_account: str | None = None) -> Future[list[OrderReport]]:
        account = self.trade_account if trade_account is None else trade_account
        return self._request(
            "open orders", lambda rid: m.OpenOrdersRequest(RequestID=rid, RequestAllOrders=1, TradeAccount=account)
        )

    def request_historical_fills_async(
        self, days: int | None = None, trade_account: str | None = None
    ) -> Future[list[Fill]]:
        account = self.trade_account if trade_account is None else trade_account
        number_of_days = self.config.fill_history_days if days is None else days
        return self._request(
            "historical fills",
            lambda rid: m.HistoricalOrderFillsRequest(RequestID=rid, NumberOfDays=number_of_days, TradeAccount=account),
        )

    def request_positions_async(self, trade_account: str | None = None) -> Future[list[Position]]:
        account = self.trade_account if trade_account is None else trade_account
        return self._request(
            "current positions", lambda rid: m.CurrentPositionsRequest(RequestID=rid, TradeAccount=account)
        )

    def request_security_definition_async(self, symbol: str, exchange: str | None = None) -> Future[list[Any]]:
        """Ask whether the server knows ``symbol``: a list of one ``SecurityDefinitionResponse``, or a
        :class:`~nexus_gw.errors.PlatformError` with the server's reject text when it does not."""
        exch = self.config.exchange if exchange is None else exchange
        return self._request(
            f"security definition of {symbol!r}",
            lambda rid: m.SecurityDefinitionForSymbolRequest(RequestID=rid, Symbol=symbol, Exchange=exch),
        )

    def request_trade_accounts(self) -> list[str]:
        """Accounts the server offers (blocks up to ``request_timeout_s``)."""
        return self._wait(self.request_trade_accounts_async())

    def request_open_orders(self, trade_account: str | None = None) -> list[OrderReport]:
        """Working orders of the account (blocks up to ``request_timeout_s``)."""
        return self._wait(self.request_open_orders_async(trade_account))

    def request_historical_fills(self, days: int | None = None, trade_account: str | None = None) -> list[Fill]:
        """Fills of the last ``days`` days (blocks up to ``request_timeout_s``)."""
        return self._wait(self.request_historical_fills_async(days, trade_account))

    def request_positions(self, trade_account: str | None = None) -> list[Position]:
        """Non-flat positions of the account (blocks up to ``request_timeout_s``)."""
        return self._wait(self.request_positions_async(trade_account))

    def _request(self, kind: str, build: Callable[[int], Message]) -> Future[Any]:
        self._require_logged_on(f"the {kind} request was not sent")
        return self._open_request(kind, build)

    def _open_request(self, kind: str, build: Callable[[int], Message]) -> Future[Any]:
        rid, future = self._requests.open(kind, self.config.request_timeout_s)
        try:
            self._send(build(rid))
        except PlatformUnavailable as exc:
            self._requests.fail(rid, exc)
        return future

    def _wait(self, future: Future[T]) -> T:
        if threading.current_thread() is self._thread:
            raise RuntimeError(
                "blocking DTC requests cannot be made from a session listener (it runs on the I/O thread that "
                "would deliver the answer); use the *_async variant and add a done-callback"
            )
        try:
            return future.result(self.config.request_timeout_s + 1.0)
        except FutureTimeout as exc:
            raise PlatformUnavailable(
                f"no answer from the DTC server within {self.config.request_timeout_s + 1.0:g}s"
            ) from exc
