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
from collections.abc import Iterable
from typing import Final

from nexus_gw import failpoints
from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.indoubt import Bind, Candidate, DoubtfulLeg, InDoubt, NotReceived, resolve
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

from .dtc.constants import USERNAME_PASSWORD_LENGTH, BuySell, LogonStatus, OrderUpdateReason
from .dtc.constants import OrderStatus as DtcStatus
from .dtc.constants import OrderType as DtcOrderType
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
from .legs import LegBook
from .quotes import QuoteBoard, Tick
from .settings import MAX_CLIENT_ORDER_ID_BYTES, SierraSettings

log = logging.getLogger(__name__)

WORKING_STATUSES = frozenset(
    {
        DtcStatus.ORDER_SENT,
        DtcStatus.PENDING_OPEN,
        DtcStatus.PENDING_CHILD,
        DtcStatus.OPEN,
        DtcStatus.PENDING_CANCEL_REPLACE,
        DtcStatus.PENDING_CANCEL,
        DtcStatus.PARTIALLY_FILLED,
        DtcStatus.FILLED,
    }
)
"""DTC statuses that mean Sierra holds the order (a FILLED order was accepted too)."""

ORDER_TYPES = {
    OrderType.MARKET: DtcOrderType.MARKET,
    OrderType.LIMIT: DtcOrderType.LIMIT,
    OrderType.STOP: DtcOrderType.STOP,
}

SAMPLE_LEG_ID = "20260101-0123456789"
"""A gateway order id (``YYYYMMDD-`` + 10 hex digits); a leg id is ``<order id>.<platform instance>``."""

MAX_REPORTED_EXECUTIONS: Final = 5000
"""Executions kept for ``report()`` (the newest; a trading day's worth for any one instance)."""

IN_DOUBT_CLOCK_SKEW_S = 60.0
"""How much earlier than the send a Sierra fill may be stamped and still possibly belong to an in-doubt order."""

HISTORY_MARGIN_S = 43_200.0
"""``fill_history_days`` may count calendar days: only legs sent within ``days × 24 h − 12 h`` can be proven absent."""


def _ns(seconds: float) -> int:
    return round(seconds * 1_000_000_000)


