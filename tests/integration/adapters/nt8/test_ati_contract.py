"""The ``nt8`` driver in ATI mode passes the driver contract against the simulated NinjaTrader's ATI folders.

ATI carries no market data: the tick test checks that none is invented, and the prices the contract needs for
its limit and stop orders come from the simulated NinjaTrader's market instead of the driver's ticks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.nt8.ati_simulator import AtiSimulator, SimulatorConfig
from nexus_gw.adapters.nt8.driver import build
from nexus_gw.adapters.nt8.settings import NT8Settings
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import WAIT, DriverContract, Harness, Running, Tick, make_order

NQ = "NQ 12-26"


def ati_settings(root: Path, **kw: object) -> NT8Settings:
    defaults: dict[str, object] = {
        "mode": "ati",
        "ninjatrader_dir": str(root),
        "ati_poll_interval_s": 0.02,
        "ati_consume_timeout_s": 1.0,
        "ati_answer_timeout_s": 1.0,
    }
    return NT8Settings.model_validate({**defaults, **kw})


class AtiHarness(Harness):
    def __init__(self, root: Path, **config: object) -> None:
        self.name = "nt8"
        self.root = root
        self.subscriptions = [Subscription(root="NQ", symbol=NQ, tick_size=0.25)]
        # fills 0.15 s apart: ATI shows cumulative quantities, so two fills read in one poll would arrive as one
        config = {"fill_interval_s": 0.15, **config}
        self.sim = AtiSimulator(SimulatorConfig(root=root, **config))  # type: ignore[arg-type]
        self.sim.start()

    def make_driver(self) -> PlatformDriver:
        return build(self.name, ati_settings(self.root))

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        return make_order(self, leg=leg_id, symbol="ZZZZ 12-26"), r"NinjaTrader rejected the order"

    def interrupt(self, running: Running) -> Running:
        """The adapter restarts: a new driver reads NinjaTrader's outgoing folder afresh."""
        running.driver.stop()
        after = Running(self.make_driver())
        after.driver.start(after.events)
        after.wait(lambda: after.events.states == [True], "the new driver connected", WAIT)
        return after

    def close(self) -> None:
        self.sim.stop()


class TestNT8AtiContract(DriverContract):
    @pytest.fixture(params=[False, True], ids=["order-id-files", "account-prefixed-files"])
    def harness(self, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Harness]:
        harness = AtiHarness(tmp_path / "NinjaTrader 8", account_prefix=request.param)
        try:
            yield harness
        finally:
            harness.close()

    @staticmethod
    def quote(run: Running, harness: Harness) -> Tick:
        assert isinstance(harness, AtiHarness)
        symbol = harness.subscriptions[0].symbol
        quote = harness.sim.quote(symbol)
        assert quote is not None
        return Tick(symbol, *quote)

    def test_connects_and_streams_ticks_in_the_platforms_symbols(self, running: Running, harness: Harness) -> None:
        """ATI has no market data: connected, and no tick is invented."""
        assert running.events.states == [True]
        running.wait(lambda: True, "a poll")
        assert running.events.ticks == []
