"""The MetaTrader 5 driver: one terminal and account, polled from the adapter runner's thread.

- ``start`` opens the API module (``backend.py``: local, remote or injected), ``initialize``s with the path,
  login, server and the password from the instance's own environment variable, and reconnects with the backoff;
- ``subscribe`` selects each symbol in Market Watch (a clear error naming the instance when the broker does not
  list one); ``poll`` passes each new tick once (``ticks.py``) and turns new deals into fills (``book.py``);
- ``submit`` sends one request per leg: filling mode, volume and the retry/reject/unknown decision come from the
  pure modules; a leg whose answer was lost is *in doubt*: kept open, settled by its comment, never sent twice;
- ``report`` lists this magic's orders, deals and positions after every (re)connect, for reconciliation.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from nexus_gw.adapters.base import DriverEvents, PlatformDriver, report_symbol
from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.domain.backoff import Backoff
from nexus_gw.protocol.constants import OrderStatus, OrderType
from nexus_gw.protocol.messages import Capabilities, Order, PlatformReport, Subscription

from .backend import BackendError, open_module
from .book import Leg, LegBook, history_window
from .doubts import DoubtSettler
from .requests import TRADE_ACTION_DEAL, TRADE_ACTION_REMOVE, build_request, position_to_close, reprice
from .retcodes import Outcome, describe, outcome
from .settings import MT5Settings
from .ticks import TickReader
from .volume import VolumeRefused

log = logging.getLogger(__name__)

ACCOUNT_MARGIN_MODE_RETAIL_HEDGING = 2
RES_S_OK = 1
COPY_TICKS_ALL = -1
TICKS_PER_READ = 5000
CONNECTION_ERRORS = frozenset({-10001, -10002, -10003, -10004, -10005})
"""``last_error`` codes after ``order_send`` returned None that mean the request may have left: in doubt."""


class MT5Driver(PlatformDriver):
    """The ``mt5`` driver; see the module docstring. ``module`` injects an API module (tests pass the double)."""

    kind = "mt5"

    def __init__(self, name: str, settings: MT5Settings, paper: bool = False, module: Any = None) -> None:
        self.name = name
        self.settings = settings
        self.paper = paper
        self._injected = module
        self._mt5: Any = None
        self._connected = False
        self._hedging = False
        self._broker_up = True
        self._events: DriverEvents | None = None
        self._backoff = Backoff(settings.reconnect_initial_s, settings.reconnect_max_s)
        self._retry_at = 0.0
        self._subs: list[Subscription] = []
        self._ticks = TickReader(settings.stale_after_s)
        self._book = LegBook(name, settings.magic)
        self._doubts = DoubtSettler(name, self._book, settings.in_doubt_grace_s, settings.history_days)
        self._to_gateway = {broker: gw for gw, broker in settings.symbols.items()}

    def capabilities(self) -> Capabilities:
        return Capabilities(paper=self.paper)

    # -- symbols ------------------------------------------------------------------------------------------
    def _broker(self, symbol: str) -> str:
        return self.settings.symbols.get(symbol, symbol)

    def _unlisted(self, symbol: str, gateway_symbol: str) -> str:
        return (
            f"the broker {self.settings.server} does not list {symbol}: set platforms.{self.name}.settings.symbols."
            f"{gateway_symbol} to the broker's name for it (find it with symbols_get, docs/mt5.md)"
        )

    def _gateway(self, symbol: str) -> str:
        return self._to_gateway.get(symbol, symbol)

    # -- lifecycle ----------------------------------------------------------------------------------------
    def resume(self, in_flight: list[InFlightLeg]) -> None:
        """The legs earlier runs sent: bound ones by their order ticket, unbound open ones in doubt."""
        for rec in in_flight:
            ticket = int(rec.platform_order_id) if rec.platform_order_id.isdigit() else 0
            in_doubt = not ticket and not rec.finished
            symbol = self._broker(rec.symbol)
            leg = Leg(rec.leg_id, symbol, rec.qty, ticket, in_doubt, side=rec.side, sent_at=rec.sent_at)
            leg.finished = bool(rec.finished)  # a finished leg is still known (a repeat is ignored) but not read
            self._book.add(leg)

    def start(self, events: DriverEvents) -> None:
        self._events = events
        self._ensure_connected(time.monotonic())

    def stop(self) -> None:
        mt5, self._mt5, self._connected = self._mt5, None, False
        if mt5 is not None:
            try:
                mt5.shutdown()
            except Exception as exc:  # a dead terminal or server: nothing to shut down
                log.debug("%s: shutdown: %s", self.name, exc)
            if hasattr(mt5, "close"):
                mt5.close()

    def _ensure_connected(self, now: float) -> bool:
        assert self._events is not None
        if self._connected:
            return True
        if now < self._retry_at:
            return False
        try:
            self._connect()
        except Exception as exc:  # every failure to connect is retried with the backoff
            self._mt5 = None if self._injected is None else self._mt5
            self._retry_at = now + self._backoff.next_delay()
            log.warning("%s: not connected to MT5 (%s); retrying", self.name, exc)
            self._events.platform_state(False, f"{self.name}: {exc}")
            return False
        self._backoff.reset()
        self._connected = True
        self._broker_up = True
        self._select_symbols()
        self._events.platform_state(True, f"{self.name}: connected to {self.settings.server}")
        self._collect()  # deals made while the connection was down, in-doubt legs settled
        return True

    def _connect(self) -> None:
        self._mt5 = open_module(self.settings, self._injected)
        var = self.settings.password_variable(self.name)
        kwargs: dict[str, Any] = {"server": self.settings.server, "timeout": self.settings.timeout_ms}
        if self.settings.login is not None:
            password = os.environ.get(var, "")
            if not password:
                raise BackendError(f"the password of login {self.settings.login} is not set: export {var}")
            kwargs.update(login=int(self.settings.login), password=password)
        if self.settings.terminal_path:
            kwargs["path"] = self.settings.terminal_path
        if not self._mt5.initialize(**kwargs):
            code, text = self._mt5.last_error()
            raise BackendError(f"initialize() failed on {self.settings.server}: {code} {text}")
        account = self._mt5.account_info()
        self._hedging = account is not None and int(account.margin_mode) == ACCOUNT_MARGIN_MODE_RETAIL_HEDGING

    def _lost(self, exc: BaseException) -> None:
        assert self._events is not None
        if not self._connected:
            return
        self._connected = False
        self._retry_at = time.monotonic() + self._backoff.next_delay()
        log.warning("%s: lost the MT5 terminal (%s); reconnecting", self.name, exc)
        self._events.platform_state(False, f"{self.name}: lost the MT5 terminal: {exc}")

    # -- market data --------------------------------------------------------------------------------------
    def subscribe(self, subscriptions: list[Subscription]) -> None:
        self._subs = list(subscriptions)
        self._ticks.forget([self._broker(s.symbol) for s in self._subs])
        if self._connected:
            self._select_symbols()

    def _select_symbols(self) -> None:
        for sub in self._subs:
            symbol = self._broker(sub.symbol)
            try:
                ok = self._mt5.symbol_select(symbol, True)
            except Exception as exc:  # any failure of the API or its transport: connection lost
                self._lost(exc)
                return
            reason = "" if ok else self._unlisted(symbol, sub.symbol)
            if reason:
                log.error("%s: %s", self.name, reason)
            report_symbol(self._events, sub.symbol, bool(ok), reason)  # shown by status and nexusgw check

    def _stream(self, now: float) -> None:
        assert self._events is not None
        ticks, stale, back = self._ticks.read([self._broker(s.symbol) for s in self._subs], self._fetch_ticks, now)
        for t in ticks:
            self._events.market_data(self._gateway(t.symbol), t.bid, t.ask, t.last, t.size, t.ts_ns)
        if stale:
            info = self._mt5.terminal_info()
            connected = info is None or bool(getattr(info, "connected", True))
            why = "market closed or feed stopped" if connected else "terminal disconnected from the broker"
            log.warning("%s: feed stale for %s (%s)", self.name, ", ".join(stale), why)
            self._events.platform_state(connected, f"{self.name}: feed stale for {', '.join(stale)} ({why})")
        if back:
            log.info("%s: feed back for %s", self.name, ", ".join(back))
            self._events.platform_state(True, f"{self.name}: feed back for {', '.join(back)}")

    def _fetch_ticks(self, symbol: str, last_msc: int) -> Any:
        if last_msc and hasattr(self._mt5, "copy_ticks_from"):
            rows = self._mt5.copy_ticks_from(symbol, last_msc // 1000, TICKS_PER_READ, COPY_TICKS_ALL)
            if rows is not None:
                return rows
        return (self._mt5.symbol_info_tick(symbol),)

    # -- orders -------------------------------------------------------------------------------------------
    def submit(self, order: Order) -> None:
        assert self._events is not None
        leg = order.leg_id
        if leg in self._book.legs:
            log.warning("%s: leg %s already sent; the repeat is ignored", self.name, leg)
            return
        if not self._connected:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} is not connected to its MT5 terminal")
            return
        symbol = self._broker(order.symbol)
        try:
            request = self._request(order, symbol)
        except (VolumeRefused, LookupError) as exc:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name}: {exc}")
            return
        except Exception as exc:  # the terminal went away before anything was sent
            self._lost(exc)
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} lost its MT5 terminal: {exc}")
            return
        self._book.add(Leg(leg, symbol, float(request["volume"]), side=order.side.value, sent_at=time.time()))
        self._send(order, request)

    def _request(self, order: Order, symbol: str) -> dict[str, Any]:
        info = self._mt5.symbol_info(symbol)
        if info is None:
            code, text = self._mt5.last_error()
            if int(code) in CONNECTION_ERRORS:
                raise BackendError(f"symbol_info: {code} {text}")
            raise LookupError(self._unlisted(symbol, order.symbol))
        if not info.visible:
            self._mt5.symbol_select(symbol, True)
        tick = self._mt5.symbol_info_tick(symbol)
        quote = (float(tick.bid), float(tick.ask)) if tick is not None else None
        request = build_request(order, symbol, info, self.settings, self.name, quote)
        if self._hedging and request["action"] == TRADE_ACTION_DEAL:
            positions = self._mt5.positions_get(symbol=symbol) or ()
            closing = position_to_close(positions, self.settings.magic, order.side, request["volume"])
            if closing:
                request["position"] = closing
        return request

    def _market_price(self, order: Order, request: dict[str, Any]) -> dict[str, Any]:
        if request["action"] != TRADE_ACTION_DEAL:
            return request
        tick = self._mt5.symbol_info_tick(request["symbol"])
        if tick is None:
            return request
        info = self._mt5.symbol_info(request["symbol"]) if order.order_type is OrderType.LIMIT else None
        return reprice(order, request, info, self.settings, self.name, (float(tick.bid), float(tick.ask)))

    def _send(self, order: Order, request: dict[str, Any]) -> None:
        assert self._events is not None
        leg = order.leg_id
        for attempt in range(self.settings.max_retries + 1):
            try:
                request = self._market_price(order, request)
                result = self._mt5.order_send(request)
                error = self._mt5.last_error() if result is None else (RES_S_OK, "")
            except Exception as exc:  # the answer is lost: the request may have left
                self._in_doubt(leg, f"terminal lost mid-order ({exc})")
                self._lost(exc)
                return
            if result is None:
                code, text = int(error[0]), str(error[1])
                if code in CONNECTION_ERRORS:
                    self._in_doubt(leg, f"order_send got no answer: {code} {text}")
                    self._lost(BackendError(f"order_send: {code} {text}"))
                    return
                self._finish(leg, OrderStatus.REJECTED, f"{self.name}: order_send refused the request: {code} {text}")
                return
            verdict = outcome(int(result.retcode))
            text = describe(int(result.retcode), str(result.comment))
            if verdict is Outcome.RETRY and attempt < self.settings.max_retries:
                log.info("%s: leg %s %s; resending (%d)", self.name, leg, text, attempt + 1)
                continue
            if verdict in (Outcome.RETRY, Outcome.REJECT):
                suffix = f" after {attempt + 1} attempts" if verdict is Outcome.RETRY else ""
                self._finish(leg, OrderStatus.REJECTED, f"{self.name}: {text}{suffix}")
                return
            if verdict is Outcome.UNKNOWN:
                self._in_doubt(leg, text)
                return
            ticket = int(result.order)
            self._book.bind(leg, ticket)
            self._events.order_update(leg, OrderStatus.ACCEPTED, "", str(ticket))
            self._collect()
            return

    def _finish(self, leg: str, status: OrderStatus, reason: str) -> None:
        assert self._events is not None
        log.warning("%s: leg %s %s: %s", self.name, leg, status.value.lower(), reason)
        self._book.legs[leg].finished = True  # still known: a repeat of the leg id is ignored
        self._events.order_update(leg, status, reason)

    def _in_doubt(self, leg: str, why: str) -> None:
        log.error(
            "%s: leg %s: %s; it stays open and is settled from MT5's orders and deals after the reconnect "
            "(never sent again)",
            self.name,
            leg,
            why,
        )
        self._book.legs[leg].in_doubt = True

    def cancel(self, leg_id: str) -> None:
        assert self._events is not None
        leg = self._book.legs.get(leg_id)
        if leg is None or not leg.ticket or not self._connected:
            log.warning("%s: cancel of %s: no working MT5 order known (or not connected)", self.name, leg_id)
            return
        try:
            if not self._mt5.orders_get(ticket=leg.ticket):
                return  # filled or gone: its deals tell
            result = self._mt5.order_send(
                {"action": TRADE_ACTION_REMOVE, "order": leg.ticket, "magic": self.settings.magic}
            )
        except Exception as exc:  # any failure of the API or its transport: connection lost
            self._lost(exc)
            return
        if result is not None and outcome(int(result.retcode)) is Outcome.DONE:
            leg.finished = True
            self._events.order_update(leg_id, OrderStatus.CANCELLED, "cancelled")
        else:
            why = describe(int(result.retcode), str(result.comment)) if result is not None else self._mt5.last_error()
            log.warning("%s: cancel of %s refused: %s", self.name, leg_id, why)

    # -- fills, polling, reconciliation -------------------------------------------------------------------
    def _deals(self) -> tuple[Any, ...]:
        deals = self._mt5.history_deals_get(*history_window(time.time(), self.settings.history_days))
        return tuple(deals or ())

    def _collect(self) -> None:
        assert self._events is not None
        if not self._book.has_open_legs():
            return
        try:
            deals = self._deals()
            settled = self._doubts.settle(self._mt5, time.time())
        except Exception as exc:  # any failure of the API or its transport: connection lost
            self._lost(exc)
            return
        fills, binds = self._book.absorb(deals)
        for leg, ticket in [*settled.bound, *binds]:
            self._events.order_update(leg, OrderStatus.ACCEPTED, "", str(ticket))
        for f in fills:
            self._events.fill(f.leg_id, f.fill_id, f.qty, f.price, f.ts_ns)
        for leg, status, reason in settled.ended:  # after its fills: keep what it filled
            self._finish(leg, status, reason)

    def _check_terminal(self) -> bool:
        """False (and the connection lost) when the terminal is gone; reports the broker link going and coming."""
        assert self._events is not None
        info = self._mt5.terminal_info()
        if info is None:
            code, text = self._mt5.last_error()
            self._lost(BackendError(f"terminal_info() failed: {code} {text}"))
            return False
        up = bool(getattr(info, "connected", True))
        if up != self._broker_up:
            self._broker_up = up
            why = "connected to" if up else "disconnected from"
            log.log(logging.INFO if up else logging.WARNING, "%s: terminal %s the broker", self.name, why)
            self._events.platform_state(up, f"{self.name}: terminal {why} {self.settings.server}")
        return True

    def poll(self, now: float) -> float | None:
        if not self._ensure_connected(now):
            return max(0.0, self._retry_at - now)
        try:
            if not self._check_terminal():
                return max(0.0, self._retry_at - now)
            self._stream(now)
        except Exception as exc:  # any failure of the API or its transport: connection lost
            self._lost(exc)
            return self.settings.poll_interval_s
        self._collect()
        return self.settings.poll_interval_s

    def report(self) -> PlatformReport | None:
        if not self._connected:
            return None  # unknown while disconnected: never report "no orders"
        try:
            orders = tuple(self._mt5.orders_get() or ())
            positions = tuple(self._mt5.positions_get() or ())
            deals = self._deals()
        except Exception as exc:  # any failure of the API or its transport: connection lost
            self._lost(exc)
            return None
        return self._book.report(orders, deals, positions, self._gateway)
