"""Settings of the Quantower driver (``driver: quantower``), as a profile's ``settings:`` block gives them.

``connection`` names the Quantower connection the account trades through; its symbols are spelled its way
(Rithmic ``NQZ6``, CQG ``ENQZ26``, dxFeed ``/NQZ26:XCME``) and ``config/symbols.yaml`` spells them for the
instance (entries ``quantower``, ``quantower_cqg``, ``quantower_dxfeed``). ``simulator: true`` marks a development
instance: local stacks start a simulated Quantower (Python, speaking the bridge protocol) beside the adapter.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Connection = Literal["rithmic", "cqg", "dxfeed"]


class QuantowerSettings(BaseModel):
    """How the adapter reaches the NexusGw plug-in inside Quantower."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str = Field(description="Quantower account to trade (its name as Quantower shows it).")
    connection: Connection = Field(
        "rithmic", description="The Quantower connection of the account; picks the symbol spelling checked."
    )
    tif: Literal["DAY", "GTC"] = Field("DAY", description="Time in force of every order.")
    simulator: bool = Field(False, description="Development: local stacks start a simulated Quantower.")
    host: str = Field("127.0.0.1", min_length=1, description="Host of the NexusGw plug-in (the Quantower PC).")
    port: int = Field(9002, ge=1, le=65535, description="TCP port the plug-in listens on (its Port setting).")
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

    @field_validator("account")
    @classmethod
    def _account_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "the Quantower account is empty: set settings.account to the account's name as Quantower shows it "
                "(or NEXUSGW_PLATFORMS__<INSTANCE>__SETTINGS__ACCOUNT)"
            )
        return value.strip()
