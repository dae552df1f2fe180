"""The simulated market: a deterministic seeded random walk of quotes per symbol, its tick history, and hours.

Time is the double's own clock in epoch milliseconds, advanced by the caller (``advance_to``). Every ``tick_ms``
each open symbol gets one tick; a closed symbol gets none (its feed goes stale, as at a real broker). Within a
symbol ``time_msc`` strictly increases, so a reader that resumes after the last ``time_msc`` it saw misses nothing
and sees nothing twice.
"""

from __future__ import annotations

import random
from collections import deque
from datetime import UTC, datetime

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double.brokers import Broker, SymbolSpec
from nexus_gw.adapters.mt5.double.records import TickRow

HISTORY = 50_000  # ticks kept per symbol
MAX_CATCH_UP_MS = 10 * 60 * 1000  # a longer gap (e.g. a restart) is skipped rather than filled tick by tick


class Market:
    def __init__(self, broker: Broker, *, seed: int, now_msc: int, tick_ms: int = 500) -> None:
        self.broker = broker
        self.seed = seed
        self.tick_ms = tick_ms
        self.now_msc = now_msc
        self.open_override: dict[str | None, bool] = {}
        self._rng = {s.name: random.Random(f"{seed}:{s.name}") for s in broker.symbols}
        self._mid = {s.name: round(s.start_price / s.tick_size) for s in broker.symbols}
        self.ticks: dict[str, deque[TickRow]] = {s.name: deque(maxlen=HISTORY) for s in broker.symbols}
        for spec in broker.symbols:
            self._emit(spec, now_msc, first=True)

    # -- hours
    def is_open(self, name: str, at_msc: int | None = None) -> bool:
        if name in self.open_override:
            return self.open_override[name]
        if None in self.open_override:
            return self.open_override[None]
        spec = self.broker.spec(name)
        if spec is None:
            return False
        at = datetime.fromtimestamp((self.now_msc if at_msc is None else at_msc) / 1000, UTC)
        return any(session.is_open(at) for session in spec.hours)

    # -- quotes
    def last_tick(self, name: str) -> TickRow | None:
        history = self.ticks.get(name)
        return history[-1] if history else None

    def advance_to(self, msc: int) -> list[tuple[str, TickRow]]:
        """Move the clock to ``msc``, emitting one tick per open symbol every ``tick_ms``; the new ticks in order."""
        if msc <= self.now_msc:
            return []
        slot = self.now_msc - self.now_msc % self.tick_ms + self.tick_ms
        slot = max(slot, msc - MAX_CATCH_UP_MS - (msc - MAX_CATCH_UP_MS) % self.tick_ms)
        emitted: list[tuple[str, TickRow]] = []
        while slot <= msc:
            for spec in self.broker.symbols:
                if self.is_open(spec.name, slot):
                    emitted.append((spec.name, self._emit(spec, slot)))
            slot += self.tick_ms
        self.now_msc = msc
        return emitted

    def set_price(self, name: str, bid: float, *, last: float | None = None) -> TickRow:
        """Move ``name``'s quote to ``bid`` (the ask keeps its spread) at the current time: tests drive triggers."""
        spec = self._spec(name)
        self._mid[name] = round(bid / spec.tick_size) + spec.spread_ticks // 2
        return self._emit(spec, max(self.now_msc, self._next_msc(name)), last=last, walk=False)

    def _spec(self, name: str) -> SymbolSpec:
        spec = self.broker.spec(name)
        if spec is None:
            raise KeyError(f"symbol {name!r} is not listed by the {self.broker.name} broker")
        return spec

    def _next_msc(self, name: str) -> int:
        previous = self.last_tick(name)
        return previous.time_msc + 1 if previous else self.now_msc

    def _emit(
        self, spec: SymbolSpec, at_msc: int, *, first: bool = False, last: float | None = None, walk: bool = True
    ) -> TickRow:
        rng = self._rng[spec.name]
        if walk and not first:
            self._mid[spec.name] += rng.randint(-spec.step_ticks, spec.step_ticks)
        low = self._mid[spec.name] - spec.spread_ticks // 2
        bid = round(low * spec.tick_size, spec.digits)
        ask = round((low + spec.spread_ticks) * spec.tick_size, spec.digits)
        previous = self.last_tick(spec.name)
        at_msc = max(at_msc, previous.time_msc + 1) if previous else at_msc
        flags = 0
        if previous is None or previous.bid != bid:
            flags |= c.TICK_FLAG_BID
        if previous is None or previous.ask != ask:
            flags |= c.TICK_FLAG_ASK
        trade_price, volume = 0.0, 0
        exchange = spec.exemode == c.SYMBOL_TRADE_EXECUTION_EXCHANGE
        if last is not None or (exchange and (first or rng.random() < 0.5)):
            buy = rng.random() < 0.5
            trade_price = last if last is not None else (ask if buy else bid)
            volume = rng.randint(1, 10)
            flags |= c.TICK_FLAG_LAST | c.TICK_FLAG_VOLUME | (c.TICK_FLAG_BUY if buy else c.TICK_FLAG_SELL)
        elif previous is not None:
            trade_price = previous.last  # CFDs keep last at 0 (no exchange trades), futures keep the last print
        row = TickRow(at_msc // 1000, bid, ask, trade_price, volume, at_msc, flags, float(volume))
        self.ticks[spec.name].append(row)
        return row

    # -- history reads
    def copy_ticks(self, name: str, from_msc: int, to_msc: int | None, count: int | None, flags: int) -> list[TickRow]:
        wanted = {c.COPY_TICKS_INFO: c.TICK_FLAG_BID | c.TICK_FLAG_ASK, c.COPY_TICKS_TRADE: c.TICK_FLAG_LAST}.get(flags)
        rows: list[TickRow] = []
        for row in self.ticks.get(name, ()):
            if row.time_msc < from_msc:
                continue
            if to_msc is not None and row.time_msc > to_msc:
                break
            if wanted is None or row.flags & wanted:
                rows.append(row)
                if count is not None and len(rows) >= count:
                    break
        return rows

    # -- persistence
    def state(self) -> dict[str, object]:
        return {
            "now_msc": self.now_msc,
            "mid": dict(self._mid),
            "last": {name: list(history[-1]) for name, history in self.ticks.items() if history},
        }

    def restore(self, state: dict[str, object]) -> None:
        self.now_msc = int(state["now_msc"])  # type: ignore[call-overload]
        self._mid.update({k: int(v) for k, v in state["mid"].items() if k in self._mid})  # type: ignore[attr-defined]
        for name, row in state["last"].items():  # type: ignore[attr-defined]
            if name in self.ticks:
                self.ticks[name].clear()
                self.ticks[name].append(TickRow(*row))
