"""The profile's ``gateway.security`` section and the bind rule: beyond loopback only with CURVE keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_gw.config.loader import load_profile
from nexus_gw.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[3] / "config"
ALLOW = '["keys/clients"]'


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def secure(monkeypatch: pytest.MonkeyPatch, **keys: str) -> None:
    for key, value in keys.items():
        monkeypatch.setenv(f"NEXUSGW_GATEWAY__SECURITY__{key.upper()}", value)


def test_a_non_loopback_bind_is_accepted_with_server_keys_and_allow_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__PLATFORM", "tcp://0.0.0.0:5555")
    secure(monkeypatch, server_secret_key="keys/gateway.key_secret")
    for socket_name in ("platform", "nexus", "admin"):
        monkeypatch.setenv(f"NEXUSGW_GATEWAY__SECURITY__ALLOW__{socket_name.upper()}", ALLOW)
    security = load_profile("dev", CONFIG).profile.gateway.security
    assert security.curve and security.allow.admin == ["keys/clients"]


def test_a_non_loopback_endpoint_is_accepted_on_an_adapter_host_with_client_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__PLATFORM", "tcp://192.168.1.20:5555")
    secure(monkeypatch, client_secret_key="env:MT5HOST_SECRET", server_public_key="keys/gateway.key")
    security = load_profile("dev", CONFIG).profile.gateway.security
    assert security.client_keys and not security.curve  # the gateway side refuses to bind it (tests/integration)


def test_the_refusal_without_keys_says_what_to_configure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__NEXUS", "tcp://10.0.0.5:5556")
    with pytest.raises(ConfigError, match=r"tcp://10\.0\.0\.5:5556 is not a loopback address.*server_secret_key"):
        load_profile("dev", CONFIG)


@pytest.mark.parametrize("empty", ["platform", "nexus", "admin"])
def test_curve_with_an_empty_allow_list_is_refused(monkeypatch: pytest.MonkeyPatch, empty: str) -> None:
    secure(monkeypatch, server_secret_key="keys/gateway.key_secret")
    for socket_name in ("platform", "nexus", "admin"):
        if socket_name != empty:
            monkeypatch.setenv(f"NEXUSGW_GATEWAY__SECURITY__ALLOW__{socket_name.upper()}", ALLOW)
    with pytest.raises(ConfigError, match=rf"allow\.{empty} is empty: with CURVE on, nobody could connect"):
        load_profile("dev", CONFIG)


def test_a_secret_key_written_in_the_yaml_is_refused_without_echoing_it(config_copy: Path) -> None:
    secret = "TR)gq]?17ftfju9zM]74a<qLTR2[w59&Yphz(h!G"
    (config_copy / "profiles" / "leaky.yaml").write_text(
        f"extends: dev\ngateway:\n  security:\n    admin_secret_key: '{secret}'\n"
    )
    with pytest.raises(ConfigError, match="a secret key never goes in the profile") as refused:
        load_profile("leaky", config_copy)
    assert secret not in str(refused.value)
