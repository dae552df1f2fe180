"""The ``nt8`` driver in bridge mode passes the driver contract over loopback against the compiled C#: the bridge
harness, and the real AddOn on a simulated NinjaTrader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.nt8.driver import build
from nexus_gw.adapters.nt8.harness import HarnessProcess
from nexus_gw.adapters.nt8.settings import NT8Settings
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import WAIT, DriverContract, Harness, Running, make_order

NQ = "NQ 12-26"


def bridge_settings(port: int, **kw: object) -> NT8Settings:
    defaults: dict[str, object] = {
        "mode": "bridge",
        "port": port,
        "heartbeat_interval_s": 0.5,
        "heartbeat_timeout_s": 3.0,
        "reconnect_initial_s": 0.05,
        "reconnect_max_s": 0.3,
        "settle_s": 0.5,
    }
    return NT8Settings.model_validate({**defaults, **kw})


class BridgeHarness(Harness):
    def __init__(self, plugin: HarnessProcess) -> None:
        self.name = "nt8"
        self.plugin = plugin
        self.subscriptions = [Subscription(root="NQ", symbol=NQ, tick_size=0.25)]

    def make_driver(self) -> PlatformDriver:
        return build(self.name, bridge_settings(self.plugin.port))

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        return make_order(self, leg=leg_id, symbol="ZZZZ 12-26"), r"ZZZZ 12-26.*not (supported|known)"

    def interrupt(self, running: Running) -> Running:
        """The AddOn drops the connection: the driver reconnects by itself and asks for a report."""
        connects = running.events.states.count(True)
        self.plugin.command("drop")
        running.wait(lambda: running.events.states.count(True) > connects, "the reconnect", WAIT)
        return running


class TestNT8BridgeContract(DriverContract):
    """Against the bridge transport with a simulated account (``Harness.cs``)."""

    @pytest.fixture
    def harness(self, harness_exe: Path) -> Iterator[Harness]:
        plugin = HarnessProcess(harness_exe, ["--port", "0"])
        try:
            yield BridgeHarness(plugin)
        finally:
            plugin.stop()


class TestNT8AddOnContract(DriverContract):
    """Against the real NexusBridgeAddOn.cs, run on a simulated NinjaTrader (``addon_host/``)."""

    @pytest.fixture
    def harness(self, addon_exe: Path) -> Iterator[Harness]:
        plugin = HarnessProcess(addon_exe, ["--port", "0"])
        try:
            yield BridgeHarness(plugin)
        finally:
            plugin.stop()
