"""The double as a module: ``create()`` returns a module named ``MetaTrader5`` with the real functions and constants.

Every function runs under one lock (an rpyc server calls from several threads) and keeps the real signature
(``inspect.signature`` follows ``__wrapped__``). ``mt5._double`` is the test hook (``controls.Controls``).
"""

from __future__ import annotations

import functools
import threading
import types
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from nexus_gw.adapters.mt5.double import constants, persist
from nexus_gw.adapters.mt5.double.brokers import broker as broker_named
from nexus_gw.adapters.mt5.double.brokers import with_margin_mode
from nexus_gw.adapters.mt5.double.controls import Controls
from nexus_gw.adapters.mt5.double.terminal import Terminal

FUNCTIONS = (
    "initialize",
    "login",
    "shutdown",
    "last_error",
    "version",
    "terminal_info",
    "account_info",
    "symbols_total",
    "symbols_get",
    "symbol_info",
    "symbol_info_tick",
    "symbol_select",
    "copy_ticks_from",
    "copy_ticks_range",
    "order_check",
    "order_send",
    "orders_total",
    "orders_get",
    "positions_total",
    "positions_get",
    "history_orders_total",
    "history_orders_get",
    "history_deals_total",
    "history_deals_get",
)


def _locked(method: Callable[..., Any], lock: threading.RLock) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return call


def create(
    broker: str = "global",
    *,
    seed: int = 0,
    start: datetime | None = None,
    realtime: bool = False,
    margin_mode: int | None = None,
    state_path: str | Path | None = None,
    tick_ms: int = 500,
) -> types.ModuleType:
    """A fresh MetaTrader5-like module for ``broker`` ('global' or 'brazil').

    ``start``: the double's clock at creation (default: now); ``realtime``: the clock follows the wall clock (else
    it moves only through ``mt5._double.advance``); ``state_path``: a JSON file the state is kept in.
    """
    config = broker_named(broker, start)
    if margin_mode is not None:
        config = with_margin_mode(config, margin_mode)
    start_msc = None if start is None else int(start.timestamp() * 1000)
    terminal = Terminal(config, seed=seed, start_msc=start_msc, realtime=realtime, tick_ms=tick_ms)
    lock = threading.RLock()
    if state_path is not None:
        path = Path(state_path)
        persist.load(terminal, path)
        terminal.on_change = lambda: persist.save(terminal, path)
    module = types.ModuleType("MetaTrader5", "A test double of the MetaTrader5 module (nexus_gw.adapters.mt5.double).")
    for name, value in constants.public_names().items():
        setattr(module, name, value)
    for name in FUNCTIONS:
        setattr(module, name, _locked(getattr(terminal, name), lock))
    module.__version__ = "5.0.4755"  # type: ignore[attr-defined]
    module._double = Controls(terminal, lock)  # type: ignore[attr-defined]
    return module
