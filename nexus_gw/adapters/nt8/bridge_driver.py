"""NinjaTrader 8 through the NexusBridge AddOn (``mode: bridge``): the bridge protocol over TCP.

- **Identity.** Every order carries the leg id as its NinjaTrader name, so every order and execution frame names
  its leg, also after NinjaTrader or the adapter restarted.
- **States.** Working states → ACCEPTED with NinjaTrader's order id; CANCELLED, REJECTED (with NinjaTrader's
  text), EXPIRED as they are. Fills come only from execution frames, each once (by execution id).
- **Reconnects.** After every hello the driver asks for a report (open orders, executions, positions) and
  re-reports from it what it missed: executions it has not seen, and orders that ended while the bridge was down.
  ``report()`` is None until that report arrived for the current connection.
- **Never sent twice.** An order arriving while the bridge is down is rejected at once, never queued. A leg sent
  whose answer never came before the connection ended is *in doubt*: if the AddOn's report after the reconnect
  lists it, it is bound; if not, the driver asks again ``settle_s`` later and then rejects it (the AddOn lists
  every order of the session, so a leg missing twice never reached NinjaTrader). It is never sent again.
- **Bad frames** are logged and skipped by the transport; a silent AddOn is dropped and reconnected.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.bridge import frames
from nexus_gw.adapters.bridge.transport import BridgeClient, BridgeConfig
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import (
    Capabilities,
    Order,
    PlatformReport,
    ReportedFill,
    ReportedOrder,
    Subscription,
)

from .settings import NT8Settings
from .states import leg_status

log = logging.getLogger(__name__)

MAX_REPORTED_EXECUTIONS = 2000


class NT8BridgeDriver(PlatformDriver):
    """Trades one NinjaTrader 8 account through the NexusBridge AddOn; see the module docstring."""

    kind = "nt8"

    def __init__(self, name: str, settings: NT8Settings, paper: bool = False) -> None:
        self.name = name
        self.settings = settings
        self.paper = paper
        self._events: DriverEvents | None = None
        self._lock = threading.Lock()
        self._instruments: list[str] = []
        self._sent: dict[str, int] = {}
        """Leg → the connection it was sent on (the legs this driver sent)."""
        self._answered: set[str] = set()
        self._working: dict[str, tuple[str, float]] = {}
        """Leg → (NinjaTrader order id, filled quantity) of working orders."""
        self._ended: set[str] = set()
        self._doubt: dict[str, float] = {}
        """In-doubt leg → when to ask about it again (monotonic seconds)."""
        self._executions: OrderedDict[tuple[str, str], ReportedFill] = OrderedDict()
        self._positions: dict[str, float] = {}
        self._report_ids = itertools.count(1)
        self._waiting_report = ""
        self._asked_at = 0.0
        self._reported_connection = 0
        self.client = BridgeClient(
            BridgeConfig(
                host=settings.host,
                port=settings.port,
                account=settings.account,
                heartbeat_interval_s=settings.heartbeat_interval_s,
                heartbeat_timeout_s=settings.heartbeat_timeout_s,
                connect_timeout_s=settings.connect_timeout_s,
                reconnect_initial_s=settings.reconnect_initial_s,
                reconnect_max_s=settings.reconnect_max_s,
            ),
            self,
            name,
        )

    def capabilities(self) -> Capabilities:
        return Capabilities(paper=self.paper)

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self, events: DriverEvents) -> None:
        self._events = events
        self.client.start()

    def stop(self) -> None:
        self.client.stop()

    def bridge_up(self, hello: dict[str, Any]) -> None:
        assert self._events is not None
        log.info("%s: bridge up: %s, account %s", self.name, hello.get("platform", "plug-in"), hello["account"])
        with self._lock:
            instruments = list(self._instruments)
        if instruments:
            self.client.send(frames.frame(frames.SUBSCRIBE, instruments=instruments))
        self._request_report()
        self._events.platform_state(True, f"NinjaTrader bridge up at {self.settings.host}:{self.settings.port}")

    def bridge_down(self, reason: str) -> None:
        assert self._events is not None
        with self._lock:
            for leg in self._sent:
                if leg not in self._answered and leg not in self._ended:
                    self._doubt.setdefault(leg, 0.0)
        self._events.platform_state(False, f"NinjaTrader bridge down: {reason}")

    def _request_report(self) -> None:
        report_id = f"r{next(self._report_ids)}"
        self._waiting_report = report_id
        self.client.send(frames.frame(frames.REPORT_REQUEST, id=report_id))

    # ---------------------------------------------------------------------------------------- market data

    def subscribe(self, subscriptions: list[Subscription]) -> None:
        with self._lock:
            self._instruments = [s.symbol for s in subscriptions]
            instruments = list(self._instruments)
        self.client.send(frames.frame(frames.SUBSCRIBE, instruments=instruments))

    # --------------------------------------------------------------------------------------------- orders

    def submit(self, order: Order) -> None:
        assert self._events is not None
        leg = order.leg_id
        with self._lock:
            repeat = leg in self._sent
        if repeat:
            log.warning("%s: leg %s was sent to NinjaTrader already; the repeat is ignored", self.name, leg)
            return
        if self.paper:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} is a paper instance: not sent")
            return
        if not self.client.up:
            self._events.order_update(
                leg, OrderStatus.REJECTED, f"{self.name}: the NinjaTrader bridge is down; the order was not sent"
            )
            return
        place = frames.frame(
            frames.PLACE,
            leg=leg,
            instrument=order.symbol,
            side=str(order.side),
            qty=order.qty,
            order_type=str(order.order_type),
            limit=order.limit_price,
            stop=order.stop_price,
            tif=self.settings.tif,
        )
        with self._lock:
            self._sent[leg] = self.client.connections
        if not self.client.send(place):
            # nothing (or a truncated frame the AddOn discards) reached NinjaTrader
            with self._lock:
                self._ended.add(leg)
            self._events.order_update(
                leg, OrderStatus.REJECTED, f"{self.name}: the NinjaTrader bridge failed while sending; not sent"
            )
        else:
            log.info(
                "%s: order %s: %s %g %s %s sent", self.name, leg, order.side, order.qty, order.symbol, order.order_type
            )

    def cancel(self, leg_id: str) -> None:
        if not self.client.send(frames.frame(frames.CANCEL, leg=leg_id)):
            log.warning("%s: cancel of %s not sent: the NinjaTrader bridge is down", self.name, leg_id)

    # ------------------------------------------------------------------------------------------- frames in

    def bridge_frame(self, kind: str, frame: dict[str, Any]) -> None:
        assert self._events is not None
        if kind == frames.TICK:
            self._events.market_data(
                frame["instrument"], frame["bid"], frame["ask"], frame["last"], frame["size"], int(frame["ts"]) * 10**6
            )
        elif kind == frames.ORDER:
            self._order(frame["leg"], frame["order_id"], frame["state"], frame["filled"], frame["reason"])
        elif kind == frames.EXECUTION:
            self._execution(frame)
        elif kind == frames.POSITION:
            with self._lock:
                self._positions[frame["instrument"]] = float(frame["qty"])
        elif kind == frames.REPORT:
            self._report(frame)

    def _order(self, leg: str, order_id: str, state: str, filled: float, reason: str) -> None:
        assert self._events is not None
        status = leg_status(state)
        with self._lock:
            self._answered.add(leg)
            self._doubt.pop(leg, None)
            known = self._working.get(leg)
            ended = leg in self._ended
            if status is OrderStatus.ACCEPTED:
                self._working[leg] = (order_id, float(filled))
            else:
                self._working.pop(leg, None)
                if status is not None and status is not OrderStatus.FILLED:
                    self._ended.add(leg)
        if status is None:
            log.warning("%s: leg %s: unknown NinjaTrader order state %r ignored", self.name, leg, state)
        elif status is OrderStatus.ACCEPTED and known is None:
            self._events.order_update(leg, OrderStatus.ACCEPTED, "", order_id)
        elif status in (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED) and not ended:
            if status is OrderStatus.REJECTED:
                log.warning("%s: leg %s: NinjaTrader rejected it: %s", self.name, leg, reason or state)
            self._events.order_update(leg, status, reason or state, order_id)

    def _execution(self, frame: dict[str, Any]) -> None:
        assert self._events is not None
        key = (frame["leg"], frame["exec_id"])
        fill = ReportedFill(
            leg_id=frame["leg"],
            fill_id=frame["exec_id"],
            qty=float(frame["qty"]),
            price=float(frame["price"]),
            ts_ns=int(frame["ts"]) * 10**6,
        )
        with self._lock:
            if key in self._executions:
                return
            self._executions[key] = fill
            while len(self._executions) > MAX_REPORTED_EXECUTIONS:
                self._executions.popitem(last=False)
        self._events.fill(fill.leg_id, fill.fill_id, fill.qty, fill.price, fill.ts_ns)

    def _report(self, frame: dict[str, Any]) -> None:
        listed = set()
        for order in frame["orders"]:
            listed.add(order["leg"])
            self._order(order["leg"], order["order_id"], order["state"], order["filled"], order.get("reason", ""))
        for execution in frame["executions"]:
            self._execution(execution)
        with self._lock:
            self._positions = {p["instrument"]: float(p["qty"]) for p in frame["positions"]}
            if frame["id"] != self._waiting_report:
                return
            self._reported_connection = self.client.connections
            now = time.monotonic()
            rejected = []
            for leg, asked in list(self._doubt.items()):
                if leg in listed:
                    continue
                if asked == 0.0:
                    self._doubt[leg] = now + self.settings.settle_s
                    log.warning(
                        "%s: leg %s was sent just before the bridge went down and NinjaTrader does not list it; "
                        "asking again in %.0fs",
                        self.name,
                        leg,
                        self.settings.settle_s,
                    )
                elif now >= asked:
                    del self._doubt[leg]
                    self._ended.add(leg)
                    rejected.append(leg)
        assert self._events is not None
        for leg in rejected:
            log.warning(
                "%s: leg %s is still not among NinjaTrader's orders: rejected, never sent again", self.name, leg
            )
            self._events.order_update(
                leg, OrderStatus.REJECTED, "NinjaTrader never received the order (missing from the AddOn's orders)"
            )

    # ---------------------------------------------------------------------------------------------- polls

    def poll(self, now: float) -> float | None:
        with self._lock:
            due = [leg for leg, at in self._doubt.items() if at and now >= at]
        asked_long_ago = now - self._asked_at >= self.settings.settle_s
        if due and asked_long_ago and self.client.up and self._reported_connection == self.client.connections:
            self._asked_at = now
            self._request_report()
        return 0.5 if self._doubt else None

    def report(self) -> PlatformReport | None:
        if not self.client.up or self._reported_connection != self.client.connections:
            return None  # unknown until the AddOn's report of this connection arrived
        with self._lock:
            open_orders = [
                ReportedOrder(leg_id=leg, filled_qty=filled, platform_order_id=order_id)
                for leg, (order_id, filled) in self._working.items()
            ]
            open_orders += [ReportedOrder(leg_id=leg, status=OrderStatus.SENT, in_doubt=True) for leg in self._doubt]
            open_orders += [
                ReportedOrder(leg_id=leg, status=OrderStatus.SENT)
                for leg in self._sent
                if leg not in self._answered and leg not in self._ended and leg not in self._doubt
            ]
            return PlatformReport(
                open_orders=open_orders,
                executions=list(self._executions.values()),
                positions=dict(self._positions),
            )
