"""The post-logon reconciliation sequence: trade accounts, then open orders, recent fills and positions.

Runs entirely on futures (no thread of its own): each answer's done-callback fires the next step, and the four
answers are delivered together as one :class:`~.events.Reconciliation`. A request that is rejected or times
out is recorded in ``errors`` rather than stopping the others. If the connection ends meanwhile
(``is_current()`` turns false) the run is dropped; the next logon starts a fresh one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from . import messages as m
from .events import Fill, OrderReport, Position, Reconciliation
from .wire import Message

log = logging.getLogger(__name__)

OpenRequest = Callable[[str, Callable[[int], Message]], "Future[Any]"]
"""``open_request(kind, build)`` sends ``build(request_id)`` and returns the future of the collected answer."""


class ReconcileRun:
    """One reconciliation after logon number ``logon_count``."""

    def __init__(
        self,
        logon_count: int,
        *,
        open_request: OpenRequest,
        trade_account: str,
        fill_days: int,
        is_current: Callable[[], bool],
        on_account: Callable[[str, tuple[str, ...]], None],
        on_done: Callable[[Reconciliation], None],
    ) -> None:
        self.logon_count = logon_count
        self._open_request = open_request
        self._wanted_account = trade_account
        self._fill_days = fill_days
        self._is_current = is_current
        self._on_account = on_account
        self._on_done = on_done
        self._lock = threading.Lock()
        self._remaining = 3
        self.accounts: tuple[str, ...] = ()
        self.account = ""
        self.open_orders: tuple[OrderReport, ...] = ()
        self.fills: tuple[Fill, ...] = ()
        self.positions: tuple[Position, ...] = ()
        self.errors: list[str] = []

    def start(self) -> None:
        future = self._open_request("trade accounts", lambda rid: m.TradeAccountsRequest(RequestID=rid))
        future.add_done_callback(self._accounts_answered)

    def report(self) -> Reconciliation:
        return Reconciliation(
            logon_count=self.logon_count,
            trade_accounts=self.accounts,
            trade_account=self.account,
            open_orders=self.open_orders,
            fills=self.fills,
            positions=self.positions,
            errors=tuple(self.errors),
        )

    def _accounts_answered(self, future: Future[list[str]]) -> None:
        if not self._is_current():
            return
        try:
            self.accounts = tuple(future.result())
        except Exception as exc:
            self.errors.append(str(exc))
        chosen = self._wanted_account
        if chosen and self.accounts and chosen not in self.accounts:
            self.errors.append(
                f"trade account {chosen!r} is not offered by the DTC server (offered: {', '.join(self.accounts)}); "
                "set the Sierra trade_account to one of them"
            )
        if not chosen:
            chosen = self.accounts[0] if self.accounts else ""
            if not chosen:
                self.errors.append("the DTC server listed no trade account; orders cannot be sent")
        self.account = chosen
        self._on_account(chosen, self.accounts)
        days = self._fill_days
        self._step(
            "open orders",
            lambda rid: m.OpenOrdersRequest(RequestID=rid, RequestAllOrders=1, TradeAccount=chosen),
            "open_orders",
        )
        self._step(
            "historical fills",
            lambda rid: m.HistoricalOrderFillsRequest(RequestID=rid, NumberOfDays=days, TradeAccount=chosen),
            "fills",
        )
        self._step(
            "current positions",
            lambda rid: m.CurrentPositionsRequest(RequestID=rid, TradeAccount=chosen),
            "positions",
        )

    def _step(self, kind: str, build: Callable[[int], Message], attribute: str) -> None:
        def answered(future: Future[list[Any]]) -> None:
            with self._lock:
                try:
                    setattr(self, attribute, tuple(future.result()))
                except Exception as exc:
                    self.errors.append(str(exc))
                self._remaining -= 1
                finished = self._remaining == 0
            if not finished or not self._is_current():
                return
            report = self.report()
            if report.errors:
                log.warning(
                    "DTC reconciliation after logon %d is incomplete: %s", self.logon_count, "; ".join(report.errors)
                )
            self._on_done(report)

        self._open_request(kind, build).add_done_callback(answered)
