"""Which keys a client uses: both halves or neither, and the admin client's keys without a profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_gw.errors import ConfigError
from nexus_gw.security.curve import ENV_ADMIN_SECRET, ENV_SERVER_PUBLIC, admin_client_curve, client_curve
from nexus_gw.security.keys import generate


def test_no_keys_means_a_plain_client() -> None:
    assert client_curve(None, None) is None
    assert admin_client_curve({}, env={}) is None


def test_a_client_of_a_curve_gateway_without_keys_is_told_what_to_set() -> None:
    with pytest.raises(ConfigError, match="adapter nt8 has no CURVE keys, but this profile's gateway serves CURVE"):
        client_curve(None, None, role="adapter nt8", required=True)


def test_half_a_configuration_is_refused(tmp_path: Path) -> None:
    _, secret, _ = generate(tmp_path, "adapter")
    with pytest.raises(ConfigError, match="server_public_key is not set"):
        client_curve(str(secret), None, role="adapter mt5_global")
    with pytest.raises(ConfigError, match="the client's secret key is not set"):
        client_curve(None, str(tmp_path / "gateway.key"))


def test_admin_keys_from_the_environment_win_over_the_profile(tmp_path: Path) -> None:
    server_pub, _, server_key = generate(tmp_path, "gateway")
    _, _, admin_key = generate(tmp_path, "admin")
    _, other_secret, other_key = generate(tmp_path, "other")
    from_profile = admin_client_curve(
        {"admin_secret_key": "admin.key_secret", "server_public_key": "gateway.key"}, base=tmp_path, env={}
    )
    assert from_profile is not None
    assert (from_profile.keys.public, from_profile.server) == (admin_key, server_key)
    from_env = admin_client_curve(
        {"admin_secret_key": "admin.key_secret", "server_public_key": "gateway.key"},
        base=tmp_path,
        env={ENV_ADMIN_SECRET: str(other_secret), ENV_SERVER_PUBLIC: str(server_pub)},
    )
    assert from_env is not None and from_env.keys.public == other_key
