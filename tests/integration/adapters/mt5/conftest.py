"""The MT5 driver against the MetaTrader5 test double (``nexus_gw/adapters/mt5/double``), in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nexus_gw.adapters.mt5 import double
from nexus_gw.adapters.mt5.driver import MT5Driver
from nexus_gw.adapters.mt5.settings import MT5Settings
from nexus_gw.protocol.messages import Subscription

FAST = {"poll_interval_s": 0.01, "reconnect_initial_s": 0.02, "reconnect_max_s": 0.2}


def brazil_module(**kw: Any) -> Any:
    """A B3 terminal whose market is open now, ticking fast, filling at most one contract per request or tick."""
    mt5 = double.create("brazil", realtime=True, tick_ms=20, **kw)
    mt5._double.set_market_open(True)
    return mt5


def win_contract(mt5: Any) -> str:
    return next(s for s in mt5._double.symbols() if s.startswith("WIN") and "$" not in s)


def make_driver(mt5: Any, name: str = "mt5_brazil", **settings: Any) -> MT5Driver:
    merged = {"server": "Double-B3", "market": "exchange", **FAST, **settings}
    return MT5Driver(name, MT5Settings(**merged), module=mt5)


def win_subscription(mt5: Any) -> Subscription:
    return Subscription(root="WIN", symbol=win_contract(mt5), tick_size=5.0)


@pytest.fixture
def b3() -> Iterator[Any]:
    yield brazil_module()
