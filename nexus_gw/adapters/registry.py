"""The explicit registry of platform drivers: name → driver class and settings model.

Profiles name a driver per platform instance; an unknown name is a config error listing the valid ones.
Imports are by dotted path so loading a profile never imports a platform's heavy dependencies.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from nexus_gw.errors import ConfigError, PlatformUnavailable


@dataclass(frozen=True)
class DriverSpec:
    settings_model: str
    driver_class: str | None
    missing_reason: str = ""


DRIVERS: dict[str, DriverSpec] = {
    "sim": DriverSpec("nexus_gw.adapters.sim.config:SimSettings", "nexus_gw.adapters.sim.driver:SimDriver"),
    "mt5": DriverSpec(
        "nexus_gw.adapters.pending:MT5Settings",
        None,
        "the MetaTrader 5 driver is not part of this release yet; run the instance with driver: sim and "
        "paper: true, or use a release that ships it",
    ),
    "nt8": DriverSpec(
        "nexus_gw.adapters.pending:NT8Settings",
        None,
        "the NinjaTrader 8 bridge driver is not part of this release yet; run the instance with driver: sim",
    ),
    "sierra": DriverSpec(
        "nexus_gw.adapters.sierra.settings:SierraSettings", "nexus_gw.adapters.sierra.driver:SierraDriver"
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


def build_driver(driver: str, instance_name: str, settings: dict[str, Any], paper: bool = False) -> Any:
    """Instantiate the driver for a platform instance."""
    spec = DRIVERS.get(driver)
    if spec is None:
        raise ConfigError(f"unknown driver {driver!r}; valid drivers: {', '.join(sorted(DRIVERS))}")
    if spec.driver_class is None:
        raise PlatformUnavailable(f"platform {instance_name}: {spec.missing_reason}")
    cls = _load(spec.driver_class)
    return cls(instance_name, validate_driver_settings(driver, settings), paper=paper)
