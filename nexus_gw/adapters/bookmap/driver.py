"""The Bookmap driver: Bookmap's Python API (the ``bookmap`` package) polled from the adapter runner's thread.

- ``start`` connects to Bookmap's socket on 127.0.0.1 (``session.py``) and reconnects with the backoff;
  Bookmap then attaches the instruments the addon is enabled on (``2``), and for each the driver subscribes to
  depth, trades, order info and position updates;
- the package's threads only queue what Bookmap sends; ``poll`` handles it: best bid/ask from depth and the last
  trade become ticks in Bookmap's aliases, order updates (``21``) bind legs by client id, executions (``20``)
  become fills, each once by execution id (``legs.py``);
- ``submit`` refuses an order for an instrument Bookmap has not attached (Bookmap would never answer it), else
  sends it with the leg id as client id; a leg whose answer is lost (the connection ended, or no answer within
  ``ack_timeout_s``) is *in doubt*: kept open, settled by its client id in Bookmap's order list after the
  reconnect, never sent twice;
- ``report`` is Bookmap's view once every attached instrument's order list was replayed, None before.
"""

from __future__ import annotations

import importlib
import logging
import queue
import time
from typing import Any

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.domain.backoff import Backoff
from nexus_gw.errors import PlatformUnavailable
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import Capabilities, Order, PlatformReport, Subscription

from .book import DepthBook
from .legs import Leg, LegBook
from .orders import order_fields
from .session import Session
from .settings import BookmapSettings
from .symbols import Instrument, OrderRefused, SymbolMap

log = logging.getLogger(__name__)

MAX_EVENTS_PER_POLL = 20_000


