"""A simulated Quantower with the NexusGw plug-in: the plug-in's side of the bridge protocol in Python.

The development companion of a ``simulator: true`` instance (``nexusgw demo`` runs on a machine with nothing but
``pip install``) and a test stand-in beside the compiled C# harness. It speaks the protocol with the adapter's own
codec (``nexus_gw/adapters/bridge``) and answers as the plug-in does: Quantower's order statuses (``OPENED``,
``PARTIALLYFILLED``, ``FILLED``, ``CANCELLED``, ``REFUSED``), one execution per trade, positions, reports of every
order it placed this session. Market orders fill in ``parts`` trades; a limit fills when the market reaches it;
a stop once the last trade crosses it. Test hooks: ``drop``, ``hold``/``release``, ``mute``, ``send_raw``.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from nexus_gw.adapters.bridge import frames
from nexus_gw.adapters.bridge.codec import BadPayload, FrameReader, FrameTooLarge, decode_payload, encode

log = logging.getLogger(__name__)


@dataclass
class Market:
    tick: float
    last: float

    @property
    def bid(self) -> float:
        return self.last - self.tick

    @property
    def ask(self) -> float:
        return self.last


@dataclass
class SimOrder:
    leg: str
    symbol: str
    side: str
    qty: float
    kind: str
    limit: float | None
    stop: float | None
    order_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "OPENED"
    filled: float = 0.0
    avg: float = 0.0
    reason: str = ""
    next_fill: float = 0.0

    @property
    def working(self) -> bool:
        return self.state in ("OPENED", "PARTIALLYFILLED")


class SimulatedQuantower:
    """One listener, one adapter connection at a time; see the module docstring."""

    def __init__(
        self, markets: dict[str, Market], account: str, port: int = 0, fill_delay_s: float = 0.03, parts: int = 2
    ) -> None:
        self.markets = markets
        self.account = account
        self.fill_delay_s = fill_delay_s
        self.parts = max(1, parts)
        self.orders: dict[str, SimOrder] = {}
        self.executions: list[dict[str, Any]] = []
        self.positions: dict[str, float] = {}
        self.placed: dict[str, int] = {}
        """Leg → how many times it was placed (Quantower's view: at most 1)."""
        self.held = False
        self.muted = False
        self._subscribed: set[str] = set()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._conn: socket.socket | None = None
        self._up = False
        self._trades = itertools.count(1)
        self._random = random.Random(7)
        self._server = socket.create_server(("127.0.0.1", port))
        self.port: int = self._server.getsockname()[1]

    def start(self) -> SimulatedQuantower:
        threading.Thread(target=self._accept, name="quantower-accept", daemon=True).start()
        threading.Thread(target=self._market, name="quantower-market", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.drop()
        with contextlib.suppress(OSError):
            self._server.close()

    # ------------------------------------------------------------------------------------------- test hooks

    def drop(self) -> None:
        """Close the adapter's connection (as a Quantower restart would)."""
        conn, self._conn = self._conn, None
        self._up = False
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def hold(self) -> None:
        self.held = True

    def release(self) -> None:
        self.held = False

    def send_raw(self, data: bytes) -> None:
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sendall(data)

    # --------------------------------------------------------------------------------------- the connection

    def _send(self, frame: dict[str, Any]) -> None:
        if self._up and not self.muted:
            self.send_raw(encode(frame))

    def _accept(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            self.drop()
            self._conn = conn
            threading.Thread(target=self._serve, args=(conn,), name="quantower-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        reader = FrameReader()
        conn.settimeout(0.5)
        last_beat = 0.0
        while not self._stop.is_set() and self._conn is conn:
            now = time.monotonic()
            if self._up and now - last_beat >= 0.5:
                self._send(frames.frame(frames.HEARTBEAT, ts=int(time.time() * 1000)))
                last_beat = now
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            try:
                payloads = reader.feed(data)
            except FrameTooLarge as exc:
                log.warning("simulated Quantower: %s; closing the connection", exc)
                break
            for payload in payloads:
                try:
                    frame = decode_payload(payload)
                    kind = frames.check(frame, frames.FROM_ADAPTER)
                except (BadPayload, frames.UnknownFrame, frames.BadFrame) as exc:
                    log.warning("simulated Quantower: frame skipped: %s", exc)
                    continue
                self._frame(conn, kind, frame)
        if self._conn is conn:
            self.drop()

    def _frame(self, conn: socket.socket, kind: str, frame: dict[str, Any]) -> None:
        if kind == frames.HELLO:
            if frame["account"] != self.account:
                conn.sendall(
                    encode(
                        frames.frame(
                            frames.ERROR,
                            reason=f"account {frame['account']!r} is not "
                            f"connected in Quantower (accounts: {self.account})",
                        )
                    )
                )
                self.drop()
                return
            hello = frames.frame(frames.HELLO, version=frames.VERSION, account=self.account, platform="Quantower")
            conn.sendall(encode(hello))
            self._up = True
            return
        with self._lock:
            if kind == frames.SUBSCRIBE:
                self._subscribed = {str(name) for name in frame["instruments"]}
            elif kind == frames.PLACE:
                self._place(frame)
            elif kind == frames.CANCEL:
                order = self.orders.get(frame["leg"])
                if order is not None and order.working:
                    order.state, order.reason = "CANCELLED", "Cancelled by the adapter"
                    self._send_order(order)
            elif kind == frames.REPORT_REQUEST:
                self._report(frame["id"])

    # ------------------------------------------------------------------------------------------- trading

    def _place(self, frame: dict[str, Any]) -> None:
        leg = frame["leg"]
        existing = self.orders.get(leg)
        if existing is not None:
            self._send(frames.frame(frames.ERROR, reason=f"leg {leg} was placed already; the repeat is ignored"))
            self._send_order(existing)
            return
        order = SimOrder(
            leg,
            frame["instrument"],
            frame["side"],
            float(frame["qty"]),
            frame["order_type"],
            frame["limit"],
            frame["stop"],
        )
        self.orders[leg] = order
        self.placed[leg] = self.placed.get(leg, 0) + 1
        if order.symbol not in self.markets:
            order.state, order.reason = "REFUSED", f"Symbol '{order.symbol}' is not known to the connection"
        elif order.qty <= 0 or order.qty != int(order.qty):
            order.state, order.reason = "REFUSED", f"Quantity {order.qty:g} is not a whole number of contracts"
        elif order.kind == "LIMIT" and order.limit is None:
            order.state, order.reason = "REFUSED", "A limit order needs a price"
        elif order.kind == "STOP" and order.stop is None:
            order.state, order.reason = "REFUSED", "A stop order needs a trigger price"
        order.next_fill = time.monotonic() + self.fill_delay_s
        log.info(
            "simulated Quantower: placed %s: %s %g %s %s %s",
            leg,
            order.side,
            order.qty,
            order.symbol,
            order.kind,
            order.state if order.state == "OPENED" else f"{order.state}: {order.reason}",
        )
        self._send_order(order)

    def _send_order(self, order: SimOrder) -> None:
        self._send(
            frames.frame(
                frames.ORDER,
                leg=order.leg,
                order_id=order.order_id,
                state=order.state,
                filled=order.filled,
                avg_price=order.avg,
                reason=order.reason,
            )
        )

    def _report(self, report_id: str) -> None:
        orders = [
            {"leg": o.leg, "order_id": o.order_id, "state": o.state, "filled": o.filled} for o in self.orders.values()
        ]
        positions = [{"instrument": s, "qty": q} for s, q in self.positions.items()]
        self._send(
            frames.frame(
                frames.REPORT, id=report_id, orders=orders, executions=list(self.executions), positions=positions
            )
        )

    def _market(self) -> None:
        next_tick = 0.0
        while not self._stop.wait(0.01):
            now = time.monotonic()
            with self._lock:
                if now >= next_tick:
                    next_tick = now + 0.1
                    for symbol, market in self.markets.items():
                        market.last += market.tick * self._random.choice((-1, 0, 1))
                        if symbol in self._subscribed:
                            self._send(
                                frames.frame(
                                    frames.TICK,
                                    instrument=symbol,
                                    bid=market.bid,
                                    ask=market.ask,
                                    last=market.last,
                                    size=1,
                                    ts=int(time.time() * 1000),
                                )
                            )
                if not self.held:
                    for order in self.orders.values():
                        self._work(order, now)

    def _work(self, order: SimOrder, now: float) -> None:
        if not order.working or now < order.next_fill:
            return
        market = self.markets[order.symbol]
        buy = order.side == "BUY"
        price = market.ask if buy else market.bid
        if order.kind == "LIMIT" and order.limit is not None:
            if (price > order.limit) if buy else (price < order.limit):
                return
            price = min(price, order.limit) if buy else max(price, order.limit)
        untriggered = order.kind == "STOP" and order.stop is not None and order.filled == 0
        if untriggered and ((market.last < order.stop) if buy else (market.last > order.stop)):  # type: ignore[operator]
            return
        qty = min(max(1.0, float(int(order.qty / self.parts))), order.qty - order.filled)
        order.avg = (order.avg * order.filled + price * qty) / (order.filled + qty)
        order.filled += qty
        order.state = "FILLED" if order.filled >= order.qty else "PARTIALLYFILLED"
        order.next_fill = now + self.fill_delay_s
        trade = frames.frame(
            frames.EXECUTION,
            leg=order.leg,
            exec_id=f"T{next(self._trades)}-{order.order_id[:8]}",
            order_id=order.order_id,
            qty=qty,
            price=price,
            ts=int(time.time() * 1000),
        )
        self.executions.append(trade)
        self.positions[order.symbol] = self.positions.get(order.symbol, 0.0) + (qty if buy else -qty)
        self._send_order(order)
        self._send(trade)
        self._send(frames.frame(frames.POSITION, instrument=order.symbol, qty=self.positions[order.symbol]))