class SierraDriver(PlatformDriver, SessionListener):
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

    def submit(self, order: Order) -> None:
        """Send one leg as a DTC order with ClientOrderID = leg id; never queued while disconnected."""
        leg = order.leg_id
        if self.paper:
            self._status(
                leg,
                OrderStatus.REJECTED,
                f"platform {self.name} is in paper mode: its legs fill in the gateway and are never sent to Sierra",
            )
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

    def on_reconciled(self, report: Reconciliation) -> None:
        """Re-report open orders and recent fills; settle in-doubt orders when the report is complete."""
        if report.errors:
            log.warning(
                "%s: reconciliation after logon %d is incomplete (%s); orders and fills it lacks are reported "
                "when Sierra sends them",
                self.name,
                report.logon_count,
                "; ".join(report.errors),
            )
        account = self.settings.trade_account
        if account and report.trade_accounts and account not in report.trade_accounts:
            self._state(
                False,
                f"Sierra does not offer trade account {account!r} (offered: {', '.join(report.trade_accounts)}); set "
                "settings.trade_account to one of them and restart the adapter",
            )
        open_legs: set[str] = set()
        for order in report.open_orders:
            leg = self._leg_of(order.client_order_id, order.server_order_id)
            if leg is not None:
                open_legs.add(leg)
                self._apply(leg, order, restated=True)
        foreign: list[Fill] = []
        reported = 0
        for fill in report.fills:
            leg = self._leg_of(fill.client_order_id, fill.server_order_id)
            if leg is None:
                foreign.append(fill)
            elif self._fill(leg, fill):
                reported += 1
        if report.complete:
            foreign = self._settle_in_doubt(report.logon_count, open_legs, foreign)
            with self._track_lock:
                for leg in [leg for leg, entry in self._working.items() if entry[2] < report.logon_count]:
                    del self._working[leg]  # not listed as open after this logon: no longer working
                self._positions = {p.symbol: p.quantity for p in report.positions if p.quantity}
        log.info(
            "%s: reconciled after logon %d: %d open orders of this gateway, %d fills re-reported, %d fills of other "
            "orders, positions %s",
            self.name,
            report.logon_count,
            len(open_legs),
            reported,
            len(foreign),
            _positions(report.positions),
        )
        self.last_reconciliation = report

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

    def _leg_of(self, client_order_id: str, server_order_id: str) -> str | None:
        """The leg an order report is about: its ClientOrderID if that is one of ours, else via the ServerOrderID."""
        cid = client_order_id
        if cid and (cid.endswith(f".{self.name}") or self.legs.knows_leg(cid)):
            return cid
        if server_order_id:
            return self.legs.leg_for_order(server_order_id)
        return None

    def _apply(self, leg: str, report: OrderReport, *, restated: bool = False) -> None:
        self._track(leg, report)
        sid = report.server_order_id
        if report.reason is OrderUpdateReason.ORDER_CANCEL_REJECTED:
            log.warning("%s: Sierra refused to cancel leg %s (order %s): %s", self.name, leg, sid, report.info_text)
            return
        status = report.status
        if status is DtcStatus.REJECTED:
            bound = self.legs.order_for_leg(leg)
            if bound and bound != sid:
                log.warning(
                    "%s: Sierra rejected a repeated submission of leg %s (%s); the leg's order %s stands",
                    self.name,
                    leg,
                    report.info_text,
                    bound,
                )
                return
            self.legs.settle(leg)
            self.legs.drop_cancel(leg)
            self._status(leg, OrderStatus.REJECTED, report.info_text or "rejected by Sierra (no reason given)", sid)
            return
        new_binding = bool(sid) and self.legs.bind(leg, sid)
        if status is DtcStatus.CANCELED:
            self.legs.drop_cancel(leg)
            text = report.info_text or "cancelled at Sierra"
            expired = "expire" in text.lower()
            self._status(leg, OrderStatus.EXPIRED if expired else OrderStatus.CANCELLED, text, sid)
            return
        if status not in WORKING_STATUSES:
            log.debug("%s: leg %s: Sierra order %s has status %s; nothing to report", self.name, leg, sid, status)
            return
        if new_binding or restated or report.reason is OrderUpdateReason.NEW_ORDER_ACCEPTED:
            self._status(leg, OrderStatus.ACCEPTED, "", sid)
        if sid and not report.is_terminal and self.legs.take_cancel(leg):
            self._send_cancel(leg, sid)

    def _track(self, leg: str, report: OrderReport) -> None:
        """Keep the working-order view of ``report()`` up to date."""
        if report.reason is OrderUpdateReason.ORDER_CANCEL_REJECTED or not report.server_order_id:
            return
        with self._track_lock:
            bound = self.legs.order_for_leg(leg)
            if bound and bound != report.server_order_id:
                return  # a refused repeat of the leg, not its order
            if report.status in WORKING_STATUSES and report.status is not DtcStatus.FILLED:
                logon = self._session.logon_count if self._session is not None else 0
                self._working[leg] = (report.server_order_id, report.filled_quantity, logon)
            else:
                self._working.pop(leg, None)

    def _fill(self, leg: str, fill: Fill) -> bool:
        if not fill.execution_id:
            log.error(
                "%s: Sierra reported a fill of leg %s (%g @ %g, order %s) without an execution id; it cannot be "
                "de-duplicated and is not reported: check the leg in Sierra's Trade Activity log",
                self.name,
                leg,
                fill.quantity,
                fill.price,
                fill.server_order_id,
            )
            return False
        assert self._events is not None
        log.debug(
            "%s: leg %s fill %s: %g @ %g (Sierra order %s)",
            self.name,
            leg,
            fill.execution_id,
            fill.quantity,
            fill.price,
            fill.server_order_id,
        )
        ts_ns = _ns(fill.time)
        with self._track_lock:
            key = (leg, fill.execution_id)
            self._executions[key] = ReportedFill(
                leg_id=leg, fill_id=fill.execution_id, qty=fill.quantity, price=fill.price, ts_ns=ts_ns
            )
            self._executions.move_to_end(key)
            while len(self._executions) > MAX_REPORTED_EXECUTIONS:
                self._executions.popitem(last=False)
        self._events.fill(leg, fill.execution_id, fill.quantity, fill.price, ts_ns)
        return True

    def _send_cancel(self, leg: str, server_order_id: str) -> None:
        try:
            self.session.cancel_order(server_order_id=server_order_id, client_order_id=leg)
        except PlatformUnavailable as exc:
            self.legs.want_cancel(leg)
            log.warning(
                "%s: cancel of leg %s not sent (%s); it is sent after the reconnect if the order is still open",
                self.name,
                leg,
                exc,
            )
        except OrderRejected as exc:
            log.warning("%s: cancel of leg %s not sent: %s", self.name, leg, exc)

    def _settle_in_doubt(self, logon: int, open_legs: set[str], foreign: list[Fill]) -> list[Fill]:
        """Settle legs sent before logon ``logon`` and never acknowledged; return the fills still foreign.

        Listed as open or bound → they stand. Otherwise Sierra's unmapped fills (grouped by ServerOrderID) are the
        candidates: one that has the leg's symbol, side and quantity at or after the send, with no rival, binds
        the leg and its fills are reported under the leg id; none at all, with the send inside the history Sierra
        gave → REJECTED (it never reached Sierra); anything else stays in doubt and is logged for a person.
        """
        waiting = [item for item in self.legs.unacknowledged() if item.logon < logon]
        doubtful: list[DoubtfulLeg] = []
        for item in waiting:
            if item.leg_id in open_legs or self.legs.order_for_leg(item.leg_id):
                self.legs.settle(item.leg_id)
            else:
                doubtful.append(DoubtfulLeg(item.leg_id, item.symbol, item.side, item.qty, item.sent_at))
        if not doubtful:
            return foreign
        history_since = time.time() - self.settings.fill_history_days * 86_400 + HISTORY_MARGIN_S
        decisions = resolve(
            doubtful, _candidates(foreign), complete=True, history_since=history_since, skew_s=IN_DOUBT_CLOCK_SKEW_S
        )
        bound: set[str] = set()
        for decision in decisions:
            leg_id = decision.leg_id
            if isinstance(decision, Bind):
                sid = decision.platform_order_id
                self.legs.bind(leg_id, sid)
                self.legs.settle(leg_id)
                self.legs.drop_cancel(leg_id)  # filled: nothing left to cancel
                bound.add(sid)
                log.warning(
                    "%s: leg %s (sent, answer never read) is Sierra order %s: its fills in Sierra's history match "
                    "the leg's symbol, side and quantity; they are reported for the leg",
                    self.name,
                    leg_id,
                    sid,
                )
                self._status(leg_id, OrderStatus.ACCEPTED, "", sid)
                for fill in foreign:
                    if fill.server_order_id == sid:
                        self._fill(leg_id, fill)
            elif isinstance(decision, NotReceived):
                self.legs.settle(leg_id)
                self.legs.drop_cancel(leg_id)
                self._status(
                    leg_id,
                    OrderStatus.REJECTED,
                    "Sierra's answer to this order was never read (the connection broke or the adapter restarted), and "
                    "after reconnecting Sierra lists neither the order nor a fill that could be it: it never reached "
                    "Sierra",
                )
            elif isinstance(decision, InDoubt):
                item = next(d for d in doubtful if d.leg_id == leg_id)
                log.error(
                    "%s: leg %s (%s %g %s) was sent but Sierra's answer was never read, and it stays in doubt: %s "
                    "(candidate Sierra orders: %s). It is reported to the gateway as in doubt and kept open. Check "
                    "Sierra's Trade Activity log and settle the leg by hand",
                    self.name,
                    leg_id,
                    item.side,
                    item.qty,
                    item.symbol,
                    decision.reason,
                    ", ".join(decision.candidates) or "none",
                )
        return [fill for fill in foreign if fill.server_order_id not in bound]

    def _tick(self, tick: Tick | None) -> None:
        if tick is not None:
            assert self._events is not None
            self._events.market_data(tick.symbol, tick.bid, tick.ask, tick.last, tick.size, tick.ts_ns)

    def _status(self, leg: str, status: OrderStatus, reason: str, platform_order_id: str = "") -> None:
        assert self._events is not None
        if status is OrderStatus.REJECTED:
            log.warning("%s: leg %s rejected: %s", self.name, leg, reason)
        self._events.order_update(leg, status, reason, platform_order_id)

    def _state(self, connected: bool, reason: str) -> None:
        assert self._events is not None
        self._events.platform_state(connected, reason)


def _candidates(foreign: Iterable[Fill]) -> list[Candidate]:
    """Sierra orders known only from fills no leg claims: quantity summed, time of the first fill."""
    orders: dict[str, Candidate] = {}
    for fill in foreign:
        sid = fill.server_order_id
        if not sid:
            continue
        seen = orders.get(sid)
        if seen is None:
            orders[sid] = Candidate(sid, fill.symbol, fill.side.name, fill.quantity, fill.time or None)
        else:
            times = [t for t in (seen.time, fill.time or None) if t is not None]
            orders[sid] = Candidate(
                sid, seen.symbol, seen.side, seen.qty + fill.quantity, min(times) if times else None
            )
    return list(orders.values())


def _positions(positions: Iterable[Position]) -> str:
    shown = [f"{p.symbol} {p.quantity:+g}" for p in positions]
    return ", ".join(shown) if shown else "flat"
