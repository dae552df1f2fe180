"""Settings of the Sierra Chart driver (``driver: sierra``), as a profile's ``settings:`` block gives them.

This is the one settings model of Sierra. The DTC library's ``SessionConfig`` is only the session's parameter
object: ``session_config`` fills it from these settings by field name (no field list to keep in step), and the
defaults of the shared fields are the library's own (``_SESSION`` below), declared once.

The password is never a setting: the driver reads it at start from the environment variable named by
``password_env``. The ``simulator`` flag marks a development instance whose DTC server is the bundled simulator,
which local stacks (``nexusgw demo``, the end-to-end tests) start beside the adapter.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nexus_gw.domain.symbols.templates import template_of

from .dtc.constants import ORDER_ID_LENGTH, TRADE_ACCOUNT_LENGTH, Encoding
from .dtc.settings import SessionConfig

_SESSION = SessionConfig()
"""The DTC library's defaults: the shared settings below default to these."""

DEFAULT_PASSWORD_ENV = "NEXUSGW_SIERRA_PASSWORD"

ENCODINGS: dict[str, Encoding] = {"binary": Encoding.BINARY, "json": Encoding.JSON}


class SierraSettings(BaseModel):
    """How the adapter reaches and uses Sierra Chart's DTC Protocol Server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(_SESSION.host, min_length=1, description="Host of Sierra Chart's DTC server.")
    port: int = Field(
        _SESSION.port,
        ge=1,
        le=65535,
        description="DTC server port (Sierra: Global Settings > Sierra Chart Server Settings).",
    )
    encoding: Literal["binary", "json"] = Field(
        "binary", description="DTC encoding to ask for; Sierra's server Encoding should be Automatic."
    )
    trade_account: str = Field(
        "Sim1",
        max_length=TRADE_ACCOUNT_LENGTH - 1,
        description="Sierra trade account for orders and reconciliation (Sim1 is Sierra's simulated account); "
        "empty uses the first account Sierra lists.",
    )
    exchange: str = Field(
        "",
        max_length=15,
        description="Value of the DTC Exchange field in subscriptions and orders. Leave empty when the symbol "
        "mapping already gives Sierra's full symbol (NQH26, NQH26_FUT_CME); set it (e.g. CME) only for a service "
        "that wants the exchange separately.",
    )
    username: str = Field("", max_length=31, description="DTC username, when Sierra requires credentials.")
    password_env: str = Field(
        DEFAULT_PASSWORD_ENV,
        min_length=1,
        description="Environment variable holding the DTC password, read when the adapter starts.",
    )
    heartbeat_interval_s: int = Field(
        _SESSION.heartbeat_interval_s,
        ge=1,
        le=300,
        description="Seconds between DTC heartbeats; 2x this without data = connection dead.",
    )
    connect_timeout_s: float = Field(
        _SESSION.connect_timeout_s, gt=0, le=120, description="Longest wait for the TCP connection."
    )
    logon_timeout_s: float = Field(
        _SESSION.logon_timeout_s, gt=0, le=120, description="Longest wait for Sierra's logon answer."
    )
    request_timeout_s: float = Field(
        _SESSION.request_timeout_s,
        gt=0,
        le=300,
        description="Longest wait for each reconciliation answer (orders, fills, positions).",
    )
    reconnect_initial_s: float = Field(
        _SESSION.reconnect_initial_s, gt=0, le=300, description="First delay before reconnecting."
    )
    reconnect_max_s: float = Field(
        _SESSION.reconnect_max_s, gt=0, le=3600, description="Longest delay between reconnect attempts."
    )
    fill_history_days: int = Field(
        _SESSION.fill_history_days,
        ge=1,
        le=30,
        description="Days of fills re-reported to the gateway after every (re)connect; the gateway drops repeats.",
    )
    order_map_file: Path | None = Field(
        None,
        description="Obsolete: the adapter's write-ahead store (inflight.sqlite in <data_dir>/adapters/<instance>) "
        "now records every leg and its Sierra ServerOrderID. Still accepted, read and appended to, with a warning "
        "at start; remove the key.",
    )
    client_name: str = Field(
        _SESSION.client_name, max_length=31, description="Client name shown in Sierra's DTC server log."
    )
    symbol_template: str | None = Field(
        None,
        description="How this Sierra install spells a contract (it depends on the data feed): a preset — sierra "
        "(NQZ26_FUT_CME, Sierra's own feed), dash (NQZ26-CME), plain (NQZ26), rithmic (NQZ6.CME) — or a template "
        "such as '{root}{month_code}{yy}_FUT_{exchange}'. Replaces the template of this instance in "
        "config/symbols.yaml. The adapter asks Sierra for every subscribed symbol at logon and refuses to trade "
        "one Sierra does not know, naming the preset that works.",
    )
    simulator: bool = Field(
        False,
        description="Development only: the DTC server is the bundled simulator, which local stacks (nexusgw demo, "
        "the end-to-end tests) start on a free port before this adapter. Never set it for a real Sierra Chart.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_password_in_files(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(
                "password must not be written in a settings file; remove it and put the password in the "
                f"environment variable named by password_env (default {DEFAULT_PASSWORD_ENV})"
            )
        return data

    @model_validator(mode="after")
    def _check_symbol_template(self) -> SierraSettings:
        if self.symbol_template:
            template_of(self.symbol_template)  # ValueError naming the presets
        return self

    @model_validator(mode="after")
    def _check_backoff(self) -> SierraSettings:
        if self.reconnect_max_s < self.reconnect_initial_s:
            raise ValueError(
                f"reconnect_max_s ({self.reconnect_max_s}) is below reconnect_initial_s ({self.reconnect_initial_s}); "
                "raise reconnect_max_s or lower reconnect_initial_s"
            )
        return self

    def session_config(self, password: str) -> SessionConfig:
        """The DTC session parameters for these settings and ``password`` (from the environment).

        Every setting whose name is a ``SessionConfig`` field goes to the session as it is; ``encoding`` is mapped
        to the library's enumeration; the rest (``password_env``, ``order_map_file``, ``simulator``,
        ``symbol_template``) is the driver's own."""
        shared = SESSION_FIELDS & set(type(self).model_fields)
        values = {name: getattr(self, name) for name in shared}
        values["encoding"] = ENCODINGS[self.encoding]
        return SessionConfig(password=password, **values)


SESSION_FIELDS: frozenset[str] = frozenset(f.name for f in dataclasses.fields(SessionConfig))
"""The names the DTC session takes; a setting of the same name is handed to it."""

DRIVER_ONLY_FIELDS: frozenset[str] = frozenset({"password_env", "order_map_file", "simulator", "symbol_template"})
"""Settings the driver uses itself; every other setting is a session parameter."""


MAX_CLIENT_ORDER_ID_BYTES = ORDER_ID_LENGTH - 1
"""Longest ClientOrderID DTC carries; the driver sends the gateway's leg id there."""
