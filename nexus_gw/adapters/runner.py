"""The adapter process: one driver, one gateway link, one poll loop."""

from __future__ import annotations

import logging
import threading
import time

import zmq

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.events import (
    EventSink,
    FillEvent,
    MarketDataEvent,
    OrderUpdateEvent,
    PlatformStateEvent,
)
from nexus_gw.adapters.link import GatewayLink
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType

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
    ) -> None:
        self.name = name
        self.driver = driver
        self.ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self.sink = EventSink()
        self.link = GatewayLink(
            self.ctx, endpoint, name, driver.kind, driver.capabilities(), heartbeat_interval_s, liveness
        )
        self.link.report_provider = driver.report
        self.stop_event = threading.Event()
        self.counts = {"orders": 0, "cancels": 0, "updates": 0, "fills": 0, "ticks": 0}
        self.seen_legs: set[str] = set()

    def run(self) -> None:
        self.link.connect()
        self.driver.start(self.sink)
        try:
            while not self.stop_event.is_set():
                self._pass()
        finally:
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

    def _on_gateway(self, msg_type: MsgType, msg: m.Message) -> None:
        if isinstance(msg, m.Welcome):
            self.driver.subscribe(list(msg.subscriptions))
        elif isinstance(msg, m.Order):
            self.link.ack_order(msg.leg_id)
            if msg.leg_id in self.seen_legs:
                log.info("order %s received again (gateway resend): already at the platform", msg.leg_id)
                return
            self.seen_legs.add(msg.leg_id)
            self.counts["orders"] += 1
            log.info("order %s: %s %s %s", msg.leg_id, msg.side, msg.qty, msg.symbol)
            self.driver.submit(msg)
        elif isinstance(msg, m.Cancel):
            self.counts["cancels"] += 1
            self.driver.cancel(msg.leg_id)
        elif isinstance(msg, m.ReportRequest):
            log.info("gateway asks for a report: %s", msg.reason)
            self.link.send_report()
        elif isinstance(msg, m.Error):
            log.error("gateway error %s: %s", msg.code, msg.message)

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
        self.counts["ticks"] += len(ticks)
        self.link.send_market_data(ticks)

    def _shutdown(self) -> None:
        try:
            self.driver.stop()
        finally:
            self.link.close()
            self.sink.close()
            self.ctx.term()
