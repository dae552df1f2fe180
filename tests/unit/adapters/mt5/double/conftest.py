from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest

from nexus_gw.adapters.mt5.double import create

# A Wednesday 15:00 UTC: the CFD indices and B3 are both open.
OPEN = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def started(broker: str, **options: Any) -> ModuleType:
    mt5 = create(broker, start=OPEN, **options)
    assert mt5.initialize()
    return mt5


@pytest.fixture
def mt5() -> ModuleType:
    """The global CFD broker (hedging account, USD)."""
    return started("global")


@pytest.fixture
def b3() -> ModuleType:
    """The Brazilian B3 broker (netting account, BRL)."""
    return started("brazil")


def market(mt5: ModuleType, symbol: str, order_type: int, volume: float, **extra: Any) -> Any:
    request = {
        "action": mt5.TRADE_ACTION_DEAL,
        "symbol": symbol,
        "volume": volume,
        "type": order_type,
        "type_filling": extra.pop("type_filling", mt5.ORDER_FILLING_IOC),
        "magic": 7,
        "comment": "leg-1",
        **extra,
    }
    return mt5.order_send(request)


def pending(mt5: ModuleType, symbol: str, order_type: int, volume: float, price: float, **extra: Any) -> Any:
    request = {
        "action": mt5.TRADE_ACTION_PENDING,
        "symbol": symbol,
        "volume": volume,
        "type": order_type,
        "price": price,
        "type_filling": extra.pop("type_filling", mt5.ORDER_FILLING_RETURN),
        "magic": 7,
        "comment": "leg-2",
        **extra,
    }
    return mt5.order_send(request)
