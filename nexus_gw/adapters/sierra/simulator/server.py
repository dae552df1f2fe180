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

import itertools
import logging
import random
import socket
import threading
import time
from types import TracebackType

from ..dtc import messages as m
from ..dtc.wire import Message
from .client import ClientConnection, Scheduler
from .config import SimulatorConfig
from .exchange import ExchangeSettings, SimExchange
from .state import SimStateFile, StateFileError

log = logging.getLogger(__name__)


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
        self._clients: list[ClientConnection] = []
        self._client_numbers = itertools.count(1)
        self._fill_pending: set[str] = set()
        self._scheduler = Scheduler()
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

    def _snapshot_clients(self) -> list[ClientConnection]:
        with self._lock:
            return list(self._clients)

    def forget_client(self, client: ClientConnection) -> None:
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
            client = ClientConnection(self, sock, next(self._client_numbers))
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

    def submit_order(self, req: m.SubmitNewSingleOrder, username: str) -> None:
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

    def cancel_order(self, req: m.CancelOrder) -> None:
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
