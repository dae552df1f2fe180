"""Settings of the NinjaTrader 8 driver (``driver: nt8``), as a profile's ``settings:`` block gives them.

``mode`` picks how orders reach NinjaTrader: ``bridge`` through the NexusBridge AddOn over TCP (market data,
orders, executions; ``docs/bridge-protocol.md``), ``ati`` through the Automated Trading Interface's order
instruction files (orders only: ATI carries no market data). ``simulator: true`` marks a development instance
whose NinjaTrader is simulated; local stacks (``nexusgw demo``, the end-to-end tests) start it beside the adapter.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field

from nexus_gw.adapters.bridge.settings import BridgeLinkSettings


class NT8Settings(BridgeLinkSettings):
    """How the adapter reaches NinjaTrader 8."""

    mode: Literal["bridge", "ati"] = Field(
        "bridge", description="bridge: the NexusBridge AddOn over TCP; ati: ATI order instruction files."
    )
    account: str = Field("Sim101", min_length=1, description="NinjaTrader account to trade (Sim101: its simulator).")
    simulator: bool = Field(False, description="Development: local stacks start a simulated NinjaTrader.")
    # -- bridge
    host: str = Field("127.0.0.1", min_length=1, description="Host of the NexusBridge AddOn (the NinjaTrader PC).")
    port: int = Field(9001, ge=1, le=65535, description="TCP port the AddOn listens on (its Port setting).")
    # -- ati
    ninjatrader_dir: str = Field(
        "",
        description="NinjaTrader's user folder holding incoming/ and outgoing/ (empty: ~/Documents/NinjaTrader 8).",
    )
    ati_poll_interval_s: float = Field(0.1, gt=0, le=10, description="Seconds between reads of outgoing/.")
    ati_consume_timeout_s: float = Field(
        5.0,
        gt=0,
        le=600,
        description="An order file NinjaTrader has not taken this long after it was written is withdrawn and its "
        "leg rejected (is ATI enabled?).",
    )
    ati_answer_timeout_s: float = Field(
        10.0,
        gt=0,
        le=600,
        description="A leg whose file NinjaTrader took but wrote no order state for this long is reported in doubt.",
    )

    def ati_root(self) -> Path:
        """The folder with incoming/ and outgoing/ (a simulated NinjaTrader's is keyed by the port)."""
        if self.ninjatrader_dir:
            return Path(self.ninjatrader_dir).expanduser()
        if self.simulator:
            return simulated_root(self.port)
        return Path.home() / "Documents" / "NinjaTrader 8"


def simulated_root(port: int) -> Path:
    """The folder of the simulated NinjaTrader a local stack started for the instance whose port is ``port``.

    A stack hands each companion a free port; with ATI the port is only the key of the simulator's folder."""
    return Path(tempfile.gettempdir()) / f"nexusgw-nt8-ati-{port}"
