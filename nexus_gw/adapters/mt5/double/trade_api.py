"""The trading half of the terminal's functions: order_check, order_send, orders, positions and history."""

from __future__ import annotations

from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double import records as r
from nexus_gw.adapters.mt5.double.filters import matches, seconds
from nexus_gw.adapters.mt5.double.trading import Outcome, Refused


def _refusal(terminal: Any) -> int | None:
    """The retcode of a terminal-level refusal (fault, lost server, AutoTrading off), None when none applies."""
    if terminal.faults.forced:
        return terminal.faults.forced.popleft()
    if not terminal.faults.server_connected:
        return c.TRADE_RETCODE_CONNECTION
    if not terminal.faults.autotrading:
        return c.TRADE_RETCODE_CLIENT_DISABLES_AT
    if not terminal.faults.account_trade_allowed:
        return c.TRADE_RETCODE_TRADE_DISABLED
    return None


def _bad_request(terminal: Any, request: Any) -> bool:
    if not isinstance(request, dict) or "action" not in request:
        terminal.error = (c.RES_E_INVALID_PARAMS, "Invalid arguments: the request must be a dict with 'action'")
        return True
    unknown = sorted(set(request) - set(r.REQUEST_DEFAULTS))
    if unknown:
        terminal.error = (c.RES_E_INVALID_PARAMS, f"Invalid arguments: unknown request fields {unknown}")
        return True
    return False


class TradeApi:
    """Mixed into ``Terminal``; uses its market, books, trader, faults and error."""

    def order_check(self, request: dict[str, Any]) -> Any:
        t: Any = self
        if not t._ready() or _bad_request(t, request):
            return None
        retcode, comment = 0, "Done"
        refused = _refusal(t) if not t.faults.forced else None
        if refused is not None:
            retcode, comment = refused, c.RETCODE_TEXT.get(refused, "")
        else:
            try:
                t.trader.check(request)
            except Refused as error:
                retcode, comment = error.retcode, str(error)
        equity, margin = t.trader.equity(), t.books.margin()
        spec = t.broker.spec(str(request.get("symbol", "")))
        extra = t.trader.margin_needed(spec, float(request.get("volume", 0) or 0)) if spec else 0.0
        return r.OrderCheckResult(
            retcode=retcode,
            balance=t.books.balance,
            equity=equity,
            profit=t.books.floating(),
            margin=round(margin + extra, 2),
            margin_free=round(equity - margin - extra, 2),
            margin_level=round(equity / (margin + extra) * 100, 2) if margin + extra else 0.0,
            comment=comment,
            request=r.trade_request(request),
        )

    def order_send(self, request: dict[str, Any]) -> Any:
        t: Any = self
        if not t._ready() or _bad_request(t, request):
            return None
        t.request_id += 1
        refused = _refusal(t)
        if refused is not None:
            outcome = Outcome(refused)
        else:
            try:
                outcome = t.trader.execute(request)
            except Refused as error:
                outcome = Outcome(error.retcode)
            if t.on_change:
                t.on_change()
            if t.faults.lost_answers:
                if t.faults.lost_answers.popleft() == "none":
                    t.error = (c.RES_E_INTERNAL_FAIL_TIMEOUT, "IPC timeout")
                    return None
                outcome = Outcome(c.TRADE_RETCODE_TIMEOUT)
        spec = t.broker.spec(str(request.get("symbol", "")))
        tick = t.market.last_tick(spec.name) if spec else None
        return r.OrderSendResult(
            retcode=outcome.retcode,
            deal=outcome.deal,
            order=outcome.order,
            volume=outcome.volume,
            price=outcome.price,
            bid=tick.bid if tick else 0.0,
            ask=tick.ask if tick else 0.0,
            comment=c.RETCODE_TEXT.get(outcome.retcode, ""),
            request_id=t.request_id,
            retcode_external=0,
            request=r.trade_request(request),
        )

    # -- open orders and positions
    def orders_total(self) -> int | None:
        t: Any = self
        return len(t.books.orders) if t._ready() else None

    def orders_get(self, symbol: str | None = None, group: str | None = None, ticket: int | None = None) -> Any:
        t: Any = self
        if not t._ready():
            return None
        rows = _select(t.books.orders.values(), symbol, group, ticket)
        return tuple(r.TradeOrder(**row) for row in rows)

    def positions_total(self) -> int | None:
        t: Any = self
        return len(t.books.positions) if t._ready() else None

    def positions_get(self, symbol: str | None = None, group: str | None = None, ticket: int | None = None) -> Any:
        t: Any = self
        if not t._ready():
            return None
        rows = _select(t.books.positions.values(), symbol, group, ticket)
        return tuple(r.TradePosition(**row) for row in rows)

    # -- history
    def history_orders_total(self, date_from: Any, date_to: Any) -> int | None:
        found = self.history_orders_get(date_from, date_to)
        return None if found is None else len(found)

    def history_orders_get(
        self,
        date_from: Any = None,
        date_to: Any = None,
        group: str | None = None,
        ticket: int | None = None,
        position: int | None = None,
    ) -> Any:
        t: Any = self
        if not t._ready():
            return None
        by_id = ticket is not None or position is not None
        rows = _history(t, t.books.history_orders.values(), "time_setup", date_from, date_to, group, by_id, position)
        if rows is None:
            return None
        return tuple(r.TradeOrder(**row) for row in rows if ticket is None or row["ticket"] == ticket)

    def history_deals_total(self, date_from: Any, date_to: Any) -> int | None:
        found = self.history_deals_get(date_from, date_to)
        return None if found is None else len(found)

    def history_deals_get(
        self,
        date_from: Any = None,
        date_to: Any = None,
        group: str | None = None,
        ticket: int | None = None,
        position: int | None = None,
    ) -> Any:
        """Deals in [date_from, date_to], or of the ORDER ``ticket``, or of the position ``position``."""
        t: Any = self
        if not t._ready():
            return None
        by_id = ticket is not None or position is not None
        rows = _history(t, t.books.deals, "time", date_from, date_to, group, by_id, position)
        if rows is None:
            return None
        return tuple(r.TradeDeal(**row) for row in rows if ticket is None or row["order"] == ticket)


def _select(rows: Any, symbol: str | None, group: str | None, ticket: int | None) -> list[dict[str, Any]]:
    return [
        row
        for row in rows
        if (symbol is None or row["symbol"] == symbol)
        and (group is None or matches(group, row["symbol"]))
        and (ticket is None or row["ticket"] == ticket)
    ]


def _history(
    t: Any,
    rows: Any,
    time_key: str,
    date_from: Any,
    date_to: Any,
    group: str | None,
    by_id: bool,
    position: int | None,
) -> list[dict[str, Any]] | None:
    if not by_id and (date_from is None or date_to is None):
        t.error = (c.RES_E_INVALID_PARAMS, "Invalid arguments: give date_from and date_to, or ticket=, or position=")
        return None
    start = None if by_id else seconds(date_from)
    end = None if by_id else seconds(date_to)
    return [
        row
        for row in rows
        if (start is None or start <= row[time_key] <= end)  # type: ignore[operator]
        and (group is None or matches(group, row["symbol"]))
        and (position is None or row["position_id"] == position)
    ]
