"""An example signal engine: a tiny momentum rule on the gateway's market data.

It only uses the public SDK (``NexusGatewayInterface``) and knows nothing of platforms, contract
months or currencies: it speaks roots ("NQ") and gets back one aggregated fill per signal.

Every ``interval_s`` per symbol, if the symbol has no working order, it buys when the last price rose
over its recent window and sells when it fell, alternating when flat so the demo does not build up a
position. Run it against a gateway with ``python examples/momentum_engine.py``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from nexus_gw.client import NexusGatewayInterface


@dataclass
class EngineStats:
    ticks: int = 0
    signals: int = 0
    refused: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    """Why signals were refused: the reason's code (the text before the first colon)."""
    fills: list[dict[str, Any]] = field(default_factory=list)
    updates: int = 0


class MomentumEngine:
    def __init__(
        self,
        gateway: NexusGatewayInterface,
        symbols: list[str],
        interval_s: float = 2.0,
        window: int = 10,
        qty: float = 1,
        on_fill: Any = None,
    ) -> None:
        self.gateway = gateway
        self.symbols = symbols
        self.interval_s = interval_s
        self.qty = qty
        self.prices: dict[str, deque[float]] = {s: deque(maxlen=window) for s in symbols}
        self.position: dict[str, float] = dict.fromkeys(symbols, 0.0)
        self.next_signal: dict[str, float] = dict.fromkeys(symbols, 0.0)
        self.stats = EngineStats()
        self.on_fill_hook = on_fill
        self._lock = threading.Lock()

    def attach(self) -> None:
        self.gateway.set_market_data_callback(self.on_market_data)
        self.gateway.set_fill_callback(self.on_fill)
        self.gateway.set_order_status_callback(self.on_order_status)

    def on_market_data(self, data: dict[str, Any]) -> None:
        symbol = data["symbol"]
        if symbol not in self.prices:
            return
        with self._lock:
            self.stats.ticks += 1
            self.prices[symbol].append(data["price"])
            now = time.monotonic()
            if now < self.next_signal[symbol] or len(self.prices[symbol]) < 2:
                return
            self.next_signal[symbol] = now + self.interval_s
            direction = self._direction(symbol)
        order_id = self.gateway.send_signal(symbol, signal=direction, confidence=0.8, qty=self.qty)
        with self._lock:
            if order_id is None:
                self.stats.refused += 1
                self.stats.refusals[(self.gateway.last_refusal or "no answer").split(":", 1)[0]] += 1
            else:
                self.stats.signals += 1

    def _direction(self, symbol: str) -> float:
        position = self.position[symbol]
        if position > 0:
            return -1.0
        if position < 0:
            return 1.0
        prices = self.prices[symbol]
        return 1.0 if prices[-1] >= prices[0] else -1.0

    def on_fill(self, fill: dict[str, Any]) -> None:
        with self._lock:
            signed = fill["filled_qty"] if fill["side"] == "BUY" else -fill["filled_qty"]
            self.position[fill["symbol"]] = self.position.get(fill["symbol"], 0.0) + signed
            self.stats.fills.append(fill)
        if self.on_fill_hook is not None:
            self.on_fill_hook(fill)

    def on_order_status(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.stats.updates += 1


def main(host: str = "localhost", port: int = 5556, symbols: tuple[str, ...] = ("NQ",), seconds: float = 30) -> None:
    gateway = NexusGatewayInterface(host, port, name="momentum")
    gateway.connect()
    engine = MomentumEngine(
        gateway,
        list(symbols),
        on_fill=lambda f: print(
            f"FILL {f['side']} {f['filled_qty']:g} {f['symbol']} @ {f['avg_price']:.2f} "
            + " | ".join(f"{leg['platform']} {leg['symbol']} @ {leg['avg_price']}" for leg in f["legs"])
        ),
    )
    engine.attach()
    gateway.start_listening()
    try:
        time.sleep(seconds)
    finally:
        gateway.close()
    print(f"signals {engine.stats.signals}, fills {len(engine.stats.fills)}, refused {engine.stats.refused}")
