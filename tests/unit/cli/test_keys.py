"""``nexusgw keys generate`` and the admin client's CURVE options."""

from __future__ import annotations

import shutil
import stat
import sys
from pathlib import Path

import pytest

from nexus_gw.cli.app import main
from nexus_gw.cli.keys import admin_curve_options, profile_admin_options
from nexus_gw.cli.target import resolve_target
from nexus_gw.config.loader import load_profile
from nexus_gw.security.curve import ENV_ADMIN_SECRET, ENV_SERVER_PUBLIC
from nexus_gw.security.keys import load_public, load_secret

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_generate_prints_the_public_key_and_never_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "generate", "--dir", str(tmp_path / "keys"), "--name", "winpc"]) == 0
    out = capsys.readouterr().out
    pair = load_secret(str(tmp_path / "keys" / "winpc.key_secret"))
    assert pair.public.decode() in out and pair.secret.decode() not in out
    assert "gateway.security.allow" in out
    if sys.platform != "win32":
        assert stat.S_IMODE((tmp_path / "keys" / "winpc.key_secret").stat().st_mode) == 0o600


def test_generate_refuses_to_overwrite_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate", "--dir", str(tmp_path), "--name", "gateway"]) == 0
    before = (tmp_path / "gateway.key_secret").read_bytes()
    assert main(["keys", "generate", "--dir", str(tmp_path), "--name", "gateway"]) == 2
    assert "keys are never overwritten" in capsys.readouterr().err
    assert (tmp_path / "gateway.key_secret").read_bytes() == before


def test_admin_curve_options_from_a_profile_mapping_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_ADMIN_SECRET, raising=False)
    monkeypatch.delenv(ENV_SERVER_PUBLIC, raising=False)
    assert admin_curve_options({}, tmp_path) == {}
    for name in ("gateway", "ops"):
        assert main(["keys", "generate", "--dir", str(tmp_path / "keys"), "--name", name]) == 0
    options = admin_curve_options(
        {"admin_secret_key": "keys/ops.key_secret", "server_public_key": "keys/gateway.key"}, tmp_path
    )
    curve = options["curve"]
    assert curve.keys.public == load_public(str(tmp_path / "keys" / "ops.key"))
    assert curve.server == load_public(str(tmp_path / "keys" / "gateway.key"))


def test_profile_admin_options_read_the_profiles_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_ADMIN_SECRET, raising=False)
    monkeypatch.delenv(ENV_SERVER_PUBLIC, raising=False)
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    for name in ("gateway", "ops"):
        assert main(["keys", "generate", "--dir", str(config / "keys"), "--name", name]) == 0
    (config / "profiles" / "ops.yaml").write_text(
        "extends: dev\ngateway:\n  security:\n    admin_secret_key: keys/ops.key_secret\n"
        "    server_public_key: keys/gateway.key\n"
    )
    curve = profile_admin_options(load_profile("ops", config))["curve"]
    assert curve.keys.public == load_public(str(config / "keys" / "ops.key"))
    assert profile_admin_options(load_profile("dev", config)) == {}


def test_admin_targets_carry_the_profiles_keys_and_the_environments_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_ADMIN_SECRET, raising=False)
    monkeypatch.delenv(ENV_SERVER_PUBLIC, raising=False)
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    for name in ("gateway", "ops", "other"):
        assert main(["keys", "generate", "--dir", str(config / "keys"), "--name", name]) == 0
    (config / "profiles" / "ops.yaml").write_text(  # an unknown key: the whole profile would not validate
        "extends: dev\ngateway:\n  security:\n    admin_secret_key: keys/ops.key_secret\n"
        "    server_public_key: keys/gateway.key\nnot_a_key: 1\n"
    )
    target = resolve_target(None, "ops", config, env={})
    assert target.options["curve"].keys.public == load_public(str(config / "keys" / "ops.key"))
    monkeypatch.setenv(ENV_ADMIN_SECRET, "keys/other.key_secret")
    monkeypatch.setenv(ENV_SERVER_PUBLIC, "keys/gateway.key")
    curve = resolve_target("tcp://127.0.0.1:1", "ops", config, env={}).options["curve"]
    assert curve.keys.public == load_public(str(config / "keys" / "other.key"))
    monkeypatch.delenv(ENV_ADMIN_SECRET)
    monkeypatch.delenv(ENV_SERVER_PUBLIC)
    assert resolve_target(None, None, config, env={}).options == {}
