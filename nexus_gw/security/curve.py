"""The CURVE side of a socket: the gateway's server keys with its per-socket allow-lists, and a client's keys.

Options are set before ``bind``/``connect`` (libzmq reads them then). The gateway's sockets carry their name as
ZAP domain, so the ZAP handler (``security.zap``) checks a client against that socket's allow-list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq

from nexus_gw.errors import ConfigError
from nexus_gw.security.keys import KeyPair, load_public, load_public_keys, load_secret

SOCKETS = ("platform", "nexus", "admin")

#: The environment overrides of the profile's keys, also read by clients that never load a whole profile.
ENV_ADMIN_SECRET = "NEXUSGW_GATEWAY__SECURITY__ADMIN_SECRET_KEY"
ENV_SERVER_PUBLIC = "NEXUSGW_GATEWAY__SECURITY__SERVER_PUBLIC_KEY"


@dataclass(frozen=True)
class ServerCurve:
    """The gateway's key pair and, per socket, the public keys admitted there (key -> name)."""

    keys: KeyPair
    allow: dict[str, dict[bytes, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, secret_ref: str, allow: Mapping[str, Sequence[str]], base: Path | None = None) -> ServerCurve:
        keys = load_secret(secret_ref, base, what="gateway.security.server_secret_key")
        lists: dict[str, dict[bytes, str]] = {}
        for socket_name in SOCKETS:
            admitted: dict[bytes, str] = {}
            for ref in allow.get(socket_name, ()):
                admitted.update(load_public_keys(ref, base, what=f"gateway.security.allow.{socket_name}"))
            lists[socket_name] = admitted
        return cls(keys, lists)

    def apply(self, sock: zmq.Socket[bytes], socket_name: str) -> None:
        sock.setsockopt(zmq.CURVE_SERVER, 1)
        sock.setsockopt(zmq.CURVE_SECRETKEY, self.keys.secret)
        sock.setsockopt(zmq.ZAP_DOMAIN, socket_name.encode())
        sock.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)  # fail closed: no ZAP handler, no client


@dataclass(frozen=True)
class ClientCurve:
    """A client's key pair and the server's public key."""

    keys: KeyPair
    server: bytes

    @classmethod
    def load(
        cls, secret_ref: str, server_ref: str, base: Path | None = None, env: Mapping[str, str] | None = None
    ) -> ClientCurve:
        keys = load_secret(secret_ref, base, env, what="client secret key")
        server = load_public(server_ref, base, env, what="gateway.security.server_public_key")
        return cls(keys, server)

    def apply(self, sock: zmq.Socket[bytes]) -> None:
        sock.setsockopt(zmq.CURVE_SERVERKEY, self.server)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, self.keys.public)
        sock.setsockopt(zmq.CURVE_SECRETKEY, self.keys.secret)


def client_curve(
    secret_ref: str | None,
    server_ref: str | None,
    base: Path | None = None,
    role: str = "client",
    required: bool = False,
) -> ClientCurve | None:
    """The keys of a client whose profile names them; None when it names neither (a plain loopback gateway).

    ``required``: the profile says its gateway serves CURVE, so a client without keys could never connect."""
    if not secret_ref and not server_ref:
        if required:
            raise ConfigError(
                f"the {role} has no CURVE keys, but this profile's gateway serves CURVE (server_secret_key is set) "
                "and would refuse it; set gateway.security.client_secret_key and server_public_key (or the "
                "NEXUSGW_GATEWAY__SECURITY__... environment variables)"
            )
        return None
    if not secret_ref or not server_ref:
        missing = "the client's secret key" if not secret_ref else "gateway.security.server_public_key"
        raise ConfigError(
            f"the {role} has only half of its CURVE keys: {missing} is not set; set both, or neither for a "
            "gateway without CURVE"
        )
    return ClientCurve.load(secret_ref, server_ref, base)


def admin_client_curve(
    security: Mapping[str, Any] | None = None, base: Path | None = None, env: Mapping[str, str] | None = None
) -> ClientCurve | None:
    """The admin client's keys for ``nexusgw killswitch/status``, without a valid profile.

    From ``$NEXUSGW_GATEWAY__SECURITY__ADMIN_SECRET_KEY`` and ``$NEXUSGW_GATEWAY__SECURITY__SERVER_PUBLIC_KEY``
    (references: a key file path or ``env:VAR``), else from ``security``: the profile's ``gateway.security``
    mapping as read from the YAML (only ``admin_secret_key`` and ``server_public_key`` are read). None when neither
    names a key: the admin socket is then expected without CURVE."""
    env = os.environ if env is None else env
    security = security or {}
    secret = env.get(ENV_ADMIN_SECRET) or security.get("admin_secret_key")
    server = env.get(ENV_SERVER_PUBLIC) or security.get("server_public_key")
    return client_curve(
        str(secret) if secret else None, str(server) if server else None, base, role="admin client (killswitch)"
    )
