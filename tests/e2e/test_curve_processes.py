"""CURVE with real processes: `nexusgw serve` and `nexusgw adapter` with keys from the environment, and the
`nexusgw killswitch` command line refused without the admin key, obeyed with it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.security.curve import ENV_ADMIN_SECRET, ENV_SERVER_PUBLIC
from nexus_gw.security.keys import generate, load_secret
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e
KEYS = ("gateway", "winpc", "engine", "ops")


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    for name in KEYS:
        generate(tmp_path / "keys", name)
    return tmp_path / "keys"


@pytest.fixture
def curve_stack(tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    prefix = "NEXUSGW_GATEWAY__SECURITY__"
    env = {
        "NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25",
        f"{prefix}SERVER_SECRET_KEY": str(keys / "gateway.key_secret"),
        f"{prefix}ALLOW__PLATFORM": f'["{keys / "winpc.key"}"]',
        f"{prefix}ALLOW__NEXUS": f'["{keys / "engine.key"}"]',
        f"{prefix}ALLOW__ADMIN": f'["{keys / "ops.key"}"]',
        f"{prefix}CLIENT_SECRET_KEY": str(keys / "winpc.key_secret"),
        f"{prefix}SERVER_PUBLIC_KEY": str(keys / "gateway.key"),
    }
    # this test process asks the gateway for its status as the admin client
    monkeypatch.setenv(ENV_ADMIN_SECRET, str(keys / "ops.key_secret"))
    monkeypatch.setenv(ENV_SERVER_PUBLIC, str(keys / "gateway.key"))
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    yield s
    s.stop_all()


def killswitch(stack: LocalStack, command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "nexus_gw.cli.app", "killswitch", command, "--endpoint", stack.endpoints.admin]
    return subprocess.run([*args, "--reason", "curve drill"], capture_output=True, text=True, env=env, timeout=60)


def test_adapters_connect_with_keys_and_only_the_admin_key_works_the_kill_switch(
    curve_stack: LocalStack, keys: Path
) -> None:
    curve_stack.start_gateway()
    curve_stack.start_adapter("nt8")
    curve_stack.wait_online(["nt8"])
    plain = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    as_engine = {
        **plain,
        ENV_ADMIN_SECRET: str(keys / "engine.key_secret"),
        ENV_SERVER_PUBLIC: str(keys / "gateway.key"),
    }
    as_ops = {**as_engine, ENV_ADMIN_SECRET: str(keys / "ops.key_secret")}

    for env in (plain, as_engine):
        refused = killswitch(curve_stack, "activate", env)
        assert refused.returncode != 0 and "not answering" in refused.stderr, refused.stdout + refused.stderr
    assert curve_stack.wait_status(lambda d: not d["risk"]["kill_switch"]["active"], 5, "kill switch still off")

    activated = killswitch(curve_stack, "activate", as_ops)
    assert activated.returncode == 0 and "KILL SWITCH ACTIVE" in activated.stdout, activated.stderr
    assert killswitch(curve_stack, "release", as_engine).returncode != 0
    released = killswitch(curve_stack, "release", as_ops)
    assert released.returncode == 0 and "kill switch off" in released.stdout, released.stderr

    gateway_log = curve_stack.log_path("gateway").read_text(errors="replace")
    engine_key = load_secret(str(keys / "engine.key_secret")).public.decode()
    assert f"public key {engine_key} is not in gateway.security.allow.admin" in gateway_log
    assert re.search(r"the admin socket \(.*\).*CURVE handshake.*a client without CURVE keys", gateway_log)
    logs = "".join(p.read_text(errors="replace") for p in curve_stack.run_dir.glob("*.log"))
    assert "(CURVE, client key" in logs  # the adapter says it connects with its key
    for name in KEYS:
        assert load_secret(str(keys / f"{name}.key_secret")).secret.decode() not in logs, f"{name}'s secret logged"
