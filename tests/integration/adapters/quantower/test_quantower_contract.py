"""The ``quantower`` driver passes the driver contract over loopback: against the simulated Quantower (the dev
companion, Python) and against the compiled C# bridge transport and codec the plug-in is built on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.nt8.harness import HarnessProcess
from nexus_gw.adapters.quantower.driver import QuantowerDriver
from nexus_gw.adapters.quantower.settings import QuantowerSettings
from nexus_gw.adapters.quantower.simulator import SimulatedQuantower
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import WAIT, DriverContract, Harness, Running, make_order
from .conftest import ACCOUNT, NQ


def settings(port: int, **kw: Any) -> QuantowerSettings:
    defaults: dict[str, Any] = {
        "account": ACCOUNT,
        "port": port,
        "heartbeat_interval_s": 0.5,
        "heartbeat_timeout_s": 3.0,
        "reconnect_initial_s": 0.05,
        "reconnect_max_s": 0.3,
        "settle_s": 0.5,
    }
    return QuantowerSettings.model_validate({**defaults, **kw})


class QuantowerHarness(Harness):
    def __init__(self, port: int, drop: Any, refusal: str) -> None:
        self.name = "quantower"
        self.port = port
        self._drop = drop
        self._refusal = refusal
        self.subscriptions = [Subscription(root="NQ", symbol=NQ, tick_size=0.25)]

    def make_driver(self) -> PlatformDriver:
        return QuantowerDriver(self.name, settings(self.port))

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        return make_order(self, leg=leg_id, symbol="ZZZZ6"), self._refusal

    def interrupt(self, running: Running) -> Running:
        """The plug-in drops the connection (Quantower restarted): the driver reconnects and asks for a report."""
        connects = running.events.states.count(True)
        self._drop()
        running.wait(lambda: running.events.states.count(True) > connects, "the reconnect", WAIT)
        return running


class TestQuantowerSimulatorContract(DriverContract):
    """Against the simulated Quantower (``nexus_gw/adapters/quantower/simulator.py``), the dev companion."""

    @pytest.fixture
    def harness(self, simulator: SimulatedQuantower) -> Iterator[Harness]:
        yield QuantowerHarness(simulator.port, simulator.drop, r"ZZZZ6.*not known to the connection")


class TestQuantowerCompiledTransportContract(DriverContract):
    """Against the plug-in's compiled C# transport and codec (``adapters/nt8/Bridge*.cs``) on a simulated account."""

    @pytest.fixture
    def harness(self, harness_exe: Path) -> Iterator[Harness]:
        plugin = HarnessProcess(
            harness_exe, ["--port", "0", "--account", ACCOUNT, "--instruments", "NQZ6=21000,ESZ6=6000"]
        )
        try:
            yield QuantowerHarness(plugin.port, lambda: plugin.command("drop"), r"ZZZZ6.*not supported")
        finally:
            plugin.stop()
