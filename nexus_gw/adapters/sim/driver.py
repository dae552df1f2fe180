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
from typing import Any

import msgspec

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.prices import PricePath, quote_at
from nexus_gw.adapters.sim.replay import RecordedTick, Replayer
from nexus_gw.domain.matching import Match, MatchingEngine, Quote, WorkingOrder
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import (
    Capabilities,
    Order,
    PlatformReport,
    ReportedFill,
    ReportedOrder,
    Subscription,
)

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
        # The exchange's own record: every order it received and every execution, kept in ``state_file``
        # so that a restarted adapter finds them again, as it would at a real platform.
        self._book: dict[str, dict[str, Any]] = {}
        self._fills: list[dict[str, Any]] = []
        self._load_state()

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

    def report(self) -> PlatformReport:
        live = ("ARRIVING", "WORKING")
        open_orders = [
            ReportedOrder(leg_id=leg_id, status=OrderStatus.ACCEPTED, platform_order_id=str(e.get("platform_id", "")))
            for leg_id, e in self._book.items()
            if e["status"] in live
        ]
        executions = [
            ReportedFill(leg_id=f["leg_id"], fill_id=f["fill_id"], qty=f["qty"], price=f["price"], ts_ns=f["ts_ns"])
            for f in self._fills[-1000:]
        ]
        positions: dict[str, float] = {}
        for f in self._fills:
            signed = f["qty"] if f["side"] == "BUY" else -f["qty"]
            positions[f["symbol"]] = round(positions.get(f["symbol"], 0.0) + signed, 10)
        return PlatformReport(open_orders=open_orders, executions=executions, positions=positions)

    def submit(self, order: Order) -> None:
        if order.leg_id in self._book:
            log.info("%s: order %s already received; ignoring the repeat", self.name, order.leg_id)
            return
        self._book[order.leg_id] = {"order": msgspec.to_builtins(order), "status": "ARRIVING"}
        self._arriving.add(order.leg_id)
        self._at(time.monotonic() + self.settings.fill_latency_ms / 1000, lambda: self._arrive(order))
        self._write_state()  # the exchange has the order now, also if this process dies next

    def cancel(self, leg_id: str) -> None:
        self._cancel(leg_id)
        entry = self._book.get(leg_id)
        if entry is not None and entry["status"] in ("ARRIVING", "WORKING"):
            entry["status"] = "CANCELLED"
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
            self._book[order.leg_id]["status"] = "REJECTED"
            self._report(lambda: self._emit_status(order.leg_id, OrderStatus.REJECTED, reason))
            return
        platform_id = f"{self.name.upper()}-{next(self._order_ids)}"
        self._book[order.leg_id].update(status="WORKING", platform_id=platform_id)
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
        """The exchange trades now (recorded at once); the reports follow ``fill_latency_ms`` apart."""
        parts = self._split(match.qty)
        latency = self.settings.fill_latency_ms / 1000
        now = time.monotonic()
        entry = self._book.get(match.leg_id)
        side = entry["order"]["side"] if entry else "BUY"  # type: ignore[index]
        if entry is not None:
            entry["status"] = "FILLED"
        for index, qty in enumerate(parts):
            fill_id = f"E{next(self._exec_ids)}"
            self._fills.append(
                {
                    "leg_id": match.leg_id,
                    "fill_id": fill_id,
                    "qty": qty,
                    "price": match.price,
                    "ts_ns": time.time_ns(),
                    "symbol": match.symbol,
                    "side": side,
                }
            )

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
            "book": self._book,
            "fills": self._fills,
            "order_seq": self._next_order_id,
            "exec_seq": self._next_exec_id,
        }
        if state == self._last_state:
            return
        self._last_state = json.loads(json.dumps(state))
        tmp = self.settings.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.settings.state_file)

    @property
    def _next_order_id(self) -> int:
        return len(self._book) + 1

    @property
    def _next_exec_id(self) -> int:
        return len(self._fills) + 1

    def _load_state(self) -> None:
        """Reload the exchange's record after an adapter restart; working orders go back to the matcher."""
        path = self.settings.state_file
        if path is None or not path.is_file():
            return
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            log.error("%s: state file %s unreadable (%s); starting empty", self.name, path, exc)
            return
        self._book = state.get("book", {})
        self._fills = state.get("fills", [])
        self._order_ids = itertools.count(int(state.get("order_seq", 1)) + 1)
        self._exec_ids = itertools.count(int(state.get("exec_seq", 1)) + 1)
        for leg_id, entry in self._book.items():
            if entry["status"] in ("ARRIVING", "WORKING"):
                order = msgspec.convert(entry["order"], Order)
                working = WorkingOrder(
                    leg_id, order.symbol, order.side, order.qty, order.order_type, order.limit_price, order.stop_price
                )
                self._engine.submit(working)
                self._known.add(order.symbol)
                entry["status"] = "WORKING"
        log.warning(
            "%s: reloaded %d orders and %d executions from %s", self.name, len(self._book), len(self._fills), path
        )

    def _emit_status(self, leg_id: str, status: OrderStatus, reason: str, platform_id: str = "") -> None:
        assert self._events is not None
        self._events.order_update(leg_id, status, reason, platform_id)
