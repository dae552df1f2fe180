"""Settings of one Bookmap instance (``driver: bookmap``), as a profile's ``settings:`` block gives them.

Bookmap is the server: it starts the addon script with the port of its RPC socket as the only argument
(``adapters/bookmap/nexusgw_addon.py``), and the ``bookmap`` package connects to ``127.0.0.1:<port>``. The
addon script puts that port into ``port``; ``nexusgw adapter bookmap`` uses the profile's (the dev profile's
fake Bookmap, started by local stacks when ``fake: true``, on a free port).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class BookmapSettings(BaseModel):
    """How the driver reaches Bookmap's RPC socket and trades there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port of Bookmap's RPC socket on 127.0.0.1 (the addon script passes Bookmap's own; 0: not set).",
    )
    fake: bool = Field(
        False,
        description="Development only: local stacks start the fake Bookmap (nexus_gw.adapters.bookmap.fake) for "
        "this instance and point port at it.",
    )
    symbols: dict[str, str] = Field(
        default_factory=dict,
        description="Gateway symbol → Bookmap alias when Bookmap spells it differently (e.g. another provider).",
    )
    duration: Literal["GTC", "DAY", "IOC", "FOK"] = Field(
        "GTC", description="Time in force of limit and stop orders (market orders use Bookmap's default)."
    )
    ack_timeout_s: float = Field(
        10.0,
        gt=0,
        le=600,
        description="No answer from Bookmap to an order for this long: the connection is dropped and the order "
        "settled from Bookmap's order list after the reconnect (Bookmap stops reading an addon that sent it a "
        "malformed message).",
    )
    poll_interval_s: float = Field(0.02, gt=0, le=5, description="Seconds between polls of Bookmap's events.")
    reconnect_initial_s: float = Field(0.25, gt=0, le=300, description="First delay before reconnecting.")
    reconnect_max_s: float = Field(5.0, gt=0, le=3600, description="Longest delay between reconnect attempts.")
