"""``NexusCommunicationAdapter``: plugs an existing signal pipeline into the gateway.

The pipeline is any object with ``process_market_data(data) -> signal | None`` (plain or async). A
signal is a dict ``{"symbol", "signal", "confidence"}`` with optional ``qty`` and ``mqscore``
(``{"composite", "noise"}``). If the pipeline has ``on_fill(fill)`` it receives every aggregated fill,
and ``on_order_status(update)`` every order update. A fill is acknowledged to the gateway only after
``on_fill`` returned; if it raises, the gateway delivers the fill again (within seconds, or after a HELLO). With
``auto_execute=False`` signals are logged and kept in ``skipped_signals`` instead of being sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import signal as os_signal
from typing import Any

from nexus_gw.client.aio import AsyncNexusGateway
from nexus_gw.security.curve import ClientCurve

log = logging.getLogger(__name__)


async def _call(fn: Any, *args: Any) -> Any:
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


class NexusCommunicationAdapter:
    def __init__(
        self,
        nexus_pipeline: Any,
        mqscore_engine: Any = None,
        gateway_host: str = "localhost",
        gateway_port: int = 5556,
        auto_execute: bool = True,
        name: str = "nexus",
        flatten_on_exit: bool = False,
        admin_port: int = 5557,
        curve: ClientCurve | None = None,
    ) -> None:
        if not hasattr(nexus_pipeline, "process_market_data"):
            raise TypeError("nexus_pipeline needs a process_market_data(data) method returning a signal or None")
        self.pipeline = nexus_pipeline
        self.mqscore_engine = mqscore_engine
        self.auto_execute = auto_execute
        self.flatten_on_exit = flatten_on_exit
        self.admin_endpoint = f"tcp://{gateway_host}:{admin_port}"
        self.curve = curve
        self.gateway = AsyncNexusGateway(gateway_host, gateway_port, name=name, curve=curve)
        self.signals_sent: list[str] = []
        self.skipped_signals: list[dict[str, Any]] = []
        self.fills: list[dict[str, Any]] = []
        self._stopped = asyncio.Event()

    async def start(self) -> None:
        self.gateway.set_market_data_callback(self._on_market_data)
        self.gateway.set_fill_callback(self._on_fill)
        self.gateway.set_order_status_callback(self._on_order_status)
        await self.gateway.connect()
        log.info("connected to gateway %s", self.gateway.endpoint)

    async def stop(self) -> None:
        """Disconnect; with ``flatten_on_exit`` first activate the kill switch with flatten (Ctrl+C = close all)."""
        if self.flatten_on_exit:
            from nexus_gw.client.admin import admin_request

            try:
                await asyncio.to_thread(
                    admin_request,
                    self.admin_endpoint,
                    "killswitch.activate",
                    {
                        "reason": "signal engine stopped (flatten_on_exit)",
                        "flatten": True,
                        "who": "NexusCommunicationAdapter",
                    },
                    curve=self.curve,
                )
            except Exception:
                log.exception(
                    "could not activate the kill switch on exit; flatten by hand: nexusgw killswitch activate --flatten"
                )
        await self.gateway.close()
        self._stopped.set()

    async def run_forever(self) -> None:
        """Start, then run until SIGINT/SIGTERM (Ctrl+C), then stop gracefully."""
        await self.start()
        loop = asyncio.get_running_loop()
        for sig in (os_signal.SIGINT, os_signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows event loops
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(self.stop()))
        await self._stopped.wait()

    async def _on_market_data(self, data: dict[str, Any]) -> None:
        signal = await _call(self.pipeline.process_market_data, data)
        if not signal:
            return
        if not self.auto_execute:
            log.info("auto_execute is off: signal not sent: %s", signal)
            self.skipped_signals.append(signal)
            return
        order_id = await self.gateway.send_signal(
            signal["symbol"],
            signal["signal"],
            signal["confidence"],
            qty=signal.get("qty"),
            mqscore=signal.get("mqscore"),
        )
        if order_id is not None:
            self.signals_sent.append(order_id)

    async def _on_fill(self, fill: dict[str, Any]) -> None:
        """The pipeline's ``on_fill`` first: the fill is acknowledged to the gateway only if it returns."""
        if hasattr(self.pipeline, "on_fill"):
            await _call(self.pipeline.on_fill, fill)
        self.fills.append(fill)

    async def _on_order_status(self, update: dict[str, Any]) -> None:
        if hasattr(self.pipeline, "on_order_status"):
            await _call(self.pipeline.on_order_status, update)
