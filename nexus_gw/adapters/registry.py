"""The explicit registry of platform drivers: name → driver class, settings model and development companion.

Profiles name a driver per platform instance; an unknown name is a config error listing the valid ones.
Imports are by dotted path so loading a profile never imports a platform's heavy dependencies.

A driver may declare a **development companion**: a process that stands in for the platform on a developer's
machine (the DTC simulator for ``sierra``). Local stacks (``nexusgw demo``, the end-to-end tests) start it for
every instance whose settings set the companion's flag, on a free port, before the adapter; they know it only
from here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from nexus_gw.errors import ConfigError, PlatformUnavailable


@dataclass(frozen=True)
class Companion:
    """A process standing in for the platform during development, started by local stacks.

    It runs as ``python -m <module> --platform NAME --port PORT --state-file PATH <args…> --profile P
    --config-dir D``, prints ``ready_line`` once it accepts connections, and the stack points the adapter at it by
    overriding the driver setting ``port_setting`` with the port.
    """

    module: str
    wanted_if: str
    """Driver setting (a boolean) that asks for the companion, e.g. ``simulator``."""
    suffix: str
    """Process and log name: ``<platform>-<suffix>``."""
    ready_line: bytes
    port_setting: str = "port"
    args: tuple[str, ...] = ()
    """Arguments before the caller's (the caller's win where the companion takes the last value)."""

    def wanted(self, settings: dict[str, Any]) -> bool:
        return bool(settings.get(self.wanted_if))


@dataclass(frozen=True)
class DriverSpec:
    settings_model: str
    driver_class: str | None
    missing_reason: str = ""
    companion: Companion | None = None
    started_by_platform: bool = False
    """The platform starts the adapter itself (Bookmap runs its addon script): process managers leave it out."""


DRIVERS: dict[str, DriverSpec] = {
    "sim": DriverSpec("nexus_gw.adapters.sim.config:SimSettings", "nexus_gw.adapters.sim.driver:SimDriver"),
    "mt5": DriverSpec(
        "nexus_gw.adapters.mt5.settings:MT5Settings",
        "nexus_gw.adapters.mt5.driver:MT5Driver",
        companion=Companion(
            "nexus_gw.adapters.mt5.companion", wanted_if="double", suffix="mt5", ready_line=b"listening on"
        ),
    ),
    "bookmap": DriverSpec(
        "nexus_gw.adapters.bookmap.settings:BookmapSettings",
        "nexus_gw.adapters.bookmap.driver:BookmapDriver",
        companion=Companion(
            "nexus_gw.adapters.bookmap.companion",
            wanted_if="fake",
            suffix="fake",
            ready_line=b"fake Bookmap listening on",
        ),
        started_by_platform=True,
    ),
    "nt8": DriverSpec(
        "nexus_gw.adapters.nt8.settings:NT8Settings",
        "nexus_gw.adapters.nt8.driver:build",
        companion=Companion(
            "nexus_gw.adapters.nt8.companion", wanted_if="simulator", suffix="ninjatrader", ready_line=b"listening on"
        ),
    ),
    "quantower": DriverSpec(
        "nexus_gw.adapters.quantower.settings:QuantowerSettings",
        "nexus_gw.adapters.quantower.driver:QuantowerDriver",
        companion=Companion(
            "nexus_gw.adapters.quantower.companion",
            wanted_if="simulator",
            suffix="simulator",
            ready_line=b"simulated Quantower listening on",
        ),
    ),
    "sierra": DriverSpec(
        "nexus_gw.adapters.sierra.settings:SierraSettings",
        "nexus_gw.adapters.sierra.driver:SierraDriver",
        companion=Companion(
            "nexus_gw.adapters.sierra.simulator.profile",
            wanted_if="simulator",
            suffix="dtc",
            ready_line=b"DTC simulator listening on",
            args=("--encoding", "automatic"),
        ),
    ),
}


def _load(dotted: str) -> Any:
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def settings_model(driver: str) -> type[BaseModel]:
    spec = DRIVERS.get(driver)
    if spec is None:
        raise ValueError(f"unknown driver {driver!r}; valid drivers: {', '.join(sorted(DRIVERS))}")
    model: type[BaseModel] = _load(spec.settings_model)
    return model


def validate_driver_settings(driver: str, settings: dict[str, Any]) -> BaseModel:
    """Validate an instance's ``settings:`` with its driver's model (raises ValueError for pydantic)."""
    model = settings_model(driver)
    try:
        return model.model_validate(settings)
    except ValidationError as exc:
        details = "; ".join(f"settings.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{driver} driver settings: {details}") from None


def companion(driver: str, settings: dict[str, Any]) -> Companion | None:
    """The development companion an instance of ``driver`` with these settings asks for, if any."""
    spec = DRIVERS.get(driver)
    if spec is None or spec.companion is None or not spec.companion.wanted(settings):
        return None
    return spec.companion


def build_driver(driver: str, instance_name: str, settings: dict[str, Any], paper: bool = False) -> Any:
    """Instantiate the driver for a platform instance."""
    spec = DRIVERS.get(driver)
    if spec is None:
        raise ConfigError(f"unknown driver {driver!r}; valid drivers: {', '.join(sorted(DRIVERS))}")
    if spec.driver_class is None:
        raise PlatformUnavailable(f"platform {instance_name}: {spec.missing_reason}")
    cls = _load(spec.driver_class)
    return cls(instance_name, validate_driver_settings(driver, settings), paper=paper)


def started_by_platform(driver: str, settings: dict[str, Any]) -> bool:
    """True when the platform itself starts this instance's adapter, so supervisor and systemd must not (a
    development companion standing in for the platform does not start it: then the stack runs it)."""
    spec = DRIVERS.get(driver)
    if spec is None or not spec.started_by_platform:
        return False
    return not (spec.companion is not None and spec.companion.wanted(settings))
