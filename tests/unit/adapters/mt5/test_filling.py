from __future__ import annotations

import pytest

from nexus_gw.adapters.mt5.filling import (
    ORDER_FILLING_FOK,
    ORDER_FILLING_IOC,
    ORDER_FILLING_RETURN,
    SYMBOL_TRADE_EXECUTION_EXCHANGE,
    SYMBOL_TRADE_EXECUTION_INSTANT,
    SYMBOL_TRADE_EXECUTION_MARKET,
    SYMBOL_TRADE_EXECUTION_REQUEST,
    choose_filling,
)


@pytest.mark.parametrize(
    ("flags", "exemode", "pending", "expected"),
    [
        (3, SYMBOL_TRADE_EXECUTION_EXCHANGE, False, ORDER_FILLING_RETURN),  # B3: RETURN whatever the bits
        (0, SYMBOL_TRADE_EXECUTION_EXCHANGE, True, ORDER_FILLING_RETURN),
        (1, SYMBOL_TRADE_EXECUTION_MARKET, False, ORDER_FILLING_FOK),
        (3, SYMBOL_TRADE_EXECUTION_MARKET, False, ORDER_FILLING_FOK),  # FOK preferred when both are allowed
        (2, SYMBOL_TRADE_EXECUTION_MARKET, False, ORDER_FILLING_IOC),
        (0, SYMBOL_TRADE_EXECUTION_MARKET, False, ORDER_FILLING_RETURN),
        (1, SYMBOL_TRADE_EXECUTION_MARKET, True, ORDER_FILLING_RETURN),  # a resting limit/stop keeps its rest
        (2, SYMBOL_TRADE_EXECUTION_INSTANT, False, ORDER_FILLING_IOC),
        (0, SYMBOL_TRADE_EXECUTION_INSTANT, False, ORDER_FILLING_FOK),  # implied under Instant/Request
        (0, SYMBOL_TRADE_EXECUTION_REQUEST, False, ORDER_FILLING_FOK),
    ],
)
def test_filling_follows_the_symbols_bits_and_execution_mode(flags: int, exemode: int, pending: bool, expected: int):
    assert choose_filling(flags, exemode, pending) == expected
