"""What a valid profile still lacks to run on this machine or to trade live, and how two profiles differ.

``profile validate`` prints these findings after the profile itself validated: a driver that cannot run here
(not part of this release, Windows-only, an optional package missing), a live instance whose password
variable is not set, development stand-ins in a profile. ``profile diff`` compares two resolved profiles.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

CANNOT_RUN = "cannot run here"
LIVE_NEEDS = "live trading needs"
NOTE = "note"


@dataclass(frozen=True)
class Finding:
    kind: str  # CANNOT_RUN, LIVE_NEEDS or NOTE
    instance: str
    message: str

    def line(self) -> str:
        return f"{self.instance}: {self.kind}: {self.message}"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _mt5(name: str, settings: Mapping[str, Any], paper: bool, env: Mapping[str, str], platform: str) -> list[Finding]:
    found = []
    backend = settings.get("backend", "local")
    double = bool(settings.get("double"))
    if backend == "local" and platform != "win32":
        found.append(
            Finding(
                CANNOT_RUN,
                name,
                "backend local needs the MetaTrader5 package, which exists only on Windows: run this adapter on the "
                "Windows PC beside the terminal (docs/deployment.md), or use backend: remote",
            )
        )
    elif backend == "local" and not _installed("MetaTrader5"):
        found.append(Finding(CANNOT_RUN, name, "the MetaTrader5 package is missing: pip install 'nexusgw[mt5]'"))
    elif backend == "remote" and not _installed("rpyc"):
        found.append(Finding(CANNOT_RUN, name, "backend remote needs rpyc, a dependency: reinstall nexusgw"))
    if double:
        found.append(Finding(NOTE, name, "double: true trades against the MetaTrader5 test double, not a broker"))
    elif not paper:
        variable = settings.get("password_env") or f"NEXUSGW_{name.upper()}_PASSWORD"
        if not env.get(variable):
            found.append(Finding(LIVE_NEEDS, name, f"the account password in ${variable} (not set here)"))
        if settings.get("login") is None:
            found.append(Finding(NOTE, name, "no login: the account the terminal is logged in to is traded"))
    return found


def _sierra(name: str, settings: Mapping[str, Any], paper: bool, env: Mapping[str, str]) -> list[Finding]:
    if settings.get("simulator"):
        return [Finding(NOTE, name, "simulator: true trades against the bundled DTC simulator, not Sierra Chart")]
    variable = settings.get("password_env")
    if settings.get("username") and variable and not env.get(variable):
        return [Finding(LIVE_NEEDS, name, f"the DTC password in ${variable} (not set here)")]
    return []


def _nt8(name: str, settings: Mapping[str, Any], platform: str) -> list[Finding]:
    if settings.get("simulator"):
        return [Finding(NOTE, name, "simulator: true trades against a simulated NinjaTrader, not NinjaTrader 8")]
    if platform == "win32":
        return []
    if settings.get("mode", "bridge") == "ati":
        why = (
            "mode ati writes order files into NinjaTrader's folder on the Windows PC: run this adapter there "
            "(docs/deployment.md), or use mode: bridge with settings.host the NinjaTrader PC"
        )
        return [Finding(CANNOT_RUN, name, why)]
    if str(settings.get("host", "127.0.0.1")) in ("127.0.0.1", "localhost", "::1"):
        why = (
            "NinjaTrader runs on Windows, not on this machine: set settings.host to the NinjaTrader PC "
            "(docs/nt8.md), or run this adapter there"
        )
        return [Finding(CANNOT_RUN, name, why)]
    return []


def _quantower(name: str, settings: Mapping[str, Any], platform: str) -> list[Finding]:
    if settings.get("simulator"):
        return [Finding(NOTE, name, "simulator: true trades against a simulated Quantower, not Quantower")]
    if platform != "win32" and str(settings.get("host", "127.0.0.1")) in ("127.0.0.1", "localhost", "::1"):
        why = (
            "Quantower runs on Windows, not on this machine: set settings.host to the Quantower PC "
            "(docs/quantower.md), or run this adapter there"
        )
        return [Finding(CANNOT_RUN, name, why)]
    return []


def _bookmap(name: str, settings: Mapping[str, Any]) -> list[Finding]:
    if settings.get("fake"):
        return [Finding(NOTE, name, "fake: true trades against the fake Bookmap, not Bookmap")]
    why = "Bookmap starts this adapter (its addon, docs/bookmap.md): no supervisor program or service runs it"
    return [Finding(NOTE, name, why)]


def findings(profile: Any, env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Finding]:
    """Findings for every enabled instance of a validated profile, in the profile's order."""
    from nexus_gw.adapters.registry import DRIVERS

    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    result: list[Finding] = []
    for name, instance in profile.enabled_platforms().items():
        spec = DRIVERS.get(instance.driver)
        settings: Mapping[str, Any] = instance.settings or {}
        if spec is not None and spec.driver_class is None:
            result.append(Finding(CANNOT_RUN, name, spec.missing_reason))
        elif instance.driver == "sim":
            result.append(Finding(NOTE, name, "driver sim is a simulated exchange: no order reaches a platform"))
        elif instance.driver == "mt5":
            result.extend(_mt5(name, settings, instance.paper, env, platform))
        elif instance.driver == "sierra":
            result.extend(_sierra(name, settings, instance.paper, env))
        elif instance.driver == "nt8":
            result.extend(_nt8(name, settings, platform))
        elif instance.driver == "bookmap":
            result.extend(_bookmap(name, settings))
        elif instance.driver == "quantower":
            result.extend(_quantower(name, settings, platform))
        if instance.paper:
            result.append(
                Finding(NOTE, name, "paper: true: orders fill in the gateway's simulator, not at the platform")
            )
    return result


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``a.b.c`` keys; lists stay values."""
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def diff(left: Mapping[str, Any], right: Mapping[str, Any], show: Callable[[Any], str] = repr) -> list[str]:
    """Lines ``key: A -> B`` for changed keys, ``- key: A`` only left, ``+ key: B`` only right; sorted by key."""
    a, b = flatten(left), flatten(right)
    lines = []
    for key in sorted(a.keys() | b.keys()):
        if key not in b:
            lines.append(f"- {key}: {show(a[key])}")
        elif key not in a:
            lines.append(f"+ {key}: {show(b[key])}")
        elif a[key] != b[key]:
            lines.append(f"  {key}: {show(a[key])} -> {show(b[key])}")
    return lines
