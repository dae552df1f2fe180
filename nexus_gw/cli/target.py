"""Which gateway an admin command talks to, found without validating any profile.

``killswitch``, ``status``, ``approvals`` and ``trading-state`` need nothing but the gateway's admin endpoint,
so a typo anywhere in a profile never blocks the emergency stop. The endpoint, first that applies:

1. ``--endpoint`` (or ``$NEXUSGW_ADMIN_ENDPOINT``, or ``$NEXUSGW_GATEWAY__SOCKETS__ADMIN``);
2. the profile's ``gateway.sockets.admin`` (``--profile`` or ``$NEXUSGW_PROFILE``), read tolerantly: only that
   key, from the profile, what it ``extends:`` and ``gateway.yaml``; a file that cannot be read is skipped with
   a warning;
3. ``tcp://127.0.0.1:5557``.

When nothing listens on a TCP endpoint the command says so within about a second instead of waiting for
request timeouts. ``AdminTarget.options`` carries extra keyword arguments for ``admin_request`` (the place for
the admin socket's client keys).
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from nexus_gw.errors import GatewayUnavailable

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5557"
ENDPOINT_ENV = ("NEXUSGW_ADMIN_ENDPOINT", "NEXUSGW_GATEWAY__SOCKETS__ADMIN")
PROBE_TIMEOUT_S = 1.0
REQUEST_TIMEOUT_S = 2.0
REQUEST_TRIES = 2


@dataclass(frozen=True)
class AdminTarget:
    """The admin endpoint, where it came from (for messages), and extra ``admin_request`` arguments."""

    endpoint: str
    source: str
    options: Mapping[str, Any] = field(default_factory=dict)


def warn(message: str, command: str = "nexusgw") -> None:
    typer.echo(f"{command}: warning: {message}", err=True)


def admin_from_profile(profile: str, config_dir: Path | None) -> str | None:
    """``gateway.sockets.admin`` from the profile, its ``extends:`` chain and the base file, in that order of
    precedence; files that cannot be read are skipped with a warning. None when no file gives it."""
    from nexus_gw.config.paths import BASE_FILE, find_config_dir
    from nexus_gw.config.yamlsource import read_yaml

    try:
        directory = find_config_dir(config_dir)
    except Exception as exc:
        warn(f"no config directory ({exc}); using the default admin endpoint")
        return None
    candidates: list[Path] = []
    current: str | None = profile
    for _ in range(10):  # the profile, then what it extends
        if current is None:
            break
        path = Path(current) if current.endswith((".yaml", ".yml")) or "/" in current else None
        path = path or directory / "profiles" / f"{current}.yaml"
        candidates.append(path)
        try:
            data, _ = read_yaml(path)
            parent = data.get("extends")
            current = parent if isinstance(parent, str) else None
        except Exception as exc:
            warn(f"cannot read profile {path}: {str(exc).splitlines()[0]}")
            current = None
    candidates.append(directory / BASE_FILE)
    for path in candidates:
        try:
            data, _ = read_yaml(path)
            value = data.get("gateway", {}).get("sockets", {}).get("admin")
        except Exception:
            continue
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def resolve_target(
    endpoint: str | None, profile: str | None, config_dir: Path | None, env: Mapping[str, str] | None = None
) -> AdminTarget:
    """Where to send an admin command; never fails (see the module doc for the order)."""
    env = os.environ if env is None else env
    if endpoint:
        return AdminTarget(endpoint, "--endpoint")
    for name in ENDPOINT_ENV:
        if env.get(name):
            return AdminTarget(env[name], f"${name}")
    from nexus_gw.config.paths import PROFILE_ENV

    profile = profile or env.get(PROFILE_ENV) or None
    if profile:
        found = admin_from_profile(profile, config_dir)
        if found:
            return AdminTarget(found, f"profile {profile}")
        warn(f"profile {profile} gives no usable gateway.sockets.admin; using {DEFAULT_ENDPOINT}")
    return AdminTarget(DEFAULT_ENDPOINT, "default")


def _tcp_address(endpoint: str) -> tuple[str, int] | None:
    if not endpoint.startswith("tcp://"):
        return None
    host, _, port = endpoint[len("tcp://") :].rpartition(":")
    host = host.strip("[]")
    if not port.isdigit() or not host or host == "*":
        return None
    return host, int(port)


def probe(endpoint: str, timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """Why nothing can answer on ``endpoint`` (nothing listens, host unreachable), or None when something might."""
    address = _tcp_address(endpoint)
    if address is None:
        return None
    try:
        with socket.create_connection(address, timeout=timeout_s):
            return None
    except TimeoutError:
        return f"no answer from {address[0]} within {timeout_s:g}s"
    except OSError as exc:
        return f"nothing listens there ({exc.strerror or exc})"


def request(
    target: AdminTarget, command: str, args: dict[str, Any] | None = None, tries: int = REQUEST_TRIES
) -> dict[str, Any]:
    """Send one admin command; GatewayUnavailable quickly when nothing listens, Refused when the gateway says no.

    ``tries=1`` for a command that must not be repeated when its answer is merely slow (approve, reject)."""
    from nexus_gw.client.admin import admin_request

    why = probe(target.endpoint)
    if why is not None:
        raise GatewayUnavailable(
            f"gateway not answering on {target.endpoint} (from {target.source}): {why}; is `nexusgw serve` "
            "running? Give the right endpoint with --endpoint or $NEXUSGW_ADMIN_ENDPOINT"
        )
    payload = {"who": _who(), **(args or {})}
    return admin_request(
        target.endpoint,
        command,
        payload,
        timeout_s=REQUEST_TIMEOUT_S,
        tries=tries,
        **dict(target.options),
    )


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name (a container without a passwd entry)
        return "operator"
