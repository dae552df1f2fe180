"""``AsyncNexusGateway``: the asyncio client, for engines that run an event loop.

Same protocol core as the blocking client; a FILL (and a final ORDER_UPDATE) is acknowledged only
after its callback returned (awaited), never when it raised. The socket only waits through asyncio; messages are moved
with the synchronous API on a shadow socket, which is what keeps pyzmq's asyncio path fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

import zmq
import zmq.asyncio

from nexus_gw.client.core import ClientCore, Event, Outcome
from nexus_gw.errors import GatewayUnavailable
from nexus_gw.security.curve import ClientCurve

log = logging.getLogger(__name__)

Callback = Callable[[dict[str, Any]], Any]


class AsyncNexusGateway:
    def __init__(
        self,
        host: str = "localhost",
        port: int = 5556,
        name: str = "nexus",
        timeout_s: float = 5.0,
        retries: int = 3,
        curve: ClientCurve | None = None,
    ) -> None:
        self.endpoint = f"tcp://{host}:{port}"
        self.curve = curve
        self.core = ClientCore(name=name)
        self.timeout_s = timeout_s
        self.retries = retries
        self.last_refusal = ""
        self._callbacks: dict[str, Callback] = {}
        self._futures: dict[str, asyncio.Future[Outcome]] = {}
        self._welcomed = asyncio.Event()
        self._ctx: zmq.asyncio.Context | None = None
        self._sock: zmq.asyncio.Socket | None = None
        self._sync: zmq.Socket[bytes] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._events: asyncio.Queue[Event] = asyncio.Queue()

    def set_market_data_callback(self, fn: Callback) -> None:
        self._callbacks["market_data"] = fn

    def set_fill_callback(self, fn: Callback) -> None:
        self._callbacks["fill"] = fn

    def set_order_status_callback(self, fn: Callback) -> None:
        self._callbacks["order_status"] = fn

    def set_error_callback(self, fn: Callback) -> None:
        self._callbacks["error"] = fn

    async def connect(self) -> None:
        self._ctx = zmq.asyncio.Context()
        self._sock = self._ctx.socket(zmq.DEALER)
        self._sock.setsockopt(zmq.IDENTITY, self.core.identity)
        self._sock.setsockopt(zmq.LINGER, 0)
        if self.curve is not None:
            self.curve.apply(self._sock)
        self._sock.connect(self.endpoint)
        self._sync = zmq.Socket.shadow(self._sock.underlying)
        self._sync.send_multipart(self.core.hello())
        self._tasks = [
            asyncio.create_task(self._reader(), name="nexusgw-reader"),
            asyncio.create_task(self._heartbeats(), name="nexusgw-heartbeat"),
            asyncio.create_task(self._dispatcher(), name="nexusgw-callbacks"),
        ]
        try:
            await asyncio.wait_for(self._welcomed.wait(), self.timeout_s)
        except TimeoutError:
            await self.close()
            raise GatewayUnavailable(
                f"gateway not answering on {self.endpoint} after {self.timeout_s:.0f}s; "
                "is `nexusgw serve` running? (nexusgw status)"
            ) from None

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._sock is not None:
            self._sock.close(linger=0)
            self._sock = None
        if self._ctx is not None:
            self._ctx.term()
            self._ctx = None

    async def send_signal(
        self,
        symbol: str,
        signal: float,
        confidence: float,
        qty: float | None = None,
        mqscore: dict[str, float] | None = None,
        client_id: str | None = None,
        order_type: str = "MARKET",
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> str | None:
        """As ``NexusGatewayInterface.send_signal``, awaited."""
        built = self.core.signal(
            symbol,
            signal,
            confidence,
            qty,
            mqscore,
            client_id,
            order_type,
            limit_price,
            stop_price,
            time.time_ns(),
        )
        if built is None:
            self.last_refusal = f"{symbol} has a working order (duplicate prevention)"
            return None
        cid, frames = built
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._futures[cid] = future
        try:
            for _ in range(self.retries):
                assert self._sync is not None
                self._sync.send_multipart(frames)
                try:
                    outcome = await asyncio.wait_for(asyncio.shield(future), self.timeout_s)
                except TimeoutError:
                    log.warning("no answer for signal %s within %.1fs: resending", cid, self.timeout_s)
                    continue
                self.last_refusal = outcome.refusal
                return outcome.order_id
        finally:
            self._futures.pop(cid, None)
        raise GatewayUnavailable(
            f"no answer from {self.endpoint} for signal {cid} after {self.retries} tries; "
            f"resend with client_id={cid!r} once the gateway is back"
        )

    async def cancel_all(self, symbol: str = "") -> None:
        assert self._sync is not None
        self._sync.send_multipart(self.core.cancel_all(symbol))

    async def cancel(self, order_or_client_id: str) -> None:
        assert self._sync is not None
        self._sync.send_multipart(self.core.cancel(order_or_client_id))

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.core.heartbeat_interval_s)
            if self._sync is not None:
                self._sync.send_multipart(self.core.heartbeat(time.time_ns()))

    async def _reader(self) -> None:
        assert self._sock is not None and self._sync is not None
        while True:
            await self._sock.poll(flags=zmq.POLLIN)
            while True:
                try:
                    header = self._sync.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                payload = self._sync.recv() if self._sync.get(zmq.RCVMORE) else b""
                events, outcomes = self.core.receive(header, payload)
                while self.core.outgoing:
                    self._sync.send_multipart(self.core.outgoing.pop(0))
                for outcome in outcomes:
                    future = self._futures.get(outcome.client_id)
                    if future is not None and not future.done():
                        future.set_result(outcome)
                if self.core.welcome is None:
                    self._welcomed.clear()
                    self._sync.send_multipart(self.core.hello())
                for event in events:
                    if event.kind == "welcome":
                        self._welcomed.set()
                        for frames in self.core.pending.values():
                            self._sync.send_multipart(frames)
                    else:
                        self._events.put_nowait(event)

    async def _dispatcher(self) -> None:
        """Callbacks run here, in order, so one may await ``send_signal`` without blocking the reader."""
        while True:
            await self._deliver(await self._events.get())

    async def _deliver(self, event: Event) -> None:
        fn = self._callbacks.get(event.kind)
        ok = True
        if fn is not None:
            try:
                result = fn(event.data)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                ok = False
                log.exception("%s callback raised; continuing", event.kind)
        ack = self.core.settle(event, ok)  # a FILL is acknowledged only once its callback returned
        if ack is not None and self._sync is not None:
            self._sync.send_multipart(ack)
