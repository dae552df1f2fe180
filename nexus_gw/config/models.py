"""The validated shape of a profile: the base gateway config, then the profile's own keys on top.

Every model refuses unknown keys and is frozen. Each field's ``description`` is its documentation
(``nexusgw profile show --explain`` and docs/configuration.md are built from them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from nexus_gw.config.monitoring import AlertsConfig, MonitoringConfig
from nexus_gw.domain.fx import FxSettings
from nexus_gw.domain.risk.config import RiskConfig


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _is_loopback_endpoint(endpoint: str) -> bool:
    parsed = urlparse(endpoint)
    if parsed.scheme != "tcp":
        return parsed.scheme in ("ipc", "inproc")
    host = (parsed.hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SocketsConfig(StrictModel):
    platform: str = Field("tcp://127.0.0.1:5555", description="Where adapters connect (ROUTER).")
    nexus: str = Field("tcp://127.0.0.1:5556", description="Where signal engines connect (ROUTER).")
    admin: str = Field("tcp://127.0.0.1:5557", description="Where nexusgw status/killswitch connect.")

    @field_validator("platform", "nexus", "admin")
    @classmethod
    def _check_endpoint(cls, value: str) -> str:
        if not value.startswith(("tcp://", "ipc://", "inproc://")):
            raise ValueError(f"{value!r} is not a ZeroMQ endpoint; use tcp://127.0.0.1:PORT")
        return value

    def exposed(self) -> list[str]:
        """The endpoints that are not loopback (reachable from other hosts)."""
        return [ep for ep in (self.platform, self.nexus, self.admin) if not _is_loopback_endpoint(ep)]


def _check_key_ref(value: str | None, secret: bool, where: str) -> None:
    if value is None:
        return
    if not value.strip():
        raise ValueError(f"{where} is empty; give a key file path or env:VAR, or leave it out")
    if value.startswith("env:") and not value[4:]:
        raise ValueError(f"{where}: env: needs a variable name, e.g. env:NEXUSGW_GATEWAY_SECRET")
    if secret and len(value) == 40 and not value.startswith("env:") and "/" not in value and "\\" not in value:
        raise ValueError(
            f"{where} looks like a key itself; a secret key never goes in the profile: put it in a key file "
            "(chmod 600) or an environment variable and write its path or env:VAR"
        )


class AllowLists(StrictModel):
    platform: list[str] = Field(default_factory=list, description="Public keys of the adapters admitted.")
    nexus: list[str] = Field(default_factory=list, description="Public keys of the signal engines admitted.")
    admin: list[str] = Field(
        default_factory=list, description="Public keys of the admin clients (status, kill switch, trading state)."
    )


class SecurityConfig(StrictModel):
    """CURVE keys (docs/deployment.md). Each key is a key file path (relative to the config directory) or env:VAR
    holding the 40-character Z85 key; a public key may also be written as itself, a secret key never."""

    server_secret_key: str | None = Field(
        None,
        description="The gateway's secret key; set = CURVE on all three sockets, each admitting only its allow-list.",
    )
    server_public_key: str | None = Field(None, description="The gateway's public key, for clients of this profile.")
    client_secret_key: str | None = Field(
        None, description="This host's adapters' secret key (with server_public_key: adapters connect with CURVE)."
    )
    admin_secret_key: str | None = Field(
        None, description="The admin client's secret key (nexusgw status/killswitch with CURVE)."
    )
    allow: AllowLists = Field(
        default_factory=AllowLists,
        description="Per socket: public keys, .key files or directories of .key files admitted there.",
    )

    @property
    def curve(self) -> bool:
        """True when the gateway serves CURVE."""
        return self.server_secret_key is not None

    @property
    def client_keys(self) -> bool:
        """True when this profile's adapters connect with CURVE."""
        return self.client_secret_key is not None and self.server_public_key is not None

    @model_validator(mode="after")
    def _check_keys(self) -> SecurityConfig:
        for name in ("server_secret_key", "client_secret_key", "admin_secret_key"):
            _check_key_ref(getattr(self, name), True, f"gateway.security.{name}")
        _check_key_ref(self.server_public_key, False, "gateway.security.server_public_key")
        if self.curve:
            empty = [name for name in ("platform", "nexus", "admin") if not getattr(self.allow, name)]
            if empty:
                raise ValueError(
                    f"gateway.security.allow.{empty[0]} is empty: with CURVE on, nobody could connect to the "
                    f"{empty[0]} socket; list the public keys (or a directory of .key files) of its clients "
                    "(`nexusgw keys generate --name NAME` writes a key pair)"
                )
        return self


