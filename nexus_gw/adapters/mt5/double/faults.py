"""Fault injection for tests: what the double's terminal does wrong next, set through ``mt5._double``.

- ``force_retcodes(10004, ...)``: the next order_send calls answer these retcodes in turn, placing nothing
  (REQUOTE once then DONE: ``force_retcodes(TRADE_RETCODE_REQUOTE)``).
- ``disconnect()`` / ``reconnect()``: the terminal loses its trade server: ``terminal_info().connected`` is False,
  order_send answers TRADE_RETCODE_CONNECTION and no ticks arrive.
- ``terminal_gone()`` / ``terminal_back()``: the terminal process is gone: every call answers None (False for
  initialize/login/symbol_select) and ``last_error()`` is (-10004, 'No IPC connection').
- ``lose_next_answer("timeout" | "none")``: the next order_send IS executed, but its answer is lost: the caller gets
  retcode TRADE_RETCODE_TIMEOUT with order 0 and deal 0 ("timeout"), or None with last_error (-10005, 'IPC timeout')
  ("none"); the order and its deals are in orders_get/history_deals_get for reconciliation.
- ``set_autotrading(False)``: the AutoTrading button is off: ``terminal_info().trade_allowed`` is False and
  order_send answers TRADE_RETCODE_CLIENT_DISABLES_AT.
- ``set_account_trade_allowed(False)``: the account may not trade: TRADE_RETCODE_TRADE_DISABLED.
- ``set_market_open(False, symbol=None)``: markets (or one symbol) closed whatever the hours; ``None`` restores hours.
- ``set_liquidity(symbol, volume)``: at most ``volume`` fills per request or tick (partial fills); None: unlimited.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

LOSE_MODES = ("timeout", "none")


@dataclass
class Faults:
    forced: deque[int] = field(default_factory=deque)
    lost_answers: deque[str] = field(default_factory=deque)
    server_connected: bool = True
    terminal_alive: bool = True
    autotrading: bool = True
    account_trade_allowed: bool = True

    def force_retcodes(self, *retcodes: int) -> None:
        self.forced.extend(int(code) for code in retcodes)

    def lose_next_answer(self, mode: str = "timeout") -> None:
        if mode not in LOSE_MODES:
            raise ValueError(f"lose_next_answer mode {mode!r}: use 'timeout' (retcode 10012) or 'none' (None)")
        self.lost_answers.append(mode)

    def clear(self) -> None:
        """Back to a healthy terminal."""
        self.forced.clear()
        self.lost_answers.clear()
        self.server_connected = self.terminal_alive = self.autotrading = self.account_trade_allowed = True
