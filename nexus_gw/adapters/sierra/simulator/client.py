"""One client connection of the DTC simulator (its thread, logon, heartbeats, requests), and the scheduler."""

from __future__ import annotations

import heapq
import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from nexus_gw.errors import ProtocolError

from ..dtc import messages as m
from ..dtc.constants import (
    PROTOCOL_VERSION,
    SUPPORTED_ENCODINGS,
    Encoding,
    LogonStatus,
    RequestAction,
)
from ..dtc.transport import Connection, ConnectionClosed, MessageStream
from ..dtc.wire import Message, UnknownMessageType
from .config import ServerEncoding, SimulatorConfig
from .exchange import SimExchange

log = logging.getLogger(__name__)


class DtcSimulator(Protocol):
    """What a client connection uses of the simulator that accepted it (``server.DtcSimulator``)."""

    config: SimulatorConfig
    exchange: SimExchange
    silent: bool
    stopping: bool
    logon_reject_text: str | None

    def forget_client(self, client: ClientConnection) -> None: ...

    def submit_order(self, req: m.SubmitNewSingleOrder, username: str) -> None: ...

    def cancel_order(self, req: m.CancelOrder) -> None: ...


class Scheduler:
    """Runs callables at given monotonic times on one thread; a failing job is logged, not fatal."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="dtc-sim-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def call_later(self, delay: float, job: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay), next(self._seq), job))
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2.0)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._cond.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
            try:
                job()
            except Exception:
                log.exception("DTC simulator job %r failed", job)


class ClientConnection:
    """One accepted connection: handshake, logon, heartbeats and request handling on its own thread."""

    def __init__(self, sim: DtcSimulator, sock: socket.socket, number: int) -> None:
        self.sim = sim
        self.conn = Connection(sock, send_timeout=2.0)
        self.name = f"client#{number} {self.conn.peer}"
        self.stream: MessageStream | None = None
        self.logged_on = False
        self.username = ""
        self.heartbeat_s = 0
        self._subs_lock = threading.Lock()
        self._subs: dict[int, str] = {}
        self.thread = threading.Thread(target=self._run, name=f"dtc-sim-{number}", daemon=True)

    # ------------------------------------------------------------------------------------------------ sending

    def send(self, msg: Message) -> None:
        """Send unless the simulator is silenced; a failed write closes this connection."""
        stream = self.stream
        if stream is None or self.sim.silent or self.conn.closed:
            return
        try:
            stream.send(msg)
        except (ConnectionClosed, ProtocolError) as exc:
            log.info("%s: send failed (%s); closing", self.name, exc)
            self.close()

    def subscriptions_for(self, symbol: str) -> list[int]:
        with self._subs_lock:
            return [sid for sid, sym in self._subs.items() if sym == symbol]

    def close(self) -> None:
        self.logged_on = False
        self.conn.close()

    # ------------------------------------------------------------------------------------------- connection

    def _run(self) -> None:
        try:
            if self._handshake():
                self._serve()
        except ConnectionClosed as exc:
            log.info("%s: %s", self.name, exc)
        except ProtocolError as exc:
            log.warning("%s: protocol error, closing: %s", self.name, exc)
        except Exception:
            log.exception("%s: unexpected error, closing", self.name)
        finally:
            self.close()
            self.sim.forget_client(self)

    def _handshake(self) -> bool:
        cfg = self.sim.config
        deadline = time.monotonic() + cfg.logon_timeout_s
        first = b""
        while not first:
            if self.sim.stopping or time.monotonic() > deadline:
                log.info("%s: nothing received within %.1fs; closing", self.name, cfg.logon_timeout_s)
                return False
            first = self.conn.recv(0.1) or b""
        speaks_json = first.lstrip()[:1] == b"{"
        if speaks_json and cfg.encoding is ServerEncoding.BINARY:
            log.warning("%s: client speaks JSON but the simulator is set to binary; closing", self.name)
            return False
        stream = MessageStream(
            self.conn, Encoding.JSON if speaks_json else Encoding.BINARY, max_frame_bytes=cfg.max_frame_bytes
        )
        stream.feed(first)
        self.stream = stream
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.sim.stopping:
                log.info("%s: no LOGON_REQUEST within %.1fs; closing", self.name, cfg.logon_timeout_s)
                return False
            try:
                msg = stream.receive(min(left, 0.1))
            except UnknownMessageType as exc:
                log.info("%s: %s", self.name, exc)
                continue
            if isinstance(msg, m.EncodingRequest):
                self._negotiate(msg, initial=True)
            elif isinstance(msg, m.LogonRequest):
                return self._logon(msg)
            elif isinstance(msg, m.Logoff):
                return False
            elif msg is not None and not isinstance(msg, m.Heartbeat):
                log.info("%s: ignoring %s before logon", self.name, type(msg).__name__)

    def _negotiate(self, msg: m.EncodingRequest, *, initial: bool) -> None:
        stream = self.stream
        assert stream is not None
        mode = self.sim.config.encoding
        requested = msg.Encoding
        if mode is ServerEncoding.AUTOMATIC:
            granted = Encoding(requested) if requested in SUPPORTED_ENCODINGS else Encoding.BINARY
        else:
            granted = Encoding.JSON if mode is ServerEncoding.JSON else Encoding.BINARY
        answer = m.EncodingResponse(ProtocolVersion=PROTOCOL_VERSION, Encoding=granted)
        if initial:
            stream.send_binary(answer)
        else:
            stream.send(answer)
        stream.switch_encoding(granted)
        log.info("%s: encoding %s requested, %s granted", self.name, requested, granted.name)

    def _logon(self, msg: m.LogonRequest) -> bool:
        cfg = self.sim.config
        stream = self.stream
        assert stream is not None
        if cfg.encoding is ServerEncoding.JSON and stream.encoding is Encoding.BINARY:
            log.warning("%s: binary LOGON_REQUEST but the simulator is set to JSON; closing", self.name)
            return False
        problem = self.sim.logon_reject_text
        if (
            problem is None
            and cfg.username is not None
            and (msg.Username, msg.Password) != (cfg.username, cfg.password)
        ):
            problem = "Invalid username or password"
        if problem is not None:
            stream.send(m.LogonResponse(Result=cfg.logon_reject_status, ResultText=problem, ServerName=cfg.server_name))
            log.info("%s: logon of %r rejected: %s", self.name, msg.Username, problem)
            return False
        self.username = msg.Username
        self.heartbeat_s = max(0, msg.HeartbeatIntervalInSeconds)
        stream.send(
            m.LogonResponse(
                Result=LogonStatus.SUCCESS,
                ResultText="Logon successful",
                ServerName=cfg.server_name,
                TradingIsSupported=int(cfg.allow_trading),
                OrderCancelReplaceSupported=0,
                MarketDepthIsSupported=0,
                MarketDataSupported=1,
                SecurityDefinitionsSupported=int(cfg.security_definitions),
                HistoricalPriceDataSupported=0,
            )
        )
        self.logged_on = True
        log.info(
            "%s: logged on as %r (heartbeat %ds, %s)", self.name, msg.Username, self.heartbeat_s, stream.encoding.name
        )
        return True

    def _serve(self) -> None:
        stream = self.stream
        assert stream is not None
        interval = self.heartbeat_s
        next_heartbeat = time.monotonic()
        while not self.conn.closed and not self.sim.stopping:
            try:
                msg = stream.receive(0.05)
            except UnknownMessageType as exc:
                log.info("%s: %s", self.name, exc)
                msg = None
            if isinstance(msg, m.Logoff):
                log.info("%s: client logoff: %s", self.name, msg.Reason)
                return
            if msg is not None:
                self._dispatch(msg)
            now = time.monotonic()
            if interval > 0:
                if now >= next_heartbeat:
                    self.send(m.Heartbeat(CurrentDateTime=int(time.time())))
                    next_heartbeat = now + interval
                if now - stream.last_received > 2 * interval:
                    log.info(
                        "%s: silent for %.1fs (2x %ds heartbeat); dropping",
                        self.name,
                        now - stream.last_received,
                        interval,
                    )
                    return

    # --------------------------------------------------------------------------------------------- requests

    def _dispatch(self, msg: Message) -> None:
        sim = self.sim
        if isinstance(msg, m.Heartbeat | m.LogonRequest):
            return
        if isinstance(msg, m.EncodingRequest):
            self._negotiate(msg, initial=False)
        elif isinstance(msg, m.MarketDataRequest):
            self._market_data(msg)
        elif isinstance(msg, m.SubmitNewSingleOrder):
            sim.submit_order(msg, self.username)
        elif isinstance(msg, m.CancelOrder):
            sim.cancel_order(msg)
        elif isinstance(msg, m.TradeAccountsRequest):
            self._reply(sim.exchange.trade_accounts(msg))
        elif isinstance(msg, m.OpenOrdersRequest):
            self._reply(sim.exchange.open_orders(msg))
        elif isinstance(msg, m.HistoricalOrderFillsRequest):
            self._reply(sim.exchange.historical_fills(msg))
        elif isinstance(msg, m.CurrentPositionsRequest):
            self._reply(sim.exchange.positions(msg))
        elif isinstance(msg, m.SecurityDefinitionForSymbolRequest) and sim.config.security_definitions:
            self._reply(sim.exchange.security_definition(msg))
        else:
            log.info("%s: the simulator does not handle %s; ignored", self.name, type(msg).__name__)

    def _reply(self, answer: Message | Sequence[Message]) -> None:
        for msg in answer if isinstance(answer, Sequence) else [answer]:
            self.send(msg)

    def _market_data(self, req: m.MarketDataRequest) -> None:
        exchange = self.sim.exchange
        if req.RequestAction == RequestAction.UNSUBSCRIBE:
            with self._subs_lock:
                self._subs.pop(req.SymbolID, None)
            return
        if req.SymbolID == 0:
            self.send(m.MarketDataReject(SymbolID=0, RejectText="SymbolID must be non-zero"))
            return
        if not exchange.has_symbol(req.Symbol):
            known = ", ".join(exchange.symbols)
            self.send(
                m.MarketDataReject(
                    SymbolID=req.SymbolID, RejectText=f"Symbol '{req.Symbol}' is not available (known: {known})"
                )
            )
            return
        if req.RequestAction != RequestAction.SNAPSHOT:
            with self._subs_lock:
                self._subs[req.SymbolID] = req.Symbol
        self.send(exchange.snapshot(req.Symbol, req.SymbolID))