class ClockConfig(StrictModel):
    start: AwareDatetime | None = Field(
        None, description="Run on a simulated clock starting here (rehearsals, tests); unset = the real clock."
    )
    speed: float = Field(1.0, gt=0, description="Simulated clock speed relative to real time.")


class GatewayConfig(StrictModel):
    name: str = Field("nexusgw", description="Name reported to peers and in status.")
    sockets: SocketsConfig = Field(default_factory=SocketsConfig, description="Socket endpoints.")
    heartbeat_interval_s: float = Field(1.0, gt=0, le=60, description="Seconds between heartbeats in both directions.")
    heartbeat_liveness: int = Field(
        3, ge=2, le=20, description="Missed heartbeats after which a peer is marked offline."
    )
    data_dir: Path = Field(
        Path("."),
        description="Directory for the journal and state files; a relative path is under the data directory "
        "($STATE_DIRECTORY, /var/lib/nexusgw as root, else ~/.local/share/nexusgw or %LOCALAPPDATA%\\nexusgw).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log verbosity.")
    clock: ClockConfig = Field(default_factory=ClockConfig, description="Real or simulated clock.")
    security: SecurityConfig = Field(default_factory=SecurityConfig, description="CURVE keys and allow-lists.")

    @model_validator(mode="after")
    def _check_exposure(self) -> GatewayConfig:
        exposed = self.sockets.exposed()
        if exposed and not (self.security.curve or self.security.client_keys):
            raise ValueError(
                f"{exposed[0]} is not a loopback address, and an exposed gateway needs CURVE keys, which are not "
                "configured: on the gateway's host set gateway.security.server_secret_key and the allow-lists, on "
                "an adapter's host client_secret_key and server_public_key (docs/deployment.md); or bind "
                "tcp://127.0.0.1:PORT"
            )
        return self


class ReferenceFiles(StrictModel):
    instruments: Path = Field(Path("instruments.yaml"), description="Instrument specs, relative to config dir.")
    symbols: Path = Field(Path("symbols.yaml"), description="Symbol mappings, relative to config dir.")


class TradingConfig(StrictModel):
    default_qty: float = Field(1.0, gt=0, description="Quantity when a signal gives none.")
    one_order_per_symbol: bool = Field(
        True, description="Refuse a new signal for a root while an order for it is working."
    )
    order_timeout_s: float = Field(
        60.0,
        gt=0,
        description="An order still working after this long raises an alert and is queried at its "
        "platforms (they answer with a report the gateway reconciles).",
    )
    signal_mode: Literal["order", "target"] = Field(
        "order",
        description="order: a signal buys or sells qty; target: a signal is the position to hold (sign × qty, "
        "0 = flat) and the gateway sends the difference, reversing through flat.",
    )
    roll_positions: Literal["report", "auto"] = Field(
        "report",
        description="At a contract roll: only report positions left in the expiring contract, or roll them "
        "automatically as a linked close-old/open-new pair on each platform.",
    )
    finished_order_retention_s: float = Field(
        600.0,
        ge=0,
        description="Finished orders stay in the gateway's memory this long, then live on in the journal only "
        "(a resent client id is still answered from the journal).",
    )
    max_finished_orders: int = Field(
        10_000, ge=0, description="At most this many finished orders in memory; the oldest are dropped first."
    )


