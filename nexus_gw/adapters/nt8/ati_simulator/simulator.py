"""The simulated NinjaTrader: consumes order instruction files and writes order state and position files.

What it does, after NinjaTrader's ATI (``../../../../docs/nt8.md``, reference §2.4):

- watches ``incoming`` for ``oif*.txt``, splits each line on ``;``, requires 13 fields, skips blank lines, applies
  PLACE, CANCEL, CANCELALLORDERS, CLOSEPOSITION and FLATTENEVERYTHING, then deletes the file;
- keeps orders by ORDER ID and rewrites ``outgoing/<ORDER ID>.txt`` (``STATE;FILLED;AVERAGE PRICE``) on each
  change; refuses unknown instruments, a bare ``STOP`` type, fractional quantities, other accounts (REJECTED);
- keeps positions and writes ``<instrument> Globex_<account>_position.txt`` (``LONG;2;21000.25``);
- writes ``<connection>.txt`` with ``CONNECTED``; ``restart()`` clears ``outgoing`` as NinjaTrader does;
- fills market orders in ``slices`` executions, limit orders when marketable, stop orders once the last trade
  reaches the stop, against a random-walk market per instrument root (NQ, ES, YM, RTY, MNQ, MES…);
- ``paused`` stops consuming files (ATI disabled, NinjaTrader busy) — tests of a never-consumed file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from nexus_gw.adapters.nt8.ati_files import FIELDS, price_text

log = logging.getLogger(__name__)

ROOT_PRICES = {"NQ": 21000.0, "MNQ": 21000.0, "ES": 6000.0, "MES": 6000.0, "YM": 44000.0, "RTY": 2300.0}


@dataclass
class SimulatorConfig:
    root: Path
    account: str = "Sim101"
    prices: dict[str, float] = field(default_factory=lambda: dict(ROOT_PRICES))
    """Base price by instrument root; an instrument whose root is not here is unknown."""
    tick_size: float = 0.25
    slices: int = 2
    fill_interval_s: float = 0.05
    poll_s: float = 0.02
    connection: str = "Simulated Data Feed"
    exchange: str = "Globex"
    account_prefix: bool = False
    """Name order state files ``<account>_<ORDER ID>.txt`` (seen on real installs) instead of ``<ORDER ID>.txt``."""
    seed: int = 7
    state_file: Path | None = None
    """Where to keep a JSON view of the orders (``working``: ORDER IDs still working; ``orders``: every order's
    state and fills; ``placed``: every PLACE line applied), rewritten on every change, for tests and operators."""


@dataclass
class _Order:
    order_id: str
    instrument: str
    buy: bool
    qty: int
    kind: str
    limit: float
    stop: float
    state: str = "ACCEPTED"
    filled: int = 0
    avg: float = 0.0
    next_fill: float = 0.0
    triggered: bool = False

    @property
    def working(self) -> bool:
        return self.state in ("ACCEPTED", "WORKING", "PARTFILLED")


class AtiSimulator:
    """See the module docstring. Thread-safe; ``start`` runs it in a thread, ``step`` once (tests)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.incoming = config.root / "incoming"
        self.outgoing = config.root / "outgoing"
        self._paused = False
        self.processed: list[str] = []
        """Every line applied, in order (a PLACE appears once per order NinjaTrader placed)."""
        self.errors: list[str] = []
        self._lock = threading.RLock()
        self._orders: dict[str, _Order] = {}
        self._positions: dict[str, tuple[int, float]] = {}
        self._last: dict[str, float] = {}
        self._random = random.Random(config.seed)
        self._next_move = 0.0
        self._dirty = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.outgoing.mkdir(parents=True, exist_ok=True)
        self.restart()

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ati-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def restart(self) -> None:
        """NinjaTrader restarted: ``outgoing`` cleared, working orders gone, the connection file written again."""
        with self._lock:
            for path in self.outgoing.glob("*"):
                with contextlib.suppress(OSError):
                    path.unlink()
            self._orders.clear()
            (self.outgoing / f"{self.config.connection}.txt").write_text("CONNECTED")

    @property
    def paused(self) -> bool:
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        """Stop (or resume) consuming files; once set, no file is consumed until it is cleared."""
        with self._lock:  # waits for a step in progress, which may have read the old value
            self._paused = value

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step(time.monotonic())
            except Exception:  # a stand-in that stops silently looks like a platform that lost orders
                log.exception("ATI simulator: a step failed; going on")
            self._stop.wait(self.config.poll_s)

    # -------------------------------------------------------------------------------------------- market

    def quote(self, instrument: str) -> tuple[float, float, float] | None:
        """(bid, ask, last) of ``instrument``; None when its root is unknown."""
        with self._lock:
            last = self._price(instrument)
        if last is None:
            return None
        return last - self.config.tick_size, last, last

    def _price(self, instrument: str) -> float | None:
        if instrument not in self._last:
            base = self.config.prices.get(instrument.split(" ")[0])
            if base is None:
                return None
            self._last[instrument] = base
        return self._last[instrument]

    def step(self, now: float) -> None:
        with self._lock:
            if now >= self._next_move:
                self._next_move = now + 0.1
                for instrument, last in self._last.items():
                    self._last[instrument] = last + self.config.tick_size * self._random.choice((-1, 0, 1))
            if not self._paused:
                self._consume()
            for order in list(self._orders.values()):
                self._work(order, now)
            if self._dirty and self.config.state_file is not None:
                self._dirty = False
                self._save(self.config.state_file)

    def _save(self, path: Path) -> None:
        view = {
            "working": [o.order_id for o in self._orders.values() if o.working],
            "orders": {
                o.order_id: {
                    "instrument": o.instrument,
                    "buy": o.buy,
                    "qty": o.qty,
                    "state": o.state,
                    "filled": o.filled,
                    "avg_price": o.avg,
                }
                for o in self._orders.values()
            },
            "placed": [raw for raw in self.processed if raw.startswith("PLACE;")],
        }
        path.parent.mkdir(parents=True, exist_ok=True)  # e.g. <data dir>/companions, which nobody else may have made
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(view, indent=1))
        os.replace(tmp, path)

    # ---------------------------------------------------------------------------------------- incoming

    def _consume(self) -> None:
        for path in sorted(self.incoming.glob("oif*.txt")):
            try:
                text = path.read_text(encoding="ascii")
                path.unlink()
            except (OSError, UnicodeDecodeError) as exc:
                self.errors.append(f"{path.name}: {exc}")
                continue
            for raw in text.splitlines():
                if raw.strip():
                    self._apply(raw.strip())

    def _apply(self, raw: str) -> None:
        fields = raw.split(";")
        if len(fields) != FIELDS:
            self.errors.append(f"line with {len(fields)} fields ignored (13 expected): {raw}")
            return
        command, account, instrument, action, qty, kind, limit, stop, _tif, _oco, order_id, _strategy, _sid = fields
        self.processed.append(raw)
        if command == "PLACE":
            self._place(account, instrument, action, qty, kind, limit, stop, order_id)
        elif command == "CANCEL":
            order = self._orders.get(order_id)
            if order is not None and order.working:
                self._set(order, "CANCELLED")
        elif command == "CANCELALLORDERS":
            self._cancel_all(None)
        elif command in ("CLOSEPOSITION", "FLATTENEVERYTHING"):
            if command == "CLOSEPOSITION" and account != self.config.account:
                self.errors.append(f"CLOSEPOSITION of unknown account {account!r}")
                return
            self._cancel_all(instrument if command == "CLOSEPOSITION" else None)
            for name in [instrument] if command == "CLOSEPOSITION" else list(self._positions):
                self._write_position(name, 0, 0.0)
        else:
            self.errors.append(f"unsupported command {command!r}: {raw}")

    def _place(
        self, account: str, instrument: str, action: str, qty: str, kind: str, limit: str, stop: str, order_id: str
    ) -> None:
        order_id = order_id or uuid.uuid4().hex
        if order_id in self._orders:
            self.errors.append(f"ORDER ID {order_id} used twice: second PLACE ignored")
            return
        try:
            count = int(qty)
        except ValueError:
            count = 0
        order = _Order(order_id, instrument, action == "BUY", count, kind, float(limit or "nan"), float(stop or "nan"))
        self._orders[order_id] = order
        if (
            account != self.config.account
            or self._price(instrument) is None
            or action not in ("BUY", "SELL")
            or count <= 0
            or kind not in ("MARKET", "LIMIT", "STOPMARKET")
        ):
            self._set(order, "REJECTED")
        else:
            order.next_fill = time.monotonic() + self.config.fill_interval_s
            self._set(order, "WORKING")

    def _cancel_all(self, instrument: str | None) -> None:
        for order in self._orders.values():
            if order.working and instrument in (None, order.instrument):
                self._set(order, "CANCELLED")

    # ------------------------------------------------------------------------------------------ fills

    def _work(self, order: _Order, now: float) -> None:
        if not order.working or now < order.next_fill:
            return
        last = self._price(order.instrument)
        assert last is not None
        price = last if order.buy else last - self.config.tick_size
        beyond_limit = (order.buy and price > order.limit) or (not order.buy and price < order.limit)
        if order.kind == "LIMIT" and beyond_limit:
            return
        if order.kind == "STOPMARKET" and not order.triggered:
            if (order.buy and last < order.stop) or (not order.buy and last > order.stop):
                return
            order.triggered = True
        qty = min(max(1, order.qty // self.config.slices), order.qty - order.filled)
        order.avg = (order.avg * order.filled + price * qty) / (order.filled + qty)
        order.filled += qty
        order.next_fill = now + self.config.fill_interval_s
        held, avg = self._positions.get(order.instrument, (0, 0.0))
        signed = qty if order.buy else -qty
        total = held + signed
        self._write_position(order.instrument, total, position_average(held, avg, signed, price))
        self._set(order, "FILLED" if order.filled >= order.qty else "PARTFILLED")

    # ---------------------------------------------------------------------------------------- outgoing

    def _set(self, order: _Order, state: str) -> None:
        order.state = state
        self._dirty = True
        name = f"{self.config.account}_{order.order_id}" if self.config.account_prefix else order.order_id
        # NinjaTrader rewrites the file in place (no rename): readers must take a half-written file in stride
        (self.outgoing / f"{name}.txt").write_text(f"{state};{order.filled};{price_text(order.avg)}")

    def _write_position(self, instrument: str, qty: int, avg: float) -> None:
        self._positions[instrument] = (qty, avg)
        side = "LONG" if qty > 0 else "SHORT" if qty < 0 else "FLAT"
        name = f"{instrument} {self.config.exchange}_{self.config.account}_position.txt"
        (self.outgoing / name).write_text(f"{side};{abs(qty)};{price_text(avg)}")

    # ------------------------------------------------------------------------------------------ views

    def order_state(self, order_id: str) -> str | None:
        with self._lock:
            order = self._orders.get(order_id)
            return None if order is None else order.state

    def placed(self, order_id: str) -> int:
        """How many PLACE lines for ``order_id`` NinjaTrader applied (at most 1 when nothing is sent twice)."""
        with self._lock:
            return sum(1 for raw in self.processed if raw.startswith("PLACE;") and raw.split(";")[10] == order_id)


def position_average(held: int, avg: float, signed: int, price: float) -> float:
    """The average entry price after a fill of ``signed`` contracts at ``price`` on a position of ``held`` at
    ``avg``: 0 when flat, the fill's price when opened or reversed, a weighted mean when added to, unchanged when
    reduced (as NinjaTrader's position average does)."""
    total = held + signed
    if total == 0:
        return 0.0
    if held == 0 or (held > 0) != (total > 0):
        return price
    if (signed > 0) == (held > 0):
        return (avg * held + price * signed) / total
    return avg
