"""The simulated platform driver: a simulated exchange per platform instance.

It quotes every subscribed symbol at ``tick_interval_ms`` (or replays a recorded tick file), accepts
orders after ``fill_latency_ms``, fills them through the matching engine (market at the touch, limits
when crossed, stops when triggered), splits fills into ``fills_per_order`` partials, rejects by rate or
symbol, and can drop its connection for a while: executions that happen meanwhile are reported on
reconnect, as a real platform reports them after a reconnect.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import random
import time
from collections.abc import Callable

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.prices import PricePath, quote_at
from nexus_gw.adapters.sim.replay import RecordedTick, Replayer
from nexus_gw.domain.matching import Match, MatchingEngine, Quote, WorkingOrder
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import Capabilities, Order, Subscription

log = logging.getLogger(__name__)

DEFAULT_TICK = 0.25


class SimDriver(PlatformDriver):
    kind = "sim"

    def __init__(self, name: str, settings: SimSettings, paper: bool = False) -> None:
        self.name = name
        self.settings = settings
        self.paper = paper
        self._rng = random.Random(settings.seed)
        self._engine = MatchingEngine()
        self._events: DriverEvents | None = None
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._subs: dict[str, Subscription] = {}
        self._known: set[str] = set()  # every symbol ever quoted: an expiring contract stays tradable
        self._by_root: dict[str, str] = {}
        self._paths: dict[str, PricePath] = {}
        self._arriving: set[str] = set()
        self._held: list[Callable[[], None]] = []
        self._order_ids = itertools.count(1)
        self._exec_ids = itertools.count(1)
        self._replay: Replayer | None = None
        self.connected = False
        self._last_state: dict[str, object] | None = None

    # -- driver interface -------------------------------------------------------------------
    def capabilities(self) -> Capabilities:
        return Capabilities(paper=self.paper)

    def start(self, events: DriverEvents) -> None:
        self._events = events
        now = time.monotonic()
        self._set_connected(True, "simulated exchange up")
        if self.settings.disconnect_after_s is not None:
            self._at(now + self.settings.disconnect_after_s, self._disconnect)

    def stop(self) -> None:
        self._timers.clear()
        self.connected = False

    def subscribe(self, subscriptions: list[Subscription]) -> None:
        first = not self._subs
        self._subs = {s.symbol: s for s in subscriptions}
        self._known.update(self._subs)
        self._by_root = {s.root: s.symbol for s in subscriptions}
        for sub in subscriptions:
            if sub.root not in self._paths:
                base = self.settings.prices.get(sub.root, 100.0)
                self._paths[sub.root] = PricePath(sub.root, base)
        if not first:
            return
        if self.settings.replay_file is not None:  # the recording starts once we know what to quote
            self._replay = Replayer(
                self.settings.replay_file, self.settings.replay_speed, self.settings.replay_loop, time.monotonic()
            )
        else:
            self._at(time.monotonic(), self._quote_all)

    def submit(self, order: Order) -> None:
        self._arriving.add(order.leg_id)
        self._at(time.monotonic() + self.settings.fill_latency_ms / 1000, lambda: self._arrive(order))

    def cancel(self, leg_id: str) -> None:
        self._cancel(leg_id)
        self._write_state()

    def _cancel(self, leg_id: str) -> None:
        if leg_id in self._arriving:
            self._arriving.discard(leg_id)
            self._report(lambda: self._emit_status(leg_id, OrderStatus.CANCELLED, "cancelled before arrival"))
        elif self._engine.cancel(leg_id) is not None:
            self._report(lambda: self._emit_status(leg_id, OrderStatus.CANCELLED, "cancelled"))
        else:
            log.info("%s: cancel for %s ignored: not working (already filled or unknown)", self.name, leg_id)

    def poll(self, now: float) -> float | None:
        while self._timers and self._timers[0][0] <= now:
            _, _, action = heapq.heappop(self._timers)
            action()
        if self._replay is not None and self.connected:
            for tick in self._replay.due(now):
                self._replayed(tick)
        self._write_state()
        wishes = [
            t
            for t in (
                self._timers[0][0] if self._timers else None,
                self._replay.next_due() if self._replay else None,
            )
            if t is not None
        ]
        return max(0.0, min(wishes) - now) if wishes else None

    # -- simulation ------------------------------------------------------------------------
    def _at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (when, next(self._seq), action))

    def _report(self, emit: Callable[[], None]) -> None:
        """Emit now, or hold until reconnect while the simulated connection is down."""
        if self.connected:
            emit()
        else:
            self._held.append(emit)

    def _set_connected(self, connected: bool, reason: str) -> None:
        self.connected = connected
        assert self._events is not None
        self._events.platform_state(connected, reason)

    def _disconnect(self) -> None:
        log.warning("%s: simulated disconnect for %.1fs", self.name, self.settings.disconnect_for_s)
        self._set_connected(False, "simulated disconnect")
        self._at(time.monotonic() + self.settings.disconnect_for_s, self._reconnect)

    def _reconnect(self) -> None:
        self._set_connected(True, "simulated reconnect")
        held, self._held = self._held, []
        for emit in held:
            emit()

    def _quote_all(self) -> None:
        if self.connected:
            t = time.time()
            for symbol, sub in self._subs.items():
                tick = sub.tick_size or DEFAULT_TICK
                bid, ask, last, size = quote_at(
                    self._paths[sub.root], t, tick, self.settings.price_offset_ticks, self._rng
                )
                self._quote(symbol, bid, ask, last, size)
        self._at(time.monotonic() + self.settings.tick_interval_ms / 1000, self._quote_all)

    def _replayed(self, tick: RecordedTick) -> None:
        symbol = tick.symbol if tick.symbol in self._subs else self._by_root.get(tick.symbol)
        if symbol is not None:
            self._quote(symbol, tick.bid, tick.ask, tick.last, tick.size)

    def _quote(self, symbol: str, bid: float, ask: float, last: float, size: float) -> None:
        assert self._events is not None
        self._events.market_data(symbol, bid, ask, last, size, time.time_ns())
        for match in self._engine.on_quote(symbol, Quote(bid, ask, last)):
            self._execute(match)

    def _arrive(self, order: Order) -> None:
        if order.leg_id not in self._arriving:
            return
        self._arriving.discard(order.leg_id)
        reason = self._reject_reason(order)
        if reason:
            self._report(lambda: self._emit_status(order.leg_id, OrderStatus.REJECTED, reason))
            return
        platform_id = f"{self.name.upper()}-{next(self._order_ids)}"
        self._report(lambda: self._emit_status(order.leg_id, OrderStatus.ACCEPTED, "", platform_id))
        working = WorkingOrder(
            order.leg_id,
            order.symbol,
            order.side,
            order.qty,
            order.order_type,
            order.limit_price,
            order.stop_price,
        )
        for match in self._engine.submit(working):
            self._execute(match)

    def _reject_reason(self, order: Order) -> str:
        if not self.connected:
            return f"{self.name} is disconnected from its exchange"
        if order.symbol in self.settings.reject_symbols:
            return f"symbol {order.symbol} is not tradable on {self.name} (simulated reject)"
        if order.symbol not in self._known:
            return f"unknown symbol {order.symbol} on {self.name}; known: {', '.join(sorted(self._subs))}"
        if self.settings.reject_rate and self._rng.random() < self.settings.reject_rate:
            return "simulated reject (reject_rate)"
        return ""

    def _execute(self, match: Match) -> None:
        parts = self._split(match.qty)
        latency = self.settings.fill_latency_ms / 1000
        now = time.monotonic()
        for index, qty in enumerate(parts):
            fill_id = f"E{next(self._exec_ids)}"

            def emit(qty: float = qty, fill_id: str = fill_id) -> None:
                assert self._events is not None
                self._events.fill(match.leg_id, fill_id, qty, match.price, time.time_ns())

            self._at(now + index * latency, lambda emit=emit: self._report(emit))

    def _split(self, qty: float) -> list[float]:
        step = self.settings.lot_step
        steps = round(qty / step)
        n = max(1, min(self.settings.fills_per_order, steps))
        base, extra = divmod(steps, n)
        parts = [(base + (1 if i < extra else 0)) * step for i in range(n)]
        parts = [round(p, 10) for p in parts if p > 0]
        return parts or [qty]

    def _write_state(self) -> None:
        """The exchange's own view of working orders, for operators and tests (``state_file``)."""
        if self.settings.state_file is None:
            return
        state = {
            "working": sorted(self._engine.working),
            "arriving": sorted(self._arriving),
            "connected": self.connected,
        }
        if state == self._last_state:
            return
        self._last_state = state
        tmp = self.settings.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.settings.state_file)

    def _emit_status(self, leg_id: str, status: OrderStatus, reason: str, platform_id: str = "") -> None:
        assert self._events is not None
        self._events.order_update(leg_id, status, reason, platform_id)
