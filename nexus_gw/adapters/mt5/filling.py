"""Choosing ``type_filling`` from a symbol's ``filling_mode`` bitmask and execution mode (platforms.md §3.3).

The MetaTrader5 wheel defines no ``SYMBOL_FILLING_*`` constants: the bits are FOK = 1, IOC = 2 (BOC = 4).
Pure.
"""

from __future__ import annotations

from typing import Final

SYMBOL_FILLING_FOK: Final = 1
SYMBOL_FILLING_IOC: Final = 2

ORDER_FILLING_FOK: Final = 0
ORDER_FILLING_IOC: Final = 1
ORDER_FILLING_RETURN: Final = 2

SYMBOL_TRADE_EXECUTION_REQUEST: Final = 0
SYMBOL_TRADE_EXECUTION_INSTANT: Final = 1
SYMBOL_TRADE_EXECUTION_MARKET: Final = 2
SYMBOL_TRADE_EXECUTION_EXCHANGE: Final = 3


def choose_filling(filling_mode: int, trade_exemode: int, pending: bool = False) -> int:
    """The ``type_filling`` for an order on a symbol.

    - Exchange execution (B3): RETURN (partial fills leave the rest working);
    - a pending (limit/stop) order under Market execution: RETURN;
    - otherwise FOK when the symbol allows it, else IOC, else RETURN under Market execution, else FOK (implied
      under Request and Instant execution).
    """
    if trade_exemode == SYMBOL_TRADE_EXECUTION_EXCHANGE:
        return ORDER_FILLING_RETURN
    if pending and trade_exemode == SYMBOL_TRADE_EXECUTION_MARKET:
        return ORDER_FILLING_RETURN
    if filling_mode & SYMBOL_FILLING_FOK:
        return ORDER_FILLING_FOK
    if filling_mode & SYMBOL_FILLING_IOC:
        return ORDER_FILLING_IOC
    if trade_exemode == SYMBOL_TRADE_EXECUTION_MARKET:
        return ORDER_FILLING_RETURN
    return ORDER_FILLING_FOK
