"""Sierra order reports and fills turned into leg states and executions (the driver's execution side)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Final

from nexus_gw.adapters.base import DriverEvents, report_symbol
from nexus_gw.errors import OrderRejected, PlatformUnavailable
from nexus_gw.protocol.constants import OrderStatus, OrderType
from nexus_gw.protocol.messages import (
    ReportedFill,
)

from .dtc.constants import OrderStatus as DtcStatus
from .dtc.constants import OrderType as DtcOrderType
from .dtc.constants import OrderUpdateReason
from .dtc.events import (
    Fill,
    OrderReport,
    Reconciliation,
)
from .dtc.session import DtcSession
from .legs import LegBook
from .settings import SierraSettings
from .symbolcheck import SymbolVerifier

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


def seconds_to_ns(seconds: float) -> int:
    return round(seconds * 1_000_000_000)


class SierraExecution:
    """Mixed into :class:`~.driver.SierraDriver`; uses its state."""

    name: str
    settings: SierraSettings
    legs: LegBook
    _events: DriverEvents | None
    _session: DtcSession | None
    last_reconciliation: Reconciliation | None
    _track_lock: threading.Lock
    _working: dict[str, tuple[str, float, int]]
    _executions: OrderedDict[tuple[str, str], ReportedFill]
    _positions: dict[str, float]
    paper: bool
    symbols: SymbolVerifier

    def _refusal(self, symbol: str) -> str | None:
        """Why a leg in ``symbol`` is not sent to Sierra at all: paper mode, or a symbol Sierra does not know."""
        if self.paper:
            return f"platform {self.name} is in paper mode: its legs fill in the gateway and are never sent to Sierra"
        return self.symbols.refusal(symbol)

    def _symbol_state(self, symbol: str, known: bool, reason: str) -> None:
        report_symbol(self._events, symbol, known, reason)

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
        ts_ns = seconds_to_ns(fill.time)
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

    def _status(self, leg: str, status: OrderStatus, reason: str, platform_order_id: str = "") -> None:
        assert self._events is not None
        if status is OrderStatus.REJECTED:
            log.warning("%s: leg %s rejected: %s", self.name, leg, reason)
        self._events.order_update(leg, status, reason, platform_order_id)

    def _state(self, connected: bool, reason: str) -> None:
        assert self._events is not None
        self._events.platform_state(connected, reason)