class BookmapDriver(PlatformDriver):
    """The ``bookmap`` driver; see the module docstring."""

    kind = "bookmap"

    def __init__(self, name: str, settings: BookmapSettings, paper: bool = False) -> None:
        self.name = name
        self.settings = settings
        self.paper = paper
        self._events: DriverEvents | None = None
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._session: Session | None = None
        self._backoff = Backoff(settings.reconnect_initial_s, settings.reconnect_max_s)
        self._retry_at = 0.0
        self._down_told = False
        self._symbols = SymbolMap(settings.symbols)
        self._wanted: list[str] = []
        self._instruments: dict[str, Instrument] = {}
        self._books: dict[str, DepthBook] = {}
        self._changed: set[str] = set()
        self._unacked: dict[int, str] = {}
        self._legs = LegBook(name)
        self._cancel_when_bound: set[str] = set()
        self._ready = False

    def capabilities(self) -> Capabilities:
        return Capabilities(paper=self.paper)

    # -- lifecycle ----------------------------------------------------------------------------------------
    def resume(self, in_flight: list[InFlightLeg]) -> None:
        """Legs of earlier runs: bound ones by Bookmap order id, open unbound ones in doubt (settled by client id)."""
        for rec in in_flight:
            self._legs.add(
                Leg(
                    rec.leg_id,
                    self._symbols.alias(rec.symbol),
                    rec.qty,
                    order_id=rec.platform_order_id,
                    in_doubt=not rec.platform_order_id and not rec.finished,
                    accepted=bool(rec.platform_order_id),
                    finished=bool(rec.finished),
                    filled=rec.filled_qty,
                )
            )

    def start(self, events: DriverEvents) -> None:
        try:
            importlib.import_module("bookmap")  # the lazy import: only now
        except ImportError as exc:
            raise PlatformUnavailable(
                f"{self.name}: the bookmap package is not installed ({exc}): python -m pip install 'nexusgw[bookmap]'"
            ) from None
        self._events = events
        self._ensure_connected(time.monotonic())

    def stop(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close(wait=True)

    @property
    def connected(self) -> bool:
        return self._session is not None

    def _ensure_connected(self, now: float) -> bool:
        assert self._events is not None
        if self._session is not None:
            return True
        if now < self._retry_at:
            return False
        session = Session(self.name, self.settings.port, self._inbox)
        try:
            if not self.settings.port:
                raise ConnectionError("settings.port is 0: run the addon from Bookmap, or set the port")
            session.open()
        except (OSError, ConnectionError) as exc:
            self._retry_at = now + self._backoff.next_delay()
            if not self._down_told:
                self._down_told = True
                port = self.settings.port
                log.warning("%s: cannot reach Bookmap on 127.0.0.1:%s (%s); retrying", self.name, port, exc)
                self._events.platform_state(False, f"{self.name}: Bookmap not reachable: {exc}")
            return False
        self._inbox = session.inbox
        self._session = session
        self._backoff.reset()
        self._down_told = False
        self._ready = False
        log.info("%s: connected to Bookmap on 127.0.0.1:%s; waiting for its instruments", self.name, self.settings.port)
        return True

    def _check_ready(self) -> None:
        """Connected for the gateway once Bookmap attached an instrument and replayed its orders."""
        assert self._events is not None
        if self._ready or not self._instruments or self._unacked:
            return
        self._ready = True
        attached = ", ".join(sorted(self._instruments))
        log.info("%s: Bookmap ready on 127.0.0.1:%s (%s)", self.name, self.settings.port, attached)
        self._events.platform_state(True, f"{self.name}: connected to Bookmap on 127.0.0.1:{self.settings.port}")

    def _lost(self, why: str) -> None:
        assert self._events is not None
        session, self._session = self._session, None
        if session is None:
            return
        session.close()
        self._ready = False
        self._inbox = queue.SimpleQueue()  # what the old connection still queued is not read
        self._instruments.clear()
        self._books.clear()
        self._unacked.clear()
        self._retry_at = time.monotonic() + self._backoff.next_delay()
        for leg in self._legs.lost():
            log.error(
                "%s: leg %s: sent, but Bookmap's answer was lost (%s); it stays open and is settled from Bookmap's "
                "order list after the reconnect (never sent again)",
                self.name,
                leg,
                why,
            )
        self._down_told = True  # said here: the reconnect attempts log nothing more until it is back
        log.warning("%s: lost Bookmap (%s); reconnecting", self.name, why)
        self._events.platform_state(False, f"{self.name}: lost Bookmap: {why}")

    # -- market data --------------------------------------------------------------------------------------
    def subscribe(self, subscriptions: list[Subscription]) -> None:
        self._wanted = [self._symbols.alias(s.symbol) for s in subscriptions]
        self._changed.update(self._wanted)

    def _quotes(self) -> None:
        assert self._events is not None
        for alias in self._changed & set(self._wanted):
            book, instrument = self._books.get(alias), self._instruments.get(alias)
            bbo = book.bbo() if book is not None else None
            if bbo is None or instrument is None or book is None or book.last <= 0:
                continue
            self._events.market_data(
                self._symbols.gateway(alias),
                instrument.price(bbo[0]),
                instrument.price(bbo[1]),
                instrument.price(book.last),
                instrument.qty(book.last_size),
                time.time_ns(),
            )
        self._changed.clear()

    # -- Bookmap's events ---------------------------------------------------------------------------------
    def _drain(self) -> None:
        for _ in range(MAX_EVENTS_PER_POLL):
            try:
                event = self._inbox.get_nowait()
            except queue.Empty:
                return
            try:
                self._handle(event[0], *event[1:])
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.error("%s: ignored a Bookmap message it cannot use (%s: %s): %r", self.name, event[0], exc, event)

    def _handle(self, kind: str, *args: Any) -> None:
        assert self._events is not None
        if kind == "depth":
            alias, is_bid, level, size = args
            if alias in self._books:
                self._books[alias].depth(is_bid, level, size)
                self._changed.add(alias)
        elif kind == "trade":
            alias, level, size = args[:3]
            if alias in self._books:
                self._books[alias].trade(level, size)
                self._changed.add(alias)
        elif kind == "update":
            self._on_update(args[0])
        elif kind == "execution":
            self._on_execution(args[0], args[1])
        elif kind == "position":
            (update,) = args
            alias = str(update["instrumentAlias"])
            instrument = self._instruments.get(alias)
            if instrument is not None:
                self._legs.on_position(alias, instrument.qty(float(update["position"])))
        elif kind == "ack":
            self._unacked.pop(int(args[0]), None)
        elif kind == "instrument":
            self._on_instrument(*args)
        elif kind == "detached":
            (alias,) = args
            self._instruments.pop(alias, None)
            self._books.pop(alias, None)
            log.warning("%s: Bookmap detached %s: its orders are refused until it is attached again", self.name, alias)
        elif kind == "error":
            log.error("%s: %s", self.name, args[0])

    def _on_instrument(
        self, alias: str, full_name: str, pips: float, size_mult: float, inst_mult: float, features: Any, ids: Any
    ) -> None:
        trading = bool(features.get("trading", True)) if isinstance(features, dict) else True
        self._instruments[alias] = Instrument(alias, full_name, pips, size_mult, inst_mult, trading)
        self._books[alias] = DepthBook()
        self._unacked[int(ids["orders"])] = alias
        log.info("%s: Bookmap attached %s (%s, tick %g, trading %s)", self.name, alias, full_name, pips, trading)

    def _on_update(self, update: dict[str, Any]) -> None:
        assert self._events is not None and self._session is not None
        updates, waiting = self._legs.on_update(update)
        for u in updates:
            level = logging.WARNING if u.status is OrderStatus.REJECTED else logging.INFO
            log.log(level, "%s: leg %s %s %s", self.name, u.leg_id, u.status.value.lower(), u.reason)
            self._events.order_update(u.leg_id, u.status, u.reason, u.platform_order_id)
        leg = self._legs.legs.get(self._legs.by_order.get(str(update["orderId"]), ""))
        if leg is not None and leg.leg_id in self._cancel_when_bound and not leg.finished:
            self._cancel_when_bound.discard(leg.leg_id)
            self._session.cancel_order(leg.alias, leg.order_id)
        for alias, execution, qty in waiting:
            self._fill(alias, execution, qty)

    def _on_execution(self, alias: str, execution: dict[str, Any]) -> None:
        instrument = self._instruments.get(alias)
        size = float(execution["size"])
        self._fill(alias, execution, instrument.qty(size) if instrument is not None else size)

    def _fill(self, alias: str, execution: dict[str, Any], qty: float) -> None:
        assert self._events is not None
        fill = self._legs.on_execution(alias, execution, qty)
        if fill is not None:
            self._events.fill(fill.leg_id, fill.fill_id, fill.qty, fill.price, fill.ts_ns)

    # -- orders -------------------------------------------------------------------------------------------
    def _refuse(self, order: Order, reason: str) -> None:
        assert self._events is not None
        log.warning("%s: leg %s rejected: %s", self.name, order.leg_id, reason)
        self._legs.add(Leg(order.leg_id, self._symbols.alias(order.symbol), order.qty, finished=True))
        self._events.order_update(order.leg_id, OrderStatus.REJECTED, reason)

    def submit(self, order: Order) -> None:
        assert self._events is not None
        if order.leg_id in self._legs.legs:
            log.warning("%s: leg %s already sent; the repeat is ignored", self.name, order.leg_id)
            return
        if self._session is None or not self._ready:
            self._refuse(order, f"{self.name} is not connected to Bookmap (or Bookmap has attached no instrument)")
            return
        alias = self._symbols.alias(order.symbol)
        instrument = self._instruments.get(alias)
        if instrument is None:
            attached = ", ".join(sorted(self._instruments)) or "none"
            self._refuse(
                order,
                f"{self.name}: Bookmap has not attached {alias} to the addon (attached: {attached}): open its chart "
                "in Bookmap and enable the nexusgw addon on it, or map the symbol in settings.symbols",
            )
            return
        if not instrument.trading:
            self._refuse(order, f"{self.name}: Bookmap does not allow trading {alias} from the addon (docs/bookmap.md)")
            return
        try:
            fields = order_fields(order, instrument, self.settings.duration)
        except OrderRefused as exc:
            self._refuse(order, f"{self.name}: {exc}")
            return
        self._legs.add(Leg(order.leg_id, alias, order.qty, sent_at=time.monotonic()))
        self._session.send_order(fields)

    def cancel(self, leg_id: str) -> None:
        leg = self._legs.legs.get(leg_id)
        if leg is None or leg.finished:
            log.warning("%s: cancel of %s: no working Bookmap order", self.name, leg_id)
            return
        if self._session is None or not leg.order_id:
            log.info("%s: cancel of %s: sent once its Bookmap order is known", self.name, leg_id)
            self._cancel_when_bound.add(leg_id)
            return
        self._session.cancel_order(leg.alias, leg.order_id)

    # -- polling and reconciliation -----------------------------------------------------------------------
    def poll(self, now: float) -> float | None:
        if not self._ensure_connected(now):
            return max(0.0, self._retry_at - now)
        self._drain()
        assert self._session is not None
        if not self._session.running:
            self._lost(self._session.closed_reason or "the bookmap package stopped the addon")
            return max(0.0, self._retry_at - now)
        overdue = self._legs.overdue(now, self.settings.ack_timeout_s)
        if overdue:
            self._lost(
                f"no answer to leg(s) {', '.join(overdue)} within {self.settings.ack_timeout_s:g}s "
                "(Bookmap stops reading an addon after a message it cannot parse; an addon not built as a trading "
                "strategy gets no answer to its orders either)"
            )
            return max(0.0, self._retry_at - now)
        self._check_ready()
        self._quotes()
        return self.settings.poll_interval_s

    def report(self) -> PlatformReport | None:
        if self._session is None or not self._ready or self._unacked:
            return None  # Bookmap's order list is not (yet) replayed: unknown, never "no orders"
        return self._legs.report(self._symbols.gateway)
