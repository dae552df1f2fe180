"""The ``sierra`` driver passes the driver contract (``contract.py``) against the DTC simulator over loopback TCP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.settings import SierraSettings
from nexus_gw.adapters.sierra.simulator import DtcSimulator, SimulatorConfig
from nexus_gw.protocol.messages import Order, Subscription

from .contract import WAIT, DriverContract, Harness, Running, make_order

NQ = "NQH25"


class SierraHarness(Harness):
    def __init__(self, encoding: str) -> None:
        self.name = "sierra"
        self.subscriptions = [Subscription(root="NQ", symbol=NQ, tick_size=0.25)]
        self.encoding = encoding
        self.sim = DtcSimulator(
            SimulatorConfig(
                symbols={NQ: 21000.0, "ESH25": 6000.0},
                updates_per_second=20.0,
                fill_latency_s=0.02,
                fill_interval_s=0.02,
                partial_fill_slices=2,
                seed=11,
            )
        )
        self.sim.start()

    def make_driver(self) -> PlatformDriver:
        settings = SierraSettings(
            port=self.sim.port,
            encoding=self.encoding,  # type: ignore[arg-type]
            heartbeat_interval_s=1,
            connect_timeout_s=1.0,
            logon_timeout_s=2.0,
            request_timeout_s=2.0,
            reconnect_initial_s=0.05,
            reconnect_max_s=0.3,
        )
        return SierraDriver(self.name, settings)

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        return make_order(self, leg=leg_id, symbol="ZZZZ99"), r"ZZZZ99.*not known to the simulator"

    def interrupt(self, running: Running) -> Running:
        """A network drop without LOGOFF: the driver reconnects by itself and reconciles."""
        connects = running.events.states.count(True)
        self.sim.drop_clients()
        running.wait(lambda: running.events.states.count(True) > connects, "the reconnect", WAIT)
        return running

    def close(self) -> None:
        self.sim.stop()


class TestSierraContract(DriverContract):
    @pytest.fixture(params=["binary", "json"])
    def harness(self, request: pytest.FixtureRequest) -> Iterator[Harness]:
        harness = SierraHarness(str(request.param))
        try:
            yield harness
        finally:
            harness.close()
