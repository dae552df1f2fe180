"""A DTC server simulator that behaves like Sierra Chart's DTC server for the parts nexusgw uses.

Faithful to the protocol checklist of the reference (§1.5, §1.7): optional binary ENCODING_REQUEST/RESPONSE then
binary or JSON; LOGON (accept, or reject with a text); HEARTBEAT both ways and a drop after 2× the client's
interval of silence; market data per symbol (snapshot, then trade and bid/ask updates from a random walk;
unknown symbols rejected); trade accounts; orders with ServerOrderIDs, NEW_ORDER_ACCEPTED, partial and full
fills (cumulative quantity, weighted average, unique execution IDs), cancel, rejects with a text; open orders,
historical fills and positions with batch counters and the NoOrders/NoPositions/NoOrderFills sentinels; an
unsolicited POSITION_UPDATE after every fill. Order and fill state survive client reconnects while the process
lives, and with a state file (``--state-file``) restarts of the process too, as with a real Sierra Chart: every
change is on disk before any client hears of it, and working orders carry on after the restart.

Run it::

    python -m nexus_gw.adapters.sierra.simulator --port 11099 --encoding automatic --symbols NQH25=21000,ESH25=6000

or in-process (tests): ``with DtcSimulator(SimulatorConfig(port=0)) as sim: host, port = sim.address``.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import logging
import os
import random
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import FrameType, TracebackType
from typing import Final

from nexus_gw.errors import ProtocolError

from . import messages as m
from .constants import (
    DEFAULT_MAX_FRAME_BYTES,
    PROTOCOL_VERSION,
    SUPPORTED_ENCODINGS,
    Encoding,
    LogonStatus,
    RequestAction,
)
from .matching import ExchangeSettings, SimExchange
from .sim_state import SimStateFile, StateFileError
from .transport import Connection, ConnectionClosed, MessageStream
from .wire import Message, UnknownMessageType

log = logging.getLogger(__name__)

DEFAULT_SYMBOLS: Final = {"NQH25": 21000.0, "ESH25": 6000.0}


class ServerEncoding(StrEnum):
    """The simulator's counterpart of Sierra's DTC server "Encoding" setting."""

    AUTOMATIC = "automatic"
    """Grant the encoding a client asks for; a client that starts with ``{`` speaks JSON without asking."""
    BINARY = "binary"
    JSON = "json"


@dataclass(frozen=True)
class SimulatorConfig:
    """Behaviour of one simulator. Times are seconds; ``port=0`` picks a free port (see ``address``)."""

    host: str = "127.0.0.1"
    port: int = 0
    encoding: ServerEncoding = ServerEncoding.AUTOMATIC
    symbols: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SYMBOLS))
    """Symbol → base price of its random walk. Other symbols are rejected."""
    trade_accounts: tuple[str, ...] = ("Sim1",)
    tick_size: float = 0.25
    updates_per_second: float = 4.0
    """Market-data steps per second (each step: one trade and one bid/ask per symbol); 0 = no updates."""
    compact_updates: bool = False
    """Send MARKET_DATA_UPDATE_TRADE_COMPACT / BID_ASK_COMPACT instead of the double-precision messages."""
    username: str | None = None
    """When set, a logon must carry this username and ``password``."""
    password: str = field(default="", repr=False)
    logon_reject_text: str | None = None
    """When set, every logon is rejected with this text."""
    logon_reject_status: LogonStatus = LogonStatus.ERROR
    allow_trading: bool = True
    fill_latency_s: float = 0.05
    """Delay from acceptance (or from the market reaching the price) to the first execution."""
    fill_interval_s: float = 0.05
    """Delay between the executions of one order."""
    partial_fill_slices: int = 2
    seed: int | None = None
    logon_timeout_s: float = 10.0
    """A connection that has not logged on within this time is closed."""
    server_name: str = "nexusgw DTC simulator"
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    state_file: Path | None = None
    """File keeping orders, fills and positions across restarts of the simulator; ``None`` keeps them in memory."""


class _Scheduler:
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


class _Client:
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
            self.sim._forget(self)

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
                SecurityDefinitionsSupported=0,
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
            sim._submit(msg, self.username)
        elif isinstance(msg, m.CancelOrder):
            sim._cancel(msg)
        elif isinstance(msg, m.TradeAccountsRequest):
            self._reply(sim.exchange.trade_accounts(msg))
        elif isinstance(msg, m.OpenOrdersRequest):
            self._reply(sim.exchange.open_orders(msg))
        elif isinstance(msg, m.HistoricalOrderFillsRequest):
            self._reply(sim.exchange.historical_fills(msg))
        elif isinstance(msg, m.CurrentPositionsRequest):
            self._reply(sim.exchange.positions(msg))
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


class DtcSimulator:
    """The DTC server: a listener thread, one thread per client, and a scheduler for market data and fills."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        cfg = self.config
        self.exchange = SimExchange(
            ExchangeSettings(
                symbols=dict(cfg.symbols),
                trade_accounts=cfg.trade_accounts,
                tick_size=cfg.tick_size,
                allow_trading=cfg.allow_trading,
                partial_fill_slices=cfg.partial_fill_slices,
            ),
            rng=random.Random(cfg.seed),
        )
        self.silent = False
        """When True the simulator sends nothing (a black-holed network) but keeps connections open."""
        self.logon_reject_text = cfg.logon_reject_text
        """Reject every logon with this text while it is not None (starts as the configured value)."""
        self.connections_accepted = 0
        """TCP connections accepted so far (tests use it to see reconnect attempts)."""
        self.stopping = False
        self._lock = threading.Lock()
        self._clients: list[_Client] = []
        self._client_numbers = itertools.count(1)
        self._fill_pending: set[str] = set()
        self._scheduler = _Scheduler()
        self._state_file = SimStateFile(cfg.state_file) if cfg.state_file is not None else None
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._address: tuple[str, int] = (cfg.host, cfg.port)

    # ----------------------------------------------------------------------------------------------- control

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` actually listened on (the real port when configured with 0)."""
        return self._address

    @property
    def port(self) -> int:
        return self._address[1]

    @property
    def client_count(self) -> int:
        """Connections currently logged on."""
        with self._lock:
            return sum(1 for c in self._clients if c.logged_on)

    def start(self) -> tuple[str, int]:
        """Restore the state file (if any), bind, listen and start serving; returns the address.

        Raises :class:`~.sim_state.StateFileError` when the state file cannot be read, ``OSError`` when the
        port cannot be bound.
        """
        cfg = self.config
        resumed = self._restore()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((cfg.host, cfg.port))
        except OSError as exc:
            listener.close()
            raise OSError(
                f"DTC simulator cannot listen on {cfg.host}:{cfg.port} ({exc}); choose another --port"
            ) from exc
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener = listener
        self._address = listener.getsockname()[:2]
        self._scheduler.start()
        if cfg.updates_per_second > 0:
            self._scheduler.call_later(1.0 / cfg.updates_per_second, self._tick)
        for server_order_id in resumed:
            self._schedule_fill(server_order_id, cfg.fill_latency_s)
        self._accept_thread = threading.Thread(target=self._accept_loop, name="dtc-sim-accept", daemon=True)
        self._accept_thread.start()
        log.info("DTC simulator listening on %s:%d (encoding %s)", *self._address, cfg.encoding.value)
        return self._address

    def stop(self, reason: str = "simulator stopping") -> None:
        """Send LOGOFF to every client, close everything and end all threads (bounded waits)."""
        if self.stopping:
            return
        self.stopping = True
        self._scheduler.stop()
        if self._listener is not None:
            self._listener.close()
        for client in self._snapshot_clients():
            if client.logged_on:
                client.send(m.Logoff(Reason=reason))
            client.close()
        for client in self._snapshot_clients():
            client.thread.join(2.0)
        if self._accept_thread is not None:
            self._accept_thread.join(2.0)

    def drop_clients(self) -> int:
        """Close every connection abruptly (no LOGOFF), as a network failure would; state is kept."""
        clients = self._snapshot_clients()
        for client in clients:
            client.close()
        return len(clients)

    def wait_for_clients(self, count: int, timeout: float) -> bool:
        """Block until ``count`` clients are logged on (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.client_count >= count:
                return True
            time.sleep(0.01)
        return self.client_count >= count

    def set_price(self, symbol: str, price: float) -> None:
        """Move a market (tests use it to trigger or avoid resting orders)."""
        self.exchange.set_price(symbol, price)
        self._check_resting(symbol)

    def __enter__(self) -> DtcSimulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------------------ serving

    def _snapshot_clients(self) -> list[_Client]:
        with self._lock:
            return list(self._clients)

    def _forget(self, client: _Client) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self.stopping:
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if not self.stopping:
                    log.exception("DTC simulator accept failed; no longer accepting connections")
                return
            client = _Client(self, sock, next(self._client_numbers))
            with self._lock:
                self.connections_accepted += 1
                self._clients.append(client)
            client.thread.start()

    def _broadcast(self, msg: Message) -> None:
        """Order and position updates go to every logged-on client, like a server with one shared account."""
        for client in self._snapshot_clients():
            if client.logged_on:
                client.send(msg)

    def _restore(self) -> list[str]:
        """Load the state file into the exchange; return the orders still working."""
        if self._state_file is None:
            return []
        state = self._state_file.load()
        if state is None:
            log.info("DTC simulator state file %s does not exist yet; starting empty", self._state_file.path)
            return []
        try:
            working = self.exchange.restore_state(state)
        except ValueError as exc:
            raise StateFileError(f"DTC simulator state file {self._state_file.path}: {exc}") from exc
        log.info(
            "DTC simulator restored %d orders (%d working) and %d fills from %s",
            len(state.get("orders", [])),
            len(working),
            len(state.get("fills", [])),
            self._state_file.path,
        )
        return working

    def _persist(self) -> None:
        """Write the exchange state to the state file (if any) before clients hear of the change."""
        if self._state_file is None:
            return
        try:
            self._state_file.save(self.exchange.export_state)
        except StateFileError as exc:
            log.error("%s; the change is kept in memory only", exc)

    def _submit(self, req: m.SubmitNewSingleOrder, username: str) -> None:
        update, server_order_id = self.exchange.submit(req, username)
        self._persist()
        self._broadcast(update)
        if server_order_id is not None:
            self._schedule_fill(server_order_id, self.config.fill_latency_s)

    def _schedule_fill(self, server_order_id: str, delay: float) -> None:
        with self._lock:
            if server_order_id in self._fill_pending:
                return
            self._fill_pending.add(server_order_id)
        self._scheduler.call_later(delay, lambda: self._fill(server_order_id))

    def _cancel(self, req: m.CancelOrder) -> None:
        update = self.exchange.cancel(req)
        self._persist()
        self._broadcast(update)

    def _fill(self, server_order_id: str) -> None:
        outcome = self.exchange.try_fill(server_order_id)
        if outcome.executed:
            self._persist()
        for msg in outcome.messages:
            self._broadcast(msg)
        with self._lock:
            self._fill_pending.discard(server_order_id)
        if outcome.executed and outcome.working:
            self._schedule_fill(server_order_id, self.config.fill_interval_s)

    def _check_resting(self, symbol: str) -> None:
        for server_order_id in self.exchange.working_orders(symbol):
            self._schedule_fill(server_order_id, self.config.fill_latency_s)

    def _tick(self) -> None:
        if self.stopping:
            return
        cfg = self.config
        clients = [c for c in self._snapshot_clients() if c.logged_on]
        for symbol in self.exchange.symbols:
            trade, quote = self.exchange.step(symbol)
            for client in clients:
                for symbol_id in client.subscriptions_for(symbol):
                    for msg in _updates(trade, quote, symbol_id, compact=cfg.compact_updates):
                        client.send(msg)
            self._check_resting(symbol)
        self._scheduler.call_later(1.0 / cfg.updates_per_second, self._tick)


def _updates(
    trade: m.MarketDataUpdateTrade, quote: m.MarketDataUpdateBidAsk, symbol_id: int, *, compact: bool
) -> list[Message]:
    if compact:
        return [
            m.MarketDataUpdateTradeCompact(
                Price=trade.Price,
                Volume=trade.Volume,
                DateTime=int(trade.DateTime),
                SymbolID=symbol_id,
                AtBidOrAsk=trade.AtBidOrAsk,
            ),
            m.MarketDataUpdateBidAskCompact(
                BidPrice=quote.BidPrice,
                BidQuantity=quote.BidQuantity,
                AskPrice=quote.AskPrice,
                AskQuantity=quote.AskQuantity,
                DateTime=quote.DateTime,
                SymbolID=symbol_id,
            ),
        ]
    return [
        m.MarketDataUpdateTrade(
            SymbolID=symbol_id,
            AtBidOrAsk=trade.AtBidOrAsk,
            Price=trade.Price,
            Volume=trade.Volume,
            DateTime=trade.DateTime,
        ),
        m.MarketDataUpdateBidAsk(
            SymbolID=symbol_id,
            BidPrice=quote.BidPrice,
            BidQuantity=quote.BidQuantity,
            AskPrice=quote.AskPrice,
            AskQuantity=quote.AskQuantity,
            DateTime=quote.DateTime,
        ),
    ]


# ---------------------------------------------------------------------------------------------------- command


def _parse_symbols(text: str) -> dict[str, float]:
    symbols: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, price = item.partition("=")
        try:
            value = float(price)
        except ValueError:
            value = float("nan")
        if not sep or not name.strip() or not value > 0:
            raise argparse.ArgumentTypeError(
                f"bad symbol {item!r}: write SYMBOL=BASE_PRICE with a positive price, e.g. NQH25=21000"
            )
        symbols[name.strip()] = value
    if not symbols:
        raise argparse.ArgumentTypeError("no symbols given: use e.g. --symbols NQH25=21000,ESH25=6000")
    return symbols


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nexus_gw.adapters.sierra.simulator",
        description="Simulated Sierra Chart DTC server (binary and JSON encodings) for tests and demos.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=11099, help="TCP port (default 11099, 0 = any free port)")
    p.add_argument(
        "--encoding",
        choices=[e.value for e in ServerEncoding],
        default=ServerEncoding.AUTOMATIC.value,
        help="server encoding: automatic grants what the client asks (default)",
    )
    p.add_argument(
        "--symbols",
        type=_parse_symbols,
        default=dict(DEFAULT_SYMBOLS),
        help="SYMBOL=BASE_PRICE list, e.g. NQH25=21000,ESH25=6000",
    )
    p.add_argument("--accounts", default="Sim1", help="comma-separated trade accounts (default Sim1)")
    p.add_argument("--rate", type=float, default=4.0, help="market-data steps per second (default 4, 0 = none)")
    p.add_argument("--tick-size", type=float, default=0.25, help="price grid of the random walk (default 0.25)")
    p.add_argument("--compact", action="store_true", help="send the compact trade and bid/ask messages")
    p.add_argument("--fill-latency", type=float, default=0.05, help="seconds from acceptance to first fill")
    p.add_argument("--fill-interval", type=float, default=0.05, help="seconds between partial fills")
    p.add_argument("--partial-fills", type=int, default=2, help="executions per order (1 = no partial fills)")
    p.add_argument("--no-trading", action="store_true", help="reject every order, as with Allow Trading off")
    p.add_argument("--reject-logon", metavar="TEXT", help="reject every logon with this text")
    p.add_argument("--username", help="require this username at logon")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the required password")
    p.add_argument("--seed", type=int, help="random seed for a repeatable price walk")
    p.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep orders, fills and positions in this file so a restarted simulator still reports them",
    )
    p.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return p


def config_from_args(argv: Sequence[str] | None = None) -> SimulatorConfig:
    """Build a :class:`SimulatorConfig` from command-line arguments (exits 2 with a message on bad input)."""
    return _parse(argv)[0]


def _parse(argv: Sequence[str] | None) -> tuple[SimulatorConfig, str]:
    parser = _parser()
    args = parser.parse_args(argv)
    password = ""
    if args.password_env:
        if args.password_env not in os.environ:
            parser.error(f"--password-env {args.password_env}: that environment variable is not set")
        password = os.environ[args.password_env]
    if args.partial_fills < 1:
        parser.error("--partial-fills must be >= 1")
    config = SimulatorConfig(
        host=args.host,
        port=args.port,
        encoding=ServerEncoding(args.encoding),
        symbols=args.symbols,
        trade_accounts=tuple(a.strip() for a in args.accounts.split(",") if a.strip()),
        tick_size=args.tick_size,
        updates_per_second=args.rate,
        compact_updates=args.compact,
        username=args.username,
        password=password,
        logon_reject_text=args.reject_logon,
        allow_trading=not args.no_trading,
        fill_latency_s=args.fill_latency,
        fill_interval_s=args.fill_interval,
        partial_fill_slices=args.partial_fills,
        seed=args.seed,
        state_file=args.state_file,
    )
    return config, args.log_level.upper()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until SIGINT/SIGTERM. Prints one ``listening on HOST:PORT`` line when ready."""
    config, log_level = _parse(argv)
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sim = DtcSimulator(config)
    try:
        host, port = sim.start()
    except (OSError, StateFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(
        f"DTC simulator listening on {host}:{port} (encoding {config.encoding.value}, "
        f"symbols {', '.join(config.symbols)}, accounts {', '.join(config.trade_accounts)})",
        flush=True,
    )
    while not done.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
