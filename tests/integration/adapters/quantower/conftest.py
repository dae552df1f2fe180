"""Quantower stand-ins: the simulated Quantower (Python) and the compiled C# bridge harness (the NT8 fixtures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus_gw.adapters.quantower.simulator import Market, SimulatedQuantower
from tests.integration.adapters.nt8.conftest import harness_exe

__all__ = ["harness_exe", "simulator"]

ACCOUNT = "SIM-NEXUS"
NQ, ES = "NQZ6", "ESZ6"


@pytest.fixture
def simulator() -> Iterator[SimulatedQuantower]:
    sim = SimulatedQuantower({NQ: Market(0.25, 21000.0), ES: Market(0.25, 6000.0)}, ACCOUNT).start()
    try:
        yield sim
    finally:
        sim.stop()
