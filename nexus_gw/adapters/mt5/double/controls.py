"""What a test (or the dev profile) does to the double from outside the MetaTrader5 API: ``mt5._double``.

Fault injection is described in ``faults.py``; the clock and prices move through ``advance`` and ``set_price``.
Every method takes plain ints, floats and strings, so it works the same through an rpyc netref.
"""

from __future__ import annotations

import threading
from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double.terminal import Terminal
from nexus_gw.adapters.mt5.double.working import on_tick


class Controls:
    def __init__(self, terminal: Terminal, lock: threading.RLock) -> None:
        self.terminal = terminal
        self.lock = lock

    # -- faults
    def force_retcodes(self, *retcodes: int) -> None:
        """The next order_send calls answer these retcodes in turn and place nothing."""
        with self.lock:
            self.terminal.faults.force_retcodes(*retcodes)

    def lose_next_answer(self, mode: str = "timeout") -> None:
        """The next order_send executes but its answer is lost ('timeout': retcode 10012; 'none': None)."""
        with self.lock:
            self.terminal.faults.lose_next_answer(mode)

    def disconnect(self) -> None:
        """The terminal loses its trade server (connected False, order_send → TRADE_RETCODE_CONNECTION)."""
        with self.lock:
            self.terminal.faults.server_connected = False

    def reconnect(self) -> None:
        with self.lock:
            self.terminal.faults.server_connected = True

    def terminal_gone(self) -> None:
        """The terminal process is gone: every call answers None and last_error() is (-10004, ...)."""
        with self.lock:
            self.terminal.faults.terminal_alive = False
            self.terminal.initialized = False

    def terminal_back(self) -> None:
        """The terminal runs again; the client must initialize() again, as with a restarted real terminal."""
        with self.lock:
            self.terminal.faults.terminal_alive = True

    def set_autotrading(self, enabled: bool) -> None:
        with self.lock:
            self.terminal.faults.autotrading = bool(enabled)

    def set_account_trade_allowed(self, allowed: bool) -> None:
        with self.lock:
            self.terminal.faults.account_trade_allowed = bool(allowed)

    def clear_faults(self) -> None:
        with self.lock:
            self.terminal.faults.clear()

    # -- market
    def set_market_open(self, is_open: bool | None, symbol: str | None = None) -> None:
        """Force every symbol (or ``symbol``) open or closed; None goes back to the trading hours."""
        with self.lock:
            overrides = self.terminal.market.open_override
            if is_open is None:
                overrides.pop(symbol, None)
            else:
                overrides[symbol] = bool(is_open)

    def set_liquidity(self, symbol: str, volume: float | None) -> None:
        """At most ``volume`` lots fill per request or per tick on ``symbol`` (None: unlimited)."""
        with self.lock:
            if volume is None:
                self.terminal.trader.liquidity.pop(symbol, None)
            else:
                self.terminal.trader.liquidity[symbol] = float(volume)

    def set_price(self, symbol: str, bid: float, last: float | None = None) -> dict[str, Any]:
        """A tick on ``symbol`` at ``bid`` (and a trade at ``last``); working orders see it. The tick, as a dict."""
        with self.lock:
            tick = self.terminal.market.set_price(symbol, float(bid), last=None if last is None else float(last))
            on_tick(self.terminal.trader, symbol, tick)
            if self.terminal.on_change:
                self.terminal.on_change()
            return dict(tick._asdict())

    def advance(self, seconds: float) -> int:
        """Move the clock ``seconds`` on (ticks arrive, orders work); the new time in epoch milliseconds."""
        with self.lock:
            self.terminal.advance_to(self.terminal.market.now_msc + round(float(seconds) * 1000))
            return self.terminal.market.now_msc

    def now_msc(self) -> int:
        return self.terminal.market.now_msc

    def set_margin_mode(self, margin_mode: int) -> None:
        """Make the account netting (0), exchange (1) or hedging (2); only while it holds no position."""
        with self.lock:
            if self.terminal.books.positions:
                raise ValueError("close every position before changing the account's margin mode")
            if margin_mode not in (
                c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING,
                c.ACCOUNT_MARGIN_MODE_EXCHANGE,
                c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING,
            ):
                raise ValueError(f"margin mode {margin_mode!r}: use 0 (netting), 1 (exchange) or 2 (hedging)")
            self.terminal.books.margin_mode = int(margin_mode)

    def symbols(self) -> list[str]:
        return [spec.name for spec in self.terminal.broker.symbols]
