"""The Sierra Chart driver: the gateway's ``PlatformDriver`` on top of a DTC session.

- **Identity.** Every order goes to Sierra with ClientOrderID = the gateway's leg id, so each ORDER_UPDATE names
  its leg. Sierra's historical fills carry only the ServerOrderID; the :class:`~.legs.LegBook` maps those back.
- **States.** Sierra's order states become leg states: working (sent, pending, open, partially filled) →
  ACCEPTED with the ServerOrderID; REJECTED and CANCELLED with Sierra's InfoText; a cancel whose text says the
  order expired → EXPIRED. Fills are never reported through states: each execution is one ``fill`` whose
  ``fill_id`` is Sierra's execution ID.
- **Reconnects.** After every logon the session reconciles, and the driver re-reports the fills of the last
  ``fill_history_days`` days and the state of every open order. The gateway ignores a repeated
  (leg id, fill id), so a fill made while the adapter or Sierra was down is counted exactly once.
- **Reports.** ``report()`` gives the gateway Sierra's view (working legs, executions, positions) for its own
  reconciliation, but only while logged on with a complete reconciliation of the current logon; otherwise
  ``None`` (unknown), so the gateway never settles a leg from a partial picture.
- **Paper.** With ``paper: true`` the gateway fills the legs itself against this adapter's market data; an
  order that reaches the driver anyway is refused, never sent to Sierra.
- **Never queued.** An order that arrives while Sierra is not logged on is reported REJECTED at once. An order
  that Sierra had not acknowledged when the connection ended (or whose write broke part-way, or whose adapter
  died before reading the answer: the runner's write-ahead store gives it back through :meth:`resume`) is *in
  doubt*: the reconciliation after the reconnect settles it from the open orders and fills by symbol, side,
  quantity and time (:func:`~nexus_gw.adapters.indoubt.resolve`), and nothing is guessed; meanwhile ``report()``
  lists it with ``in_doubt``.

Session callbacks run on the session's I/O thread; ``DriverEvents`` is thread-safe.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict

from nexus_gw import failpoints
from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.errors import ConfigError, OrderRejected, PlatformUnavailable, ProtocolError
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import (
    Capabilities,
    Order,
    PlatformReport,
    ReportedFill,
    ReportedOrder,
    Subscription,
)

from .dtc.constants import USERNAME_PASSWORD_LENGTH, BuySell, LogonStatus
from .dtc.events import (
    Fill,
    LogonInfo,
    MarketSnapshot,
    OrderReport,
    Position,
    Quote,
    Reconciliation,
    SessionListener,
    Trade,
)
from .dtc.execution import OrderInDoubt, OrderRequest
from .dtc.session import DtcSession
from .execution import (
    ORDER_TYPES,
    SAMPLE_LEG_ID,
)
from .legs import LegBook
from .quotes import QuoteBoard, Tick
from .reconcile import SierraReconciler
from .settings import MAX_CLIENT_ORDER_ID_BYTES, SierraSettings
from .symbolcheck import SymbolVerifier

log = logging.getLogger(__name__)


class SierraDriver(SierraReconciler, PlatformDriver, SessionListener):
    """Trades one Sierra Chart instance over DTC; see the module docstring.

    The driver is also the session's listener: its ``on_*`` methods run on the session's I/O thread.
    """

    kind = "sierra"

    def __init__(self, name: str, settings: SierraSettings, paper: bool = False) -> None:
        leg_bytes = len(f"{SAMPLE_LEG_ID}.{name}".encode())
        if leg_bytes > MAX_CLIENT_ORDER_ID_BYTES:
            raise ConfigError(
                f"platform {name}: its leg ids are {leg_bytes} bytes, but DTC's ClientOrderID holds at most "
                f"{MAX_CLIENT_ORDER_ID_BYTES}; rename the platform instance to at most "
                f"{MAX_CLIENT_ORDER_ID_BYTES - len(SAMPLE_LEG_ID) - 1} characters"
            )
        self.name = name
        self.settings = settings
        self.paper = paper
        if settings.order_map_file is not None:
            log.warning(
                "%s: settings.order_map_file is no longer needed: the adapter's write-ahead store (inflight.sqlite in "
                "the adapter's state directory) records every leg and its Sierra order; the file is still read and "
                "kept for now, and you may remove the key",
                name,
            )
        self.legs = LegBook(settings.order_map_file)
        self.symbols = SymbolVerifier(name, settings.symbol_template, self._symbol_state)
        self._quotes = QuoteBoard()
        self._events: DriverEvents | None = None
        self._session: DtcSession | None = None
        self.last_reconciliation: Reconciliation | None = None
        """The report of the latest reconciliation handled (after it was re-reported); for status and tests."""
        self._track_lock = threading.Lock()
        self._working: dict[str, tuple[str, float, int]] = {}
        """Leg → (ServerOrderID, filled quantity, logon it was last seen in) of orders Sierra works."""
        self._executions: OrderedDict[tuple[str, str], ReportedFill] = OrderedDict()
        self._positions: dict[str, float] = {}

    # ----------------------------------------------------------------------------------------- driver interface

    @property
    def session(self) -> DtcSession:
        """The DTC session (exists after :meth:`start`)."""
        if self._session is None:
            raise RuntimeError(f"the sierra driver of {self.name} is not started; call start(events) first")
        return self._session

    def capabilities(self) -> Capabilities:
        return Capabilities(order_types=list(ORDER_TYPES), cancel=True, paper=self.paper)

    def report(self) -> PlatformReport | None:
        """Sierra's view for the gateway's reconciliation, or ``None`` while it is not known for certain.

        Known means: logged on, and the reconciliation after this logon came back complete. Working orders are
        those Sierra listed or reported since (plus orders sent but not acknowledged yet, as SENT, so they are
        never taken for lost); executions are every fill reported to the gateway (the newest
        ``MAX_REPORTED_EXECUTIONS``); positions are Sierra's, by Sierra symbol.
        """
        session = self._session
        done = self.last_reconciliation
        if session is None or not session.logged_on or done is None:
            return None
        if done.logon_count != session.logon_count or not done.complete:
            return None
        with self._track_lock:
            open_orders = [
                ReportedOrder(leg_id=leg, status=OrderStatus.ACCEPTED, filled_qty=filled, platform_order_id=sid)
                for leg, (sid, filled, _logon) in self._working.items()
            ]
            executions = list(self._executions.values())
            positions = dict(self._positions)
        listed = {o.leg_id for o in open_orders}
        open_orders += [
            ReportedOrder(leg_id=item.leg_id, status=OrderStatus.SENT, in_doubt=item.logon < session.logon_count)
            for item in self.legs.unacknowledged()
            if item.leg_id not in listed
        ]
        return PlatformReport(open_orders=open_orders, executions=executions, positions=positions)

    def resume(self, in_flight: list[InFlightLeg]) -> None:
        """Take back the legs earlier runs sent: bound ones map Sierra's history again; unbound open ones are in doubt.

        A leg sent before a crash that Sierra acknowledged after it (or filled) is known to Sierra only by its
        ServerOrderID in the fill history; the first complete reconciliation binds it by symbol, side, quantity and
        time, or proves it absent, or leaves it in doubt for a person (see :meth:`_settle_in_doubt`).
        """
        doubtful = 0
        for leg in in_flight:
            self.legs.claim(leg.leg_id)
            if leg.platform_order_id:
                self.legs.bind(leg.leg_id, leg.platform_order_id)
            elif not leg.finished:
                side = BuySell.BUY.name if leg.side == Side.BUY.value else BuySell.SELL.name
                self.legs.expect_ack(leg.leg_id, leg.symbol, side, 0, qty=leg.qty, sent_at=leg.sent_at)
                doubtful += 1
        if doubtful:
            log.warning(
                "%s: %d leg(s) were sent before the adapter stopped and Sierra's answer was never read; they are in "
                "doubt until the reconciliation after logon settles them",
                self.name,
                doubtful,
            )

    def start(self, events: DriverEvents) -> None:
        """Read the password from the environment and start the DTC session (returns at once)."""
        settings = self.settings
        password = os.environ.get(settings.password_env, "")
        if len(password.encode()) > USERNAME_PASSWORD_LENGTH - 1:
            raise ConfigError(
                f"platform {self.name}: the password in ${settings.password_env} is longer than DTC's "
                f"{USERNAME_PASSWORD_LENGTH - 1} bytes; use a shorter DTC password in Sierra Chart"
            )
        if settings.username and not password:
            log.warning(
                "%s: username %r is set but $%s is empty; Sierra will refuse the logon if it requires a password",
                self.name,
                settings.username,
                settings.password_env,
            )
        self._events = events
        self._session = DtcSession(settings.session_config(password), self)
        log.info(
            "%s: connecting to Sierra DTC server %s:%d (%s, account %s)%s",
            self.name,
            settings.host,
            settings.port,
            settings.encoding,
            settings.trade_account or "first listed",
            " [bundled simulator]" if settings.simulator else "",
        )
        self._session.start()

    def stop(self) -> None:
        if self._session is not None:
            self._session.stop(timeout=5.0, reason=f"nexusgw adapter {self.name} stopping")

    def subscribe(self, subscriptions: list[Subscription]) -> None:
        """Stream exactly these Sierra symbols (now if logged on, else from the next logon).

        A symbol that is already streaming gets its last known state again at once: a gateway that has just
        (re)welcomed the adapter has no market data yet, and the next update may be a while away.
        """
        session = self.session
        wanted = [s.symbol for s in subscriptions]
        for symbol in wanted:
            if symbol in session.subscriptions:
                self._tick(self._quotes.latest(symbol))
        for symbol in set(session.subscriptions) - set(wanted):
            try:
                session.unsubscribe(symbol)
            except PlatformUnavailable as exc:
                log.info("%s: unsubscribe of %s not sent (%s); it is not resubscribed", self.name, symbol, exc)
        for symbol in wanted:
            if symbol in session.subscriptions:
                continue
            try:
                session.subscribe(symbol)
            except ProtocolError as exc:
                log.error(
                    "%s: cannot subscribe to %r: %s; fix the sierra symbol mapping in config/symbols.yaml",
                    self.name,
                    symbol,
                    exc,
                )
            except PlatformUnavailable as exc:
                log.info("%s: subscription of %s is sent at the next logon (%s)", self.name, symbol, exc)
        self._quotes.keep_only(set(wanted))
        fresh = self.symbols.want(subscriptions)
        if session.logged_on:
            self.symbols.verify(session, fresh)

    def submit(self, order: Order) -> None:
        """Send one leg as a DTC order with ClientOrderID = leg id; never queued while disconnected."""
        leg = order.leg_id
        refusal = self._refusal(order.symbol)  # paper mode, or a symbol Sierra does not know
        if refusal:
            self._status(leg, OrderStatus.REJECTED, refusal)
            return
        if not self.legs.claim(leg):
            known = self.legs.order_for_leg(leg)
            log.warning(
                "%s: leg %s was already sent to Sierra (order %s); the repeated ORDER is not sent again",
                self.name,
                leg,
                known or "not yet acknowledged",
            )
            if known:
                self._status(leg, OrderStatus.ACCEPTED, "", known)
            return
        side = BuySell.BUY if order.side is Side.BUY else BuySell.SELL
        request = OrderRequest(
            symbol=order.symbol,
            side=side,
            quantity=order.qty,
            order_type=ORDER_TYPES[order.order_type],
            limit_price=order.limit_price if order.order_type is OrderType.LIMIT else None,
            stop_price=order.stop_price if order.order_type is OrderType.STOP else None,
            client_order_id=leg,
        )
        session = self.session
        self.legs.expect_ack(leg, order.symbol, side.name, session.logon_count, qty=order.qty)
        try:
            session.submit_order(request)
            failpoints.hit("sierra.after_submit")  # tests: the adapter dies before it reads Sierra's answer
        except OrderInDoubt as exc:
            log.error(
                "%s: leg %s is in doubt: %s; it is settled from Sierra's reports after the reconnect",
                self.name,
                leg,
                exc,
            )
        except PlatformUnavailable as exc:
            self.legs.settle(leg)
            self.legs.release(leg)
            self._status(leg, OrderStatus.REJECTED, f"not sent to Sierra: {exc}")
        except OrderRejected as exc:
            self.legs.settle(leg)
            self.legs.release(leg)
            self._status(leg, OrderStatus.REJECTED, str(exc))
        else:
            self.legs.restamp(leg, session.logon_count)

    def cancel(self, leg_id: str) -> None:
        """Cancel by the ServerOrderID the leg is bound to; before Sierra acknowledged the order, when it does."""
        server_order_id = self.legs.order_for_leg(leg_id)
        if server_order_id is None:
            if self.legs.knows_leg(leg_id):
                self.legs.want_cancel(leg_id)
                log.info("%s: cancel of leg %s is sent as soon as Sierra acknowledges the order", self.name, leg_id)
            else:
                log.warning(
                    "%s: cancel for leg %s ignored: no order of this adapter has that leg id", self.name, leg_id
                )
            return
        self._send_cancel(leg_id, server_order_id)

    # ------------------------------------------------------------------------------------------ session events

    def on_logged_on(self, info: LogonInfo) -> None:
        self.symbols.on_logon(self.session, info.security_definitions_supported)  # every symbol again
        where = f"{self.settings.host}:{self.settings.port}"
        if not info.trading_supported:
            self._state(
                False,
                f"logged on to Sierra at {where}, but its DTC server does not allow trading; tick 'Allow Trading' in "
                "Global Settings > Sierra Chart Server Settings > DTC Protocol Server",
            )
            return
        self._state(True, f"logged on to {info.server_name or 'Sierra'} at {where} ({info.encoding.name.lower()})")

    def on_logon_rejected(self, status: LogonStatus, text: str) -> None:
        self._state(
            False,
            f"Sierra refused the logon: {text}. Check settings.username and the password in "
            f"${self.settings.password_env} (and Sierra's DTC server settings), then restart the adapter",
        )

    def on_disconnected(self, reason: str, will_reconnect: bool) -> None:
        then = "reconnecting" if will_reconnect else "not reconnecting: restart the adapter"
        self._state(False, f"connection to Sierra lost ({reason}); {then}")

    def on_snapshot(self, snapshot: MarketSnapshot) -> None:
        self._tick(
            self._quotes.on_snapshot(
                snapshot.symbol,
                snapshot.bid,
                snapshot.ask,
                snapshot.last_price,
                snapshot.last_size,
                snapshot.last_time or time.time(),
            )
        )

    def on_trade(self, trade: Trade) -> None:
        self._tick(self._quotes.on_trade(trade.symbol, trade.price, trade.size, trade.time))

    def on_quote(self, quote: Quote) -> None:
        self._tick(self._quotes.on_quote(quote.symbol, quote.bid, quote.ask, quote.time))

    def on_order_update(self, report: OrderReport) -> None:
        leg = self._leg_of(report.client_order_id, report.server_order_id)
        if leg is None:
            log.debug("%s: update of Sierra order %s not placed by this gateway", self.name, report.server_order_id)
            return
        self._apply(leg, report)

    def on_fill(self, fill: Fill) -> None:
        leg = self._leg_of(fill.client_order_id, fill.server_order_id)
        if leg is None:
            log.info(
                "%s: fill %s of a Sierra order not placed by this gateway; not reported", self.name, fill.execution_id
            )
            return
        self._fill(leg, fill)

    def on_market_data_reject(self, symbol: str, text: str) -> None:
        log.error(
            "%s: Sierra refused market data for %s: %s; check the sierra symbol mapping in config/symbols.yaml",
            self.name,
            symbol,
            text,
        )

    def on_position(self, position: Position) -> None:
        log.debug("%s: position %s %g @ %s", self.name, position.symbol, position.quantity, position.average_price)
        account = self.session.trade_account
        if account and position.trade_account and position.trade_account != account:
            return
        with self._track_lock:
            if position.quantity:
                self._positions[position.symbol] = position.quantity
            else:
                self._positions.pop(position.symbol, None)

    def on_server_message(self, text: str) -> None:
        log.info("%s: message from Sierra: %s", self.name, text)

    # ------------------------------------------------------------------------------------------------ internals

    def _tick(self, tick: Tick | None) -> None:
        if tick is not None:
            assert self._events is not None
            self._events.market_data(tick.symbol, tick.bid, tick.ask, tick.last, tick.size, tick.ts_ns)
