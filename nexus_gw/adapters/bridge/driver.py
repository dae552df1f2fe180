"""A platform traded through a C# plug-in speaking the bridge protocol (NinjaTrader 8 AddOn, Quantower plug-in).

The platform drivers (``nt8`` in bridge mode, ``quantower``) are thin subclasses naming the platform and how its
order states read; everything else is here.

- **Identity.** Every order carries the leg id (NinjaTrader: the order's name; Quantower: its comment), so every
  order and execution frame names its leg, also after the platform or the adapter restarted.
- **States.** Working states → ACCEPTED with the platform's order id; CANCELLED, REJECTED (with the platform's
  text), EXPIRED as they are. Fills come only from execution frames, each once (by execution id).
- **Reconnects.** After every hello the driver asks for a report (open orders, executions, positions) and
  re-reports from it what it missed: executions it has not seen, and orders that ended while the bridge was down.
  ``report()`` is None until that report arrived for the current connection.
- **Never sent twice.** An order arriving while the bridge is down is rejected at once, never queued. A leg sent
  whose answer never came before the connection ended is *in doubt*: if the plug-in's report after the reconnect
  lists it, it is bound; if not, the driver asks again ``settle_s`` later and then rejects it (the plug-in lists
  every order of the session, so a leg missing twice never reached the platform). It is never sent again.
- **Bad frames** are logged and skipped by the transport; a silent plug-in is dropped and reconnected.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import (
    Capabilities,
    Order,
    PlatformReport,
    ReportedFill,
    ReportedOrder,
    Subscription,
)

from . import frames
from .transport import BridgeClient, BridgeConfig

log = logging.getLogger(__name__)

MAX_REPORTED_EXECUTIONS = 2000


class BridgeSettings(Protocol):
    """What a bridge driver reads from its platform's settings model."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def account(self) -> str: ...
    @property
    def tif(self) -> str: ...
    @property
    def heartbeat_interval_s(self) -> float: ...
    @property
    def heartbeat_timeout_s(self) -> float: ...
    @property
    def connect_timeout_s(self) -> float: ...
    @property
    def reconnect_initial_s(self) -> float: ...
    @property
    def reconnect_max_s(self) -> float: ...
    @property
    def settle_s(self) -> float: ...


class BridgeDriver(PlatformDriver):
    """Trades one platform account through its bridge plug-in; see the module docstring."""

    kind = "bridge"
    platform = "the platform"
    """The platform's name in log lines and reasons (NinjaTrader, Quantower)."""

    def __init__(
        self, name: str, settings: BridgeSettings, leg_status: Callable[[str], OrderStatus | None], paper: bool = False
    ) -> None:
        self._leg_status = leg_status
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
        """Leg → (the platform's order id, filled quantity) of working orders."""
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
        self._events.platform_state(True, f"{self.platform} bridge up at {self.settings.host}:{self.settings.port}")

    def bridge_down(self, reason: str) -> None:
        assert self._events is not None
        with self._lock:
            for leg in self._sent:
                if leg not in self._answered and leg not in self._ended:
                    self._doubt.setdefault(leg, 0.0)
        self._events.platform_state(False, f"{self.platform} bridge down: {reason}")

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
            log.warning("%s: leg %s was sent to %s already; the repeat is ignored", self.name, leg, self.platform)
            return
        if self.paper:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} is a paper instance: not sent")
            return
        if not self.client.up:
            self._events.order_update(
                leg, OrderStatus.REJECTED, f"{self.name}: the {self.platform} bridge is down; the order was not sent"
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
            # nothing (or a truncated frame the plug-in discards) reached the platform
            with self._lock:
                self._ended.add(leg)
            self._events.order_update(
                leg, OrderStatus.REJECTED, f"{self.name}: the {self.platform} bridge failed while sending; not sent"
            )
        else:
            log.info(
                "%s: order %s: %s %g %s %s sent", self.name, leg, order.side, order.qty, order.symbol, order.order_type
            )

    def cancel(self, leg_id: str) -> None:
        if not self.client.send(frames.frame(frames.CANCEL, leg=leg_id)):
            log.warning("%s: cancel of %s not sent: the %s bridge is down", self.name, leg_id, self.platform)

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
        status = self._leg_status(state)
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
            log.warning("%s: leg %s: unknown %s order state %r ignored", self.name, leg, self.platform, state)
        elif status is OrderStatus.ACCEPTED and known is None:
            self._events.order_update(leg, OrderStatus.ACCEPTED, "", order_id)
        elif status in (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED) and not ended:
            if status is OrderStatus.REJECTED:
                log.warning("%s: leg %s: %s rejected it: %s", self.name, leg, self.platform, reason or state)
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
                        "%s: leg %s was sent just before the bridge went down and %s does not list it; "
                        "asking again in %.0fs",
                        self.name,
                        leg,
                        self.platform,
                        self.settings.settle_s,
                    )
                elif now >= asked:
                    del self._doubt[leg]
                    self._ended.add(leg)
                    rejected.append(leg)
        assert self._events is not None
        for leg in rejected:
            log.warning(
                "%s: leg %s is still not among %s's orders: rejected, never sent again", self.name, leg, self.platform
            )
            self._events.order_update(
                leg,
                OrderStatus.REJECTED,
                f"{self.platform} never received the order (missing from the plug-in's orders)",
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
            return None  # unknown until the plug-in's report of this connection arrived
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
