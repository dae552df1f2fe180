"""The MT5 driver passes the driver contract against the MetaTrader5 double (a B3 account: whole contracts,
exchange execution, at most one contract filled per request or tick, so every order of 2 fills in parts)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.protocol.messages import Order

from ..contract import WAIT, DriverContract, Harness, Running, make_order
from .conftest import brazil_module, make_driver, win_subscription


class MT5Harness(Harness):
    def __init__(self) -> None:
        self.name = "mt5_brazil"
        self.mt5 = brazil_module()
        self.subscriptions = [win_subscription(self.mt5)]
        self.mt5._double.set_liquidity(self.subscriptions[0].symbol, 1.0)

    def make_driver(self) -> PlatformDriver:
        return make_driver(self.mt5)

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        self.mt5._double.force_retcodes(10019)
        return make_order(self, leg=leg_id), r"10019 NO_MONEY"

    def interrupt(self, running: Running) -> Running:
        """The terminal process goes away and comes back: the driver reconnects on its own."""
        connects = running.events.states.count(True)
        self.mt5._double.terminal_gone()
        running.wait(lambda: running.events.states and running.events.states[-1] is False, "the loss noticed", WAIT)
        self.mt5._double.terminal_back()
        running.wait(lambda: running.events.states.count(True) > connects, "the reconnect", WAIT)
        return running


class TestMT5Contract(DriverContract):
    @pytest.fixture
    def harness(self) -> Iterator[Harness]:
        yield MT5Harness()