class PlatformSizing(StrictModel):
    """How one signal contract becomes this platform's quantity (exposure-equivalent legs)."""

    multiplier: float = Field(
        1.0, gt=0, description="Platform units per contract of the root (e.g. 20 NAS100 lots at $1/pt per NQ)."
    )
    volume_step: float = Field(1.0, gt=0, description="Smallest quantity step the platform accepts.")
    min_volume: float = Field(0.0, ge=0, description="Below this the platform gets no leg (never rounded up).")
    max_volume: float | None = Field(None, gt=0, description="Above this the leg is cut to the largest step under it.")


SettingsCheck = Callable[[str, dict[str, Any]], object]
"""Validates a platform instance's driver settings by its driver name (raises ValueError with what is wrong).

The configuration knows no driver: the caller that loads a profile passes the adapters' registry check
(``nexus_gw.adapters.registry.validate_driver_settings``) to ``load_profile(..., check_settings=...)``."""

_settings_check: ContextVar[SettingsCheck | None] = ContextVar("nexusgw_settings_check", default=None)


@contextmanager
def checking_driver_settings(check: SettingsCheck | None) -> Iterator[None]:
    """Within the block, every ``PlatformInstance`` validated has its driver settings checked by ``check``."""
    token = _settings_check.set(check)
    try:
        yield
    finally:
        _settings_check.reset(token)


class PlatformInstance(StrictModel):
    driver: str = Field(description="Driver that runs this platform instance (sim, sierra, mt5, nt8, …).")
    enabled: bool = Field(True, description="A disabled instance gets no legs and no adapter process.")
    paper: bool = Field(False, description="Orders fill in the gateway's simulator against live prices.")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Driver-specific settings, validated by the driver's own model."
    )
    sizing: dict[str, PlatformSizing] = Field(
        default_factory=dict,
        description="Per root (or '*' for every root): multiplier, volume step, min and max volume.",
    )

    def sizing_for(self, root: str) -> PlatformSizing:
        return self.sizing.get(root) or self.sizing.get("*") or PlatformSizing()

    @model_validator(mode="after")
    def _check_driver_settings(self) -> PlatformInstance:
        check = _settings_check.get()
        if check is not None:
            check(self.driver, self.settings)
        return self


class Profile(BaseSettings):
    """A complete, validated profile. Environment variables ``NEXUSGW_<SECTION>__<KEY>`` override files."""

    model_config = SettingsConfigDict(env_prefix="NEXUSGW_", env_nested_delimiter="__", extra="forbid", frozen=True)

    name: str = Field(description="Profile name (the file name without .yaml).")
    description: str = Field("", description="What this profile is for.")
    gateway: GatewayConfig = Field(default_factory=GatewayConfig, description="Gateway process settings.")
    reference: ReferenceFiles = Field(default_factory=ReferenceFiles, description="Reference data files.")
    symbols: list[str] = Field(description="Roots the gateway trades and streams, e.g. [NQ, ES].")
    platforms: dict[str, PlatformInstance] = Field(description="Platform instances by name.")
    trading: TradingConfig = Field(default_factory=TradingConfig, description="Order handling.")
    risk: RiskConfig = Field(default_factory=RiskConfig, description="Pre-trade limits and safeguards.")
    fx: FxSettings = Field(default_factory=FxSettings, description="FX rate ages and configured rates.")
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig, description="The metrics endpoint.")
    alerts: AlertsConfig = Field(default_factory=AlertsConfig, description="Alert rules and where alerts go.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings, file_secret_settings)

    @model_validator(mode="after")
    def _check_symbols_not_empty(self) -> Profile:
        if not self.symbols:
            raise ValueError("symbols is empty; list the roots to trade, e.g. symbols: [NQ]")
        if not any(p.enabled for p in self.platforms.values()):
            raise ValueError("no enabled platform; enable at least one under platforms:")
        return self

    def enabled_platforms(self) -> dict[str, PlatformInstance]:
        return {name: p for name, p in self.platforms.items() if p.enabled}
