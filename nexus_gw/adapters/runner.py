"""The adapter process: one driver, one gateway link, one poll loop.

Every ORDER is written ahead (:mod:`nexus_gw.adapters.inflight`, in ``state_dir``) before it is acknowledged
to the gateway and handed to the driver; a leg id already written is acknowledged and never sent again, also
after a restart. Platform order ids the driver reports bind their legs in the same store; finished legs close.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import zmq

from nexus_gw import failpoints
from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.events import (
    EventSink,
    FillEvent,
    MarketDataEvent,
    OrderUpdateEvent,
    PlatformStateEvent,
    SymbolStateEvent,
)
from nexus_gw.adapters.inflight import InFlightStore, default_path
from nexus_gw.adapters.link import GatewayLink
from nexus_gw.errors import ConfigError
from nexus_gw.ops.sdnotify import Notifier
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import TERMINAL_STATUSES, MsgType
from nexus_gw.security.curve import ClientCurve

log = logging.getLogger(__name__)

MAX_TICKS_PER_MESSAGE = 100


class AdapterRunner:
    """Runs ``driver`` for platform instance ``name`` against the gateway at ``endpoint``."""

    def __init__(
        self,
        name: str,
        driver: PlatformDriver,
        endpoint: str,
        heartbeat_interval_s: float = 1.0,
        liveness: int = 3,
        state_dir: Path | None = None,
        curve: ClientCurve | None = None,
    ) -> None:
        self.name = name
        self.driver = driver
        self.ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self.sink = EventSink()
        self.link = GatewayLink(
            self.ctx, endpoint, name, driver.kind, driver.capabilities(), heartbeat_interval_s, liveness, curve=curve
        )
        self.link.report_provider = driver.report
        self.stop_event = threading.Event()
        self.notifier = Notifier()  # systemd's readiness and watchdog (a no-op elsewhere)
        self.counts = {"orders": 0, "cancels": 0, "updates": 0, "fills": 0, "ticks": 0}
        if state_dir is None:
            log.warning("%s: no state directory: the write-ahead of sent legs is kept in memory only", name)
        store_path = default_path(state_dir) if state_dir is not None else ":memory:"
        try:
            self.inflight = InFlightStore(store_path)
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(
                f"adapter {name}: cannot open its write-ahead store {store_path} ({exc}); the adapter must record "
                "every leg before sending it, so fix the permissions or free space of gateway.data_dir, or point "
                "NEXUSGW_GATEWAY__DATA_DIR at a writable directory"
            ) from exc
        in_flight = self.inflight.open_legs()
        if in_flight:
            log.warning(
                "%s: %d leg(s) sent by an earlier run are not finished (%d not bound to a platform order: in doubt "
                "until the platform's report settles them): %s",
                name,
                len(in_flight),
                sum(1 for leg in in_flight if not leg.platform_order_id),
                ", ".join(leg.leg_id for leg in in_flight[:20]) + (", ..." if len(in_flight) > 20 else ""),
            )
        driver.resume(self.inflight.all_legs())

    def run(self) -> None:
        self.link.connect()
        self.driver.start(self.sink)
        notifier = self.notifier  # systemd Type=notify: ready once started (it reconnects on its own), watchdog
        notifier.ready(f"adapter {self.name}: waiting for the gateway")
        try:
            while not self.stop_event.is_set():
                self._pass()
                notifier.watchdog(time.monotonic(), self._service_status)
        finally:
            notifier.stopping(f"adapter {self.name}: stopping")
            self._shutdown()

    def _pass(self) -> None:
        now = time.monotonic()
        waits = [self.link.tick(now), 0.5]
        driver_wish = self.driver.poll(now)
        if driver_wish is not None:
            waits.append(driver_wish)
        poller = zmq.Poller()
        if self.link.socket is not None:
            poller.register(self.link.socket, zmq.POLLIN)
        poller.register(self.sink.fileno, zmq.POLLIN)
        timeout_ms = max(0, int(min(waits) * 1000))
        ready = dict(poller.poll(timeout_ms))
        if self.link.socket is not None and self.link.socket in ready:
            for msg_type, msg in self.link.receive():
                self._on_gateway(msg_type, msg)
        self._on_driver_events()

    def _service_status(self) -> str:
        gateway = "connected to" if self.link.welcome is not None else "waiting for"
        return (
            f"adapter {self.name}: {gateway} the gateway, platform {'up' if self.link.platform_connected else 'down'}"
        )

    def _on_gateway(self, msg_type: MsgType, msg: m.Message) -> None:
        if isinstance(msg, m.Welcome):
            self.link.keep_symbol_checks({s.symbol for s in msg.subscriptions})  # a roll retires the old contract
            self.driver.subscribe(list(msg.subscriptions))
        elif isinstance(msg, m.Order):
            self._on_order(msg)
        elif isinstance(msg, m.Cancel):
            self.counts["cancels"] += 1
            self.driver.cancel(msg.leg_id)
        elif isinstance(msg, m.ReportRequest):
            log.info("gateway asks for a report: %s", msg.reason)
            self.link.send_report()
        elif isinstance(msg, m.Error):
            log.error("gateway error %s: %s", msg.code, msg.message)

    def _on_order(self, order: m.Order) -> None:
        """Write the leg ahead, then acknowledge it, then send it; a leg id written before is never sent again."""
        try:
            new = self.inflight.record(order)
        except (sqlite3.Error, OSError) as exc:
            log.error(
                "order %s not sent: it cannot be recorded in %s (%s); it is not acknowledged, so the gateway sends "
                "it again after the next reconnect. Free disk space or fix the state directory's permissions",
                order.leg_id,
                self.inflight.path,
                exc,
            )
            return
        self.link.ack_order(order.leg_id)
        if not new:
            log.info("order %s received again (gateway resend): already sent to the platform", order.leg_id)
            return
        self.counts["orders"] += 1
        log.info("order %s: %s %s %s", order.leg_id, order.side, order.qty, order.symbol)
        failpoints.hit("adapter.before_submit")  # tests: the adapter dies between its write-ahead and the send
        self.driver.submit(order)
        failpoints.hit("adapter.after_submit")  # tests: the adapter dies before it hears anything back

    def _write_ahead(self, event: OrderUpdateEvent | FillEvent) -> None:
        """Bind, count and close legs in the write-ahead store; a failure is logged (the event still goes out)."""
        try:
            if isinstance(event, FillEvent):
                self.inflight.add_fill(event.leg_id, event.fill_id, event.qty)
                return
            if event.platform_order_id:
                self.inflight.bind(event.leg_id, event.platform_order_id)
            if event.status in TERMINAL_STATUSES:
                self.inflight.finish(event.leg_id, event.status.value)
        except (sqlite3.Error, OSError) as exc:
            log.error("leg %s: write-ahead store %s not updated (%s)", event.leg_id, self.inflight.path, exc)

    def _on_driver_events(self) -> None:
        ticks: list[m.Tick] = []
        for event in self.sink.drain():
            if isinstance(event, MarketDataEvent):
                ticks.append(m.Tick(event.symbol, event.bid, event.ask, event.last, event.size, event.ts_ns))
                if len(ticks) >= MAX_TICKS_PER_MESSAGE:
                    self.link.send_market_data(ticks)
                    ticks = []
            elif isinstance(event, OrderUpdateEvent):
                self.counts["updates"] += 1
                self._write_ahead(event)
                update = m.LegUpdate(
                    leg_id=event.leg_id,
                    status=event.status,
                    reason=event.reason,
                    platform_order_id=event.platform_order_id,
                    ts_ns=time.time_ns(),
                )
                self.link.send_reliable(MsgType.ORDER_UPDATE, update)
            elif isinstance(event, FillEvent):
                self.counts["fills"] += 1
                self._write_ahead(event)
                fill = m.LegFill(
                    leg_id=event.leg_id,
                    fill_id=event.fill_id,
                    qty=event.qty,
                    price=event.price,
                    ts_ns=event.ts_ns,
                )
                self.link.send_reliable(MsgType.FILL, fill)
            elif isinstance(event, PlatformStateEvent):
                log.log(
                    logging.INFO if event.connected else logging.WARNING,
                    "%s platform %s: %s",
                    self.name,
                    "up" if event.connected else "down",
                    event.reason,
                )
                self.link.set_platform_connected(event.connected)
            elif isinstance(event, SymbolStateEvent):
                self.link.set_symbol_state(event.symbol, event.known, event.reason)
        self.counts["ticks"] += len(ticks)
        self.link.send_market_data(ticks)

    def _shutdown(self) -> None:
        try:
            self.driver.stop()
        finally:
            self.link.close()
            self.sink.close()
            self.inflight.close()
            self.ctx.term()
