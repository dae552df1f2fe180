"""Settings of the Quantower driver (``driver: quantower``), as a profile's ``settings:`` block gives them.

``connection`` names the Quantower connection the account trades through; its symbols are spelled its way
(Rithmic ``NQZ6``, CQG ``ENQZ26``, dxFeed ``/NQZ26:XCME``) and ``config/symbols.yaml`` spells them for the
instance (entries ``quantower``, ``quantower_cqg``, ``quantower_dxfeed``). ``simulator: true`` marks a development
instance: local stacks start a simulated Quantower (Python, speaking the bridge protocol) beside the adapter.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from nexus_gw.adapters.bridge.settings import BridgeLinkSettings

Connection = Literal["rithmic", "cqg", "dxfeed"]


class QuantowerSettings(BridgeLinkSettings):
    """How the adapter reaches the NexusGw plug-in inside Quantower."""

    account: str = Field(description="Quantower account to trade (its name as Quantower shows it).")
    connection: Connection = Field(
        "rithmic", description="The Quantower connection of the account; picks the symbol spelling checked."
    )
    simulator: bool = Field(False, description="Development: local stacks start a simulated Quantower.")
    host: str = Field("127.0.0.1", min_length=1, description="Host of the NexusGw plug-in (the Quantower PC).")
    port: int = Field(9002, ge=1, le=65535, description="TCP port the plug-in listens on (its Port setting).")

    @field_validator("account")
    @classmethod
    def _account_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "the Quantower account is empty: set settings.account to the account's name as Quantower shows it "
                "(or NEXUSGW_PLATFORMS__<INSTANCE>__SETTINGS__ACCOUNT)"
            )
        return value.strip()
