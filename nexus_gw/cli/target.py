"""Which gateway an admin command talks to, found without validating any profile.

``killswitch``, ``status``, ``approvals`` and ``trading-state`` need nothing but the gateway's admin endpoint,
so a typo anywhere in a profile never blocks the emergency stop. The endpoint, first that applies:

1. ``--endpoint`` (or ``$NEXUSGW_ADMIN_ENDPOINT``, or ``$NEXUSGW_GATEWAY__SOCKETS__ADMIN``);
2. the profile's ``gateway.sockets.admin`` (``--profile`` or ``$NEXUSGW_PROFILE``), read tolerantly: only that
   key, from the profile, what it ``extends:`` and ``gateway.yaml``; a file that cannot be read is skipped with
   a warning;
3. ``tcp://127.0.0.1:5557``.

When nothing listens on a TCP endpoint the command says so within about a second instead of waiting for
request timeouts. ``AdminTarget.options`` carries extra keyword arguments for ``admin_request``: the admin
client's CURVE keys, from the environment or the profile's ``gateway.security`` read as tolerantly.
"""

from __future__ import annotations

import contextlib
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


def profile_layers(profile: str, config_dir: Path | None) -> tuple[Path | None, list[dict[str, Any]]]:
    """The config directory and the YAML mappings of the profile, its ``extends:`` chain and the base file, in that
    order of precedence; files that cannot be read are skipped with a warning."""
    from nexus_gw.config.paths import BASE_FILE, find_config_dir
    from nexus_gw.config.yamlsource import read_yaml

    try:
        directory = find_config_dir(config_dir)
    except Exception as exc:
        warn(f"no config directory ({exc}); using the default admin endpoint")
        return None, []
    layers: list[dict[str, Any]] = []
    current: str | None = profile
    for _ in range(10):  # the profile, then what it extends
        if current is None:
            break
        path = Path(current) if current.endswith((".yaml", ".yml")) or "/" in current else None
        path = path or directory / "profiles" / f"{current}.yaml"
        try:
            data, _ = read_yaml(path)
            layers.append(data)
            parent = data.get("extends")
            current = parent if isinstance(parent, str) else None
        except Exception as exc:
            warn(f"cannot read profile {path}: {str(exc).splitlines()[0]}")
            current = None
    with contextlib.suppress(Exception):  # no base file: the defaults apply
        layers.append(read_yaml(directory / BASE_FILE)[0])
    return directory, layers


def first_value(layers: list[dict[str, Any]], *keys: str) -> str | None:
    """The first non-empty string at ``keys`` (e.g. gateway, sockets, admin) in ``layers``."""
    for data in layers:
        value: Any = data
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def admin_from_profile(profile: str, config_dir: Path | None) -> str | None:
    """``gateway.sockets.admin`` from the profile, its ``extends:`` chain and the base file, in that order of
    precedence; files that cannot be read are skipped with a warning. None when no file gives it."""
    return first_value(profile_layers(profile, config_dir)[1], "gateway", "sockets", "admin")


def resolve_target(
    endpoint: str | None, profile: str | None, config_dir: Path | None, env: Mapping[str, str] | None = None
) -> AdminTarget:
    """Where to send an admin command (see the module doc for the order), with the admin client's CURVE keys:
    ``$NEXUSGW_GATEWAY__SECURITY__ADMIN_SECRET_KEY``/``..._SERVER_PUBLIC_KEY``, else the profile's
    ``gateway.security.admin_secret_key``/``server_public_key`` (read as tolerantly as the endpoint)."""
    from nexus_gw.cli.keys import admin_curve_options
    from nexus_gw.config.paths import PROFILE_ENV

    env = os.environ if env is None else env
    profile = profile or env.get(PROFILE_ENV) or None
    directory, layers = profile_layers(profile, config_dir) if profile else (None, [])
    keys = ("admin_secret_key", "server_public_key")
    security = {key: first_value(layers, "gateway", "security", key) for key in keys}
    options = admin_curve_options(security, directory)
    if endpoint:
        return AdminTarget(endpoint, "--endpoint", options)
    for name in ENDPOINT_ENV:
        if env.get(name):
            return AdminTarget(env[name], f"${name}", options)
    if profile:
        found = first_value(layers, "gateway", "sockets", "admin")
        if found:
            return AdminTarget(found, f"profile {profile}", options)
        warn(f"profile {profile} gives no usable gateway.sockets.admin; using {DEFAULT_ENDPOINT}")
    return AdminTarget(DEFAULT_ENDPOINT, "default", options)


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
