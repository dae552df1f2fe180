"""Settings of one MetaTrader 5 instance (``driver: mt5``), as a profile's ``settings:`` block gives them.

The password is never a setting: ``password_env`` names the environment variable holding it, one per instance
(default ``NEXUSGW_<INSTANCE>_PASSWORD``, e.g. ``NEXUSGW_MT5_GLOBAL_PASSWORD``), read when the driver starts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class MT5Settings(BaseModel):
    """How the driver reaches one MT5 terminal and account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["local", "remote"] = Field(
        "local",
        description="local: the MetaTrader5 package beside the terminal (Windows); remote: an rpyc classic server "
        "(mt5linux, Wine Python) at host:port.",
    )
    server: str = Field(description="Broker server name exactly as shown in the MT5 login dialog (e.g. 'Broker-Demo').")
    login: int | None = Field(None, description="Account number; None: the account the terminal is logged in to.")
    password_env: str = Field(
        "",
        description="Environment variable holding this account's password; empty: NEXUSGW_<INSTANCE>_PASSWORD.",
    )
    terminal_path: str = Field("", description="Path of terminal64.exe when several terminals are installed.")
    host: str = Field("127.0.0.1", description="remote: host of the rpyc classic server (keep it on localhost).")
    port: int = Field(18812, ge=1, le=65535, description="remote: port of the rpyc classic server.")
    remote_module: str = Field("MetaTrader5", description="remote: the module the server imports for the API.")
    double: bool = Field(
        False,
        description="Development only: local stacks start the MetaTrader5 double's rpyc server for this instance "
        "and point port at it (use with backend: remote).",
    )
    market: Literal["cfd", "exchange"] = Field(
        "cfd", description="cfd: a CFD/forex broker (sized per root); exchange: B3 or another exchange (contracts)."
    )
    magic: int = Field(
        240_611, ge=0, le=2**31 - 1, description="Magic number on every order; one per instance and account."
    )
    deviation_points: int = Field(10, ge=0, le=100_000, description="Largest slippage in points (Instant/Request).")
    symbols: dict[str, str] = Field(
        default_factory=dict, description="Gateway symbol → broker symbol when the broker spells it differently."
    )
    max_retries: int = Field(3, ge=0, le=10, description="Resends after a requote, price change or off quotes.")
    timeout_ms: int = Field(60_000, ge=1000, le=600_000, description="initialize() timeout.")
    poll_interval_s: float = Field(0.05, gt=0, le=5, description="Seconds between polls of ticks and deals.")
    stale_after_s: float = Field(30.0, gt=0, description="No new tick for this long: the feed is reported stale.")
    history_days: int = Field(3, ge=1, le=60, description="Days of deal history read for fills and reconciliation.")
    in_doubt_grace_s: float = Field(
        10.0,
        ge=1,
        le=600,
        description="Seconds after a send whose answer was lost before MT5's orders and history are taken as "
        "complete for it: a leg MT5 then lists nowhere is rejected as never received.",
    )
    reconnect_initial_s: float = Field(0.25, gt=0, le=300, description="First delay before reconnecting.")
    reconnect_max_s: float = Field(10.0, gt=0, le=3600, description="Longest delay between reconnect attempts.")

    @field_validator("server")
    @classmethod
    def _server_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "the broker's server name is empty: set settings.server to the name in the MT5 login dialog "
                "(or NEXUSGW_PLATFORMS__<INSTANCE>__SETTINGS__SERVER)"
            )
        return value.strip()

    def password_variable(self, instance: str) -> str:
        """The environment variable holding this instance's password."""
        return self.password_env or f"NEXUSGW_{instance.upper()}_PASSWORD"
