"""The CLI as a trader runs it: real processes, real ports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nexus_gw.stack import Endpoints
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e


def nexusgw(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nexus_gw.cli.app", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_demo_ends_with_fills_from_every_dev_platform_each_in_its_own_format() -> None:
    result = nexusgw("demo", "--seconds", "5", "--interval", "1", "--config-dir", str(CONFIG_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "6/6 online" in out and "Summary" in out
    for expected in ("nt8", "NQ 12-", "sierra", "NAS100", "mt5_brazil", "WIN", "bookmap", "@RITHMIC", "quantower"):
        assert expected in out


def test_serve_prints_start_up_lines_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """Also: --log-format/--log-file put the log in a file, as JSON lines, and leave stderr to the start-up line."""
    eps = Endpoints.free()
    log_file = tmp_path / "logs" / "gateway.log"
    env = {
        **os.environ,
        "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": eps.platform,
        "NEXUSGW_GATEWAY__SOCKETS__NEXUS": eps.nexus,
        "NEXUSGW_GATEWAY__SOCKETS__ADMIN": eps.admin,
        "NEXUSGW_GATEWAY__DATA_DIR": str(tmp_path),
    }
    command = ["serve", "--profile", "dev", "--config-dir", str(CONFIG_DIR), "--log-format", "JSON"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexus_gw.cli.app", *command, "--log-file", str(log_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 15
        status = None
        while time.monotonic() < deadline:
            status = nexusgw("status", "--config-dir", str(CONFIG_DIR), "--json", env=env, timeout=20)
            if status.returncode == 0:
                break
        assert status is not None and status.returncode == 0, status.stderr
        assert '"profile": "dev"' in status.stdout
        human = nexusgw("status", "--config-dir", str(CONFIG_DIR), env=env)
        assert "Platforms 0/6 online" in human.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert f"journal: {tmp_path / 'journal.sqlite3'} (profile dev)" in err
    port = eps.platform.rsplit(":", 1)[1]
    assert out.splitlines()[:4] == [
        "Gateway Server initialized ✓",
        f"Platform socket ({port}): ACTIVE",
        f"NEXUS socket ({eps.nexus.rsplit(':', 1)[1]}): ACTIVE",
        f"Admin socket ({eps.admin.rsplit(':', 1)[1]}): ACTIVE",
    ]
    assert "Gateway stopped" in out and not [line for line in err.splitlines() if line.startswith("{")]
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert lines and {line["role"] for line in lines} == {"gateway"}
    assert any("stopping" in line["msg"] for line in lines)


def test_second_gateway_on_the_same_ports_or_data_dir_fails_clearly(tmp_path: Path) -> None:
    eps = Endpoints.free()
    env = {
        **os.environ,
        "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": eps.platform,
        "NEXUSGW_GATEWAY__SOCKETS__NEXUS": eps.nexus,
        "NEXUSGW_GATEWAY__SOCKETS__ADMIN": eps.admin,
        "NEXUSGW_GATEWAY__DATA_DIR": str(tmp_path / "a"),
    }
    first = subprocess.Popen(
        [sys.executable, "-m", "nexus_gw.cli.app", "serve", "--profile", "dev", "--config-dir", str(CONFIG_DIR)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        time.sleep(0.2)
        for _ in range(50):
            if nexusgw("status", "--config-dir", str(CONFIG_DIR), env=env).returncode == 0:
                break
        other_dir = {**env, "NEXUSGW_GATEWAY__DATA_DIR": str(tmp_path / "b")}
        second = nexusgw("serve", "-p", "dev", "--config-dir", str(CONFIG_DIR), env=other_dir, timeout=30)
        assert second.returncode == 1
        assert "is another nexusgw serve running" in second.stderr
        third = nexusgw("serve", "-p", "dev", "--config-dir", str(CONFIG_DIR), env=env, timeout=30)
        assert third.returncode != 0
        assert "is being written by another process" in third.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=10)


def test_admin_commands_without_gateway_exit_1_with_a_hint() -> None:
    eps = Endpoints.free()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    env["NEXUSGW_ADMIN_ENDPOINT"] = eps.admin
    for command in (["status"], ["killswitch"], ["killswitch", "status"], ["approvals", "list"], ["trading-state"]):
        result = nexusgw(*command, env=env)
        assert result.returncode == 1, (command, result.stderr)
        assert f"gateway not answering on {eps.admin}" in result.stderr and "is `nexusgw serve` running?" in (
            result.stderr
        )


def test_python_dash_m_nexus_gw_is_the_cli() -> None:
    from nexus_gw import __version__

    result = subprocess.run([sys.executable, "-m", "nexus_gw", "--version"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, f"nexusgw {__version__}\n")


def start_gateway(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, str], Endpoints]:
    eps = Endpoints.free()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    env.update(
        {
            "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": eps.platform,
            "NEXUSGW_GATEWAY__SOCKETS__NEXUS": eps.nexus,
            "NEXUSGW_GATEWAY__SOCKETS__ADMIN": eps.admin,
            "NEXUSGW_GATEWAY__DATA_DIR": str(tmp_path / "data"),
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexus_gw", "serve", "--profile", "dev", "--config-dir", str(CONFIG_DIR)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 30
    while nexusgw("status", "--endpoint", eps.admin, timeout=20).returncode != 0:
        assert proc.poll() is None and time.monotonic() < deadline, "gateway did not come up"
    client_env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    return proc, client_env, eps


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=15)


def test_killswitch_gets_through_with_a_broken_profile_to_a_real_gateway(tmp_path: Path) -> None:
    proc, env, eps = start_gateway(tmp_path)
    try:
        config = tmp_path / "config"
        shutil.copytree(CONFIG_DIR, config)
        profile = config / "profiles" / "dev.yaml"
        profile.write_text(
            profile.read_text() + f"\ngateway:\n  sockets: {{admin: '{eps.admin}'}}\ntrading: {{defualt_qty: 1}}\n"
        )
        (config / "instruments.yaml").write_text("NQ: {tick_size: [")  # and a reference file that is not YAML
        env["NEXUSGW_CONFIG_DIR"] = str(config)
        env["NEXUSGW_PROFILE"] = "dev"
        assert "defualt_qty" in nexusgw("profile", "validate", "dev", env=env).stderr  # the profile is broken
        result = nexusgw("killswitch", "--reason", "typo drill", env=env)
        assert result.returncode == 0, result.stderr
        assert "KILL SWITCH ACTIVE" in result.stdout and "typo drill" in result.stdout
        status = nexusgw("status", "--json", env=env)
        assert status.returncode == 0 and '"active": true' in status.stdout, status.stderr
        (config / "gateway.yaml").write_text("{{{ not yaml")  # even the base file unreadable: the endpoint wins
        release = nexusgw("killswitch", "release", "--endpoint", eps.admin, env=env)
        assert release.returncode == 0 and "kill switch off" in release.stdout, release.stderr
    finally:
        stop(proc)


def test_trading_state_set_and_shown_on_a_real_gateway(tmp_path: Path) -> None:
    proc, env, eps = start_gateway(tmp_path)
    try:
        env["NEXUSGW_ADMIN_ENDPOINT"] = eps.admin
        assert nexusgw("trading-state", env=env).stdout.splitlines() == ["global: ACTIVE"]
        halted = nexusgw("trading-state", "halted", "--symbol", "NQ", "--reason", "news", env=env)
        assert halted.returncode == 0, halted.stderr
        assert "symbol NQ: HALTED" in halted.stdout and "news" in halted.stdout
        reducing = nexusgw("trading-state", "reducing", env=env)
        assert reducing.stdout.splitlines()[0].startswith("global: REDUCING since")
        assert "state: " in nexusgw("status", env=env).stdout
        nexusgw("trading-state", "active", env=env)
        nexusgw("trading-state", "active", "--symbol", "NQ", env=env)
        shown = nexusgw("trading-state", "--json", env=env)
        assert {e["state"] for e in json.loads(shown.stdout)["trading_states"]} == {"ACTIVE"}
    finally:
        stop(proc)


def test_adapter_for_unknown_platform_exits_2_listing_enabled() -> None:
    result = nexusgw("adapter", "quantower_cqg", "--profile", "dev", "--config-dir", str(CONFIG_DIR))
    assert result.returncode == 2
    assert "enabled: nt8, sierra, mt5_global, mt5_brazil, bookmap, quantower" in result.stderr


def test_mt5_adapter_without_a_broker_server_exits_2_and_says_what_to_set() -> None:
    result = nexusgw("adapter", "mt5_global", "--profile", "stage1", "--config-dir", str(CONFIG_DIR))
    assert result.returncode == 2
    assert "settings.server" in result.stderr and "server name is empty" in result.stderr
    assert "not part of this release" not in result.stderr
