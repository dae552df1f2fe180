"""The ``sim`` driver passes the driver contract (``contract.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.driver import SimDriver
from nexus_gw.protocol.messages import Order, Subscription

from .contract import DriverContract, Harness, Running, make_order


class SimHarness(Harness):
    def __init__(self, tmp_path: Path) -> None:
        self.name = "nt8"
        self.subscriptions = [Subscription(root="NQ", symbol="NQ 03-25", tick_size=0.25)]
        self.settings = SimSettings(
            tick_interval_ms=20, fill_latency_ms=5, fills_per_order=2, seed=3, state_file=tmp_path / "sim-state.json"
        )

    def make_driver(self) -> PlatformDriver:
        return SimDriver(self.name, self.settings)

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        return make_order(self, leg=leg_id, symbol="ZZ 03-25"), r"unknown symbol ZZ 03-25"

    def interrupt(self, running: Running) -> Running:
        """The adapter dies and starts again: the simulated exchange keeps its record (the state file)."""
        running.driver.stop()
        after = Running(self.make_driver())
        after.driver.start(after.events)
        after.driver.subscribe(list(self.subscriptions))
        return after


class TestSimContract(DriverContract):
    @pytest.fixture
    def harness(self, tmp_path: Path) -> Iterator[Harness]:
        yield SimHarness(tmp_path)
