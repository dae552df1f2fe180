"""The link settings every bridge driver shares (NT8's AddOn, Quantower's plug-in): heartbeats, reconnects and
how long a leg lost in a disconnect is waited for. Each driver's settings model adds its own host, port,
account and defaults on top."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class BridgeLinkSettings(BaseModel):
    """How the adapter keeps its TCP link to a platform plug-in speaking the bridge protocol."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tif: Literal["DAY", "GTC"] = Field("DAY", description="Time in force of every order.")
    heartbeat_interval_s: float = Field(2.0, gt=0, le=60, description="Seconds between heartbeats to the plug-in.")
    heartbeat_timeout_s: float = Field(
        6.0, gt=0, le=300, description="The plug-in silent this long is taken for dead; the adapter reconnects."
    )
    connect_timeout_s: float = Field(2.0, gt=0, le=60, description="Longest wait for the TCP connection.")
    reconnect_initial_s: float = Field(0.25, gt=0, le=60, description="First delay before reconnecting.")
    reconnect_max_s: float = Field(5.0, gt=0, le=600, description="Longest delay between reconnect attempts.")
    settle_s: float = Field(
        3.0,
        gt=0,
        le=600,
        description="A leg sent just before a disconnect and missing from the plug-in's orders after the reconnect "
        "is asked about again this much later; still missing, it is rejected (never sent again).",
    )
