"""The state every part of the simulated exchange works on (declared once; ``SimExchange`` owns it)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .records import ExchangeSettings, Market, SimFill, SimOrder, SimPosition


class ExchangeFields:
    """The attributes :class:`~.exchange.SimExchange` sets up, shared by its answers and its persistence."""

    settings: ExchangeSettings
    _lock: threading.RLock
    _wall: Callable[[], float]
    _markets: dict[str, Market]
    _orders: dict[str, SimOrder]
    _fills: list[SimFill]
    _positions: dict[tuple[str, str], SimPosition]
    _tag: str
    _order_seq: int
    _fill_seq: int

    def _on_grid(self, price: float) -> float:
        raise NotImplementedError  # SimExchange rounds to its tick grid
