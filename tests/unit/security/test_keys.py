"""Key files and key references: what is written, what is read, and what is refused (without showing a secret)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
import zmq
import zmq.auth

from nexus_gw.errors import ConfigError
from nexus_gw.security.keys import (
    KeyPair,
    check_private,
    generate,
    is_z85_key,
    load_public,
    load_public_keys,
    load_secret,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="file modes are a POSIX notion")


def test_generate_writes_a_public_file_and_a_private_secret_file(tmp_path: Path) -> None:
    public_path, secret_path, public = generate(tmp_path / "keys", "mt5host")
    assert (public_path.name, secret_path.name) == ("mt5host.key", "mt5host.key_secret")
    pair = load_secret(str(secret_path))
    assert pair.public == public == load_public(str(public_path))
    assert zmq.curve_public(pair.secret) == public
    assert pair.secret.decode() not in public_path.read_text()  # the public file holds no secret
    if sys.platform != "win32":
        assert stat.S_IMODE(secret_path.stat().st_mode) == 0o600
    assert zmq.auth.load_certificate(str(secret_path)) == (pair.public, pair.secret)  # readable by zmq's own tools


def test_generate_refuses_to_overwrite_either_file(tmp_path: Path) -> None:
    public_path, secret_path, _ = generate(tmp_path, "gateway")
    before = secret_path.read_bytes()
    with pytest.raises(ConfigError, match=r"gateway\.key.* exists; keys are never overwritten"):
        generate(tmp_path, "gateway")
    assert secret_path.read_bytes() == before
    public_path.unlink()
    with pytest.raises(ConfigError, match="exists"):  # the secret alone is still protected
        generate(tmp_path, "gateway")
    assert secret_path.read_bytes() == before


def test_generate_refuses_a_name_that_is_a_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="may only hold letters"):
        generate(tmp_path, "../evil")


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_secret_readable_by_others_is_refused_with_the_chmod_to_run(tmp_path: Path, mode: int) -> None:
    _, secret_path, _ = generate(tmp_path, "gateway")
    secret = load_secret(str(secret_path)).secret.decode()
    os.chmod(secret_path, mode)
    with pytest.raises(ConfigError) as refused:
        load_secret(str(secret_path))
    assert f"chmod 600 {secret_path}" in str(refused.value)
    assert secret not in str(refused.value)
    os.chmod(secret_path, 0o600)
    check_private(secret_path)  # fixed: accepted again


def test_secret_from_the_environment(tmp_path: Path) -> None:
    public, secret = zmq.curve_keypair()
    pair = load_secret("env:GW_SECRET", env={"GW_SECRET": secret.decode()})
    assert (pair.public, pair.secret) == (public, secret)
    assert pair.origin == "$GW_SECRET"


def test_errors_name_the_variable_or_file_never_the_secret(tmp_path: Path) -> None:
    _, secret = zmq.curve_keypair()
    text = secret.decode()
    with pytest.raises(ConfigError, match="GW_SECRET is not set") as unset:
        load_secret("env:GW_SECRET", env={})
    with pytest.raises(ConfigError, match="does not hold a 40-character") as short:
        load_secret("env:GW_SECRET", env={"GW_SECRET": text[:-1]})
    with pytest.raises(ConfigError, match="must not be written in the profile") as literal:
        load_secret(text, base=tmp_path)
    for refused in (unset, short, literal):
        assert text not in str(refused.value) and text[:-1] not in str(refused.value)
    assert text not in repr(KeyPair.from_secret(secret, "x"))


def test_a_public_key_file_is_no_secret_key(tmp_path: Path) -> None:
    public_path, _, _ = generate(tmp_path, "engine")
    with pytest.raises(ConfigError, match=r"holds no secret key .*use the \.key_secret file"):
        load_secret(str(public_path))


def test_relative_paths_are_read_from_the_base_directory(tmp_path: Path) -> None:
    _, _, public = generate(tmp_path / "keys", "gateway")
    assert load_public("keys/gateway.key", base=tmp_path) == public
    assert load_secret("keys/gateway.key_secret", base=tmp_path).public == public
    with pytest.raises(ConfigError, match="not found; create one with `nexusgw keys generate`"):
        load_secret("keys/other.key_secret", base=tmp_path)


def test_allow_list_entries_key_file_literal_or_directory(tmp_path: Path) -> None:
    _, _, mt5 = generate(tmp_path / "platform", "mt5host")
    _, _, nt8 = generate(tmp_path / "platform", "nt8host")
    literal, _ = zmq.curve_keypair()
    assert load_public_keys(str(tmp_path / "platform")) == {mt5: "mt5host", nt8: "nt8host"}
    assert load_public_keys(str(tmp_path / "platform" / "nt8host.key")) == {nt8: "nt8host"}
    assert list(load_public_keys(literal.decode())) == [literal]
    assert is_z85_key(literal.decode()) and not is_z85_key("short")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no \\*\\.key public key files"):
        load_public_keys(str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="neither a 40-character Z85 key nor a key file"):
        load_public_keys("keys/missing.key", base=tmp_path)
