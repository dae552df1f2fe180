"""The I/O thread of a DTC session: connect, negotiate, log on, serve (read, dispatch, heartbeat, expire),
reconnect with the one backoff, and the handlers of what the server sends unasked (order and position updates,
fills, accounts), then the reconciliation after every logon."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from nexus_gw.errors import PlatformUnavailable, ProtocolError

from . import execution
from . import messages as m
from .constants import (
    LOGON_RETRYABLE,
    SUPPORTED_ENCODINGS,
    Encoding,
    LogonStatus,
)
from .data import MarketDataBook, Rejection
from .events import (
    LogonInfo,
    MarketSnapshot,
    Quote,
    SessionListener,
    Trade,
)
from .execution import OrderTracker
from .reconcile import ReconcileRun
from .requests import RequestBook
from .settings import SessionConfig, SessionState
from .transport import Connection, MessageStream
from .wire import ERR_ENCODING, Message, UnknownMessageType

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)


class LogonRejected(Exception):
    """The server answered LOGON_RESPONSE with a failure (internal to the session)."""

    def __init__(self, status: LogonStatus, text: str) -> None:
        super().__init__(f"DTC logon rejected ({status.name}): {text}")
        self.status = status
        self.text = text


class SessionLoop:
    """The session's I/O thread and what it handles; mixed into :class:`~.session.DtcSession`, whose state it uses."""

    config: SessionConfig
    listener: SessionListener
    _clock: Callable[[], float]
    _wall: Callable[[], float]
    _cond: threading.Condition
    _state: SessionState
    _stopping: threading.Event
    _stop_reason: str
    _stream: MessageStream | None
    _logon_info: LogonInfo | None
    _logon_count: int
    _connect_attempts: int
    _last_error: str
    _do_not_reconnect: bool
    _data_lock: threading.Lock
    _data: MarketDataBook
    _orders: OrderTracker
    _requests: RequestBook
    _trade_accounts: tuple[str, ...]
    _trade_account: str
    _handlers: dict[type[Message], Callable[[Any], None]]

    # --------------------------------------------------------------------------------------------- internals

    def _require_logged_on(self, consequence: str) -> LogonInfo:
        info = self._logon_info
        if not self.logged_on or info is None:
            raise PlatformUnavailable(
                f"Sierra DTC session to {self.config.host}:{self.config.port} is not logged on "
                f"(state {self._state.value}{': ' + self._last_error if self._last_error else ''}); {consequence}"
            )
        return info

    def _send(self, msg: Message) -> None:
        stream = self._stream
        if stream is None:
            raise PlatformUnavailable(f"no DTC connection; {type(msg).__name__} was not sent")
        stream.send(msg)

    def _set_state(self, state: SessionState) -> None:
        with self._cond:
            self._state = state
            self._cond.notify_all()

    def _emit(self, handler: Callable[..., None], *args: Any) -> None:
        try:
            handler(*args)
        except Exception:
            log.exception(
                "DTC session listener %s raised; the session continues", getattr(handler, "__name__", handler)
            )

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    def _run(self) -> None:
        backoff = self.config.backoff()
        final_state = SessionState.STOPPED
        try:
            while not self._stopping.is_set():
                self._set_state(SessionState.CONNECTING)
                was_logged_on = False
                try:
                    stream = self._connect_and_logon()
                    backoff.reset()
                    was_logged_on = True
                    reason = self._serve(stream)
                except LogonRejected as exc:
                    reason = str(exc)
                    self._last_error = reason
                    self._close_stream()
                    log.error("%s", reason)
                    if not (self.config.retry_after_logon_error and exc.status in LOGON_RETRYABLE):
                        final_state = SessionState.REJECTED
                        self._set_state(final_state)
                        self._emit(self.listener.on_logon_rejected, exc.status, exc.text)
                        return
                    self._emit(self.listener.on_logon_rejected, exc.status, exc.text)
                except (PlatformUnavailable, ProtocolError, OSError) as exc:
                    reason = str(exc) or type(exc).__name__
                finally:
                    self._close_stream()
                    if self._state is SessionState.LOGGED_ON:
                        self._set_state(SessionState.BACKOFF)
                    self._requests.fail_all("the connection ended")
                self._last_error = reason
                if self._stopping.is_set():
                    break
                will_retry = self.config.reconnect and not self._do_not_reconnect
                self._set_state(SessionState.BACKOFF if will_retry else SessionState.STOPPED)
                if was_logged_on:
                    log.warning("DTC connection to %s:%d ended: %s", self.config.host, self.config.port, reason)
                    self._emit(self.listener.on_disconnected, reason, will_retry)
                if not will_retry:
                    break
                delay = backoff.next_delay()
                log.warning("DTC connect attempt failed or connection lost (%s); retrying in %.2fs", reason, delay)
                self._stopping.wait(delay)
        except Exception:
            log.exception("DTC session thread failed unexpectedly; the session is stopped")
            self._last_error = "internal error (see log)"
        finally:
            self._close_stream()
            self._logon_info = None
            self._set_state(final_state)

    def _connect_and_logon(self) -> MessageStream:
        cfg = self.config
        self._connect_attempts += 1
        conn = Connection.open(
            cfg.host, cfg.port, connect_timeout=cfg.connect_timeout_s, send_timeout=cfg.send_timeout_s
        )
        stream = MessageStream(conn, Encoding.BINARY, max_frame_bytes=cfg.max_frame_bytes, clock=self._clock)
        self._stream = stream
        deadline = self._clock() + cfg.logon_timeout_s
        if cfg.negotiate_encoding:
            stream.send_binary(m.EncodingRequest(Encoding=cfg.encoding))
            granted = self._await(stream, m.EncodingResponse, deadline, "ENCODING_RESPONSE")
            if granted.Encoding not in SUPPORTED_ENCODINGS:
                raise ProtocolError(
                    ERR_ENCODING,
                    f"the DTC server answered the encoding request with encoding {granted.Encoding}, which this "
                    "client does not speak; set Sierra's DTC server Encoding to Automatic, Binary or JSON",
                )
            if granted.Encoding != cfg.encoding:
                log.warning(
                    "DTC server refused encoding %s and uses %s", cfg.encoding.name, Encoding(granted.Encoding).name
                )
            stream.switch_encoding(Encoding(granted.Encoding))
        elif cfg.encoding is not Encoding.BINARY:
            stream.switch_encoding(cfg.encoding)
        stream.send(
            m.LogonRequest(
                Username=cfg.username,
                Password=cfg.password,
                HeartbeatIntervalInSeconds=cfg.heartbeat_interval_s,
                TradeAccount=self._trade_account,
                ClientName=cfg.client_name,
            )
        )
        answer = self._await(stream, m.LogonResponse, deadline, "LOGON_RESPONSE")
        if answer.Result != LogonStatus.SUCCESS:
            try:
                status = LogonStatus(answer.Result)
            except ValueError:
                status = LogonStatus.ERROR
            raise LogonRejected(status, answer.ResultText or "(no reason given)")
        self._logon_info = LogonInfo(
            server_name=answer.ServerName,
            result_text=answer.ResultText,
            encoding=stream.encoding,
            heartbeat_interval_s=cfg.heartbeat_interval_s,
            trading_supported=bool(answer.TradingIsSupported),
            market_data_supported=bool(answer.MarketDataSupported),
            oco_supported=bool(answer.OCOOrdersSupported),
            cancel_replace_supported=bool(answer.OrderCancelReplaceSupported),
            symbol_exchange_delimiter=answer.SymbolExchangeDelimiter,
            security_definitions_supported=bool(answer.SecurityDefinitionsSupported),
        )
        return stream

    def _await(self, stream: MessageStream, kind: type[M], deadline: float, name: str) -> M:
        """Read until a ``kind`` message arrives; anything else is logged and skipped. Bounded by ``deadline``."""
        while not self._stopping.is_set():
            left = deadline - self._clock()
            if left <= 0:
                break
            try:
                msg = stream.receive(min(left, self.config.poll_interval_s * 4))
            except UnknownMessageType as exc:
                log.debug("skipping during logon: %s", exc)
                continue
            if isinstance(msg, kind):
                return msg
            if isinstance(msg, m.Logoff):
                raise PlatformUnavailable(f"the DTC server sent LOGOFF while waiting for {name}: {msg.Reason}")
            if msg is not None and not isinstance(msg, m.Heartbeat):
                log.debug("ignoring %s while waiting for %s", type(msg).__name__, name)
        if self._stopping.is_set():
            raise PlatformUnavailable("session stopping")
        raise PlatformUnavailable(
            f"no {name} from the DTC server at {self.config.host}:{self.config.port} within "
            f"{self.config.logon_timeout_s:g}s; check that the port is Sierra's DTC server port and that its "
            "encoding setting is Automatic (or matches this client's)"
        )

    def _serve(self, stream: MessageStream) -> str:
        """Run one logged-on connection; return why it ended."""
        cfg = self.config
        self._logon_count += 1
        self._do_not_reconnect = False
        with self._data_lock:
            resubscribe = self._data.resubscribe_requests()
            self._set_state(SessionState.LOGGED_ON)
        info = self._logon_info
        assert info is not None  # set by _connect_and_logon
        log.info("DTC logged on to %s:%d (%s, %s encoding)", cfg.host, cfg.port, info.server_name, stream.encoding.name)
        self._emit(self.listener.on_logged_on, info)
        for request in resubscribe:
            stream.send(request)
        if cfg.reconcile_on_logon:
            self._start_reconciliation()
        interval = cfg.heartbeat_interval_s
        next_heartbeat = self._clock()
        while True:
            if self._stopping.is_set():
                stream.send(m.Logoff(Reason=self._stop_reason))
                return self._stop_reason
            now = self._clock()
            if now >= next_heartbeat:
                stream.send(m.Heartbeat(CurrentDateTime=int(self._wall())))
                next_heartbeat = now + interval
            try:
                msg = stream.receive(cfg.poll_interval_s)
            except UnknownMessageType as exc:
                log.debug("%s", exc)
                msg = None
            if isinstance(msg, m.Logoff):
                self._do_not_reconnect = bool(msg.DoNotReconnect)
                return f"server sent LOGOFF: {msg.Reason or '(no reason)'}" + (
                    " (asked not to reconnect)" if msg.DoNotReconnect else ""
                )
            if msg is not None:
                try:
                    self._dispatch(msg)
                except Exception:
                    log.exception("handling DTC %s failed; message skipped, session continues", type(msg).__name__)
            silent = self._clock() - stream.last_received
            if silent > 2 * interval:
                return (
                    f"nothing received from the DTC server for {silent:.1f}s (2x the {interval}s heartbeat "
                    "interval); connection presumed dead"
                )
            self._requests.expire()

    def _dispatch(self, msg: Message) -> None:
        handler = self._handlers.get(type(msg))
        if handler is not None:
            handler(msg)
            return
        with self._data_lock:
            event = self._data.handle(msg) if self._data.handles(msg) else None
        if isinstance(event, Trade):
            self._emit(self.listener.on_trade, event)
        elif isinstance(event, Quote):
            self._emit(self.listener.on_quote, event)
        elif isinstance(event, MarketSnapshot):
            self._emit(self.listener.on_snapshot, event)
        elif isinstance(event, Rejection):
            log.warning("DTC market data for %s rejected: %s", event.symbol, event.text)
            self._emit(self.listener.on_market_data_reject, event.symbol, event.text)
        elif event is None:
            log.debug("DTC %s not used", type(msg).__name__)

    # ------------------------------------------------------------------------------------- message handlers

    def _on_order_update(self, msg: m.OrderUpdate) -> None:
        if msg.RequestID and self._requests.is_pending(msg.RequestID):
            if msg.NoOrders:
                self._requests.add(msg.RequestID, None, msg.MessageNumber, msg.TotalNumMessages)
                return
            report = execution.order_report(msg)
            self._orders.remember(report)
            self._requests.add(msg.RequestID, report, msg.MessageNumber, msg.TotalNumMessages)
            return
        if msg.NoOrders:
            return
        report, fill = self._orders.apply(msg)
        self._emit(self.listener.on_order_update, report)
        if fill is not None:
            self._emit(self.listener.on_fill, fill)

    def _on_position_update(self, msg: m.PositionUpdate) -> None:
        if msg.RequestID and self._requests.is_pending(msg.RequestID) and not msg.Unsolicited:
            item = None if msg.NoPositions else execution.position(msg)
            self._requests.add(msg.RequestID, item, msg.MessageNumber, msg.TotalNumberMessages)
            return
        if not msg.NoPositions:
            self._emit(self.listener.on_position, execution.position(msg))

    def _on_historical_fill(self, msg: m.HistoricalOrderFillResponse) -> None:
        item = None if msg.NoOrderFills else execution.historical_fill(msg)
        self._requests.add(msg.RequestID, item, msg.MessageNumber, msg.TotalNumberMessages)

    def _on_trade_account(self, msg: m.TradeAccountResponse) -> None:
        item = msg.TradeAccount or None
        self._requests.add(msg.RequestID, item, msg.MessageNumber, msg.TotalNumberMessages)

    def _on_security_definition(self, msg: m.SecurityDefinitionResponse) -> None:
        self._requests.add(msg.RequestID, msg, 1, 1)  # one definition per symbol request

    def _on_request_reject(
        self,
        msg: m.OpenOrdersReject | m.CurrentPositionsReject | m.HistoricalOrderFillsReject | m.SecurityDefinitionReject,
    ) -> None:
        self._requests.reject(msg.RequestID, msg.RejectText or "(no reason given)")

    # ------------------------------------------------------------------------------------------ reconciliation

    def _start_reconciliation(self) -> None:
        logon = self._logon_count

        def current() -> bool:
            return self.logged_on and self._logon_count == logon

        def select(account: str, offered: tuple[str, ...]) -> None:
            self._trade_account = account
            if offered:
                self._trade_accounts = offered

        ReconcileRun(
            logon,
            open_request=self._open_request,
            trade_account=self._trade_account,
            fill_days=self.config.fill_history_days,
            is_current=current,
            on_account=select,
            on_done=lambda report: self._emit(self.listener.on_reconciled, report),
        ).start()
