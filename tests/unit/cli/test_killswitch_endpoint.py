"""`nexusgw killswitch` needs only the admin endpoint: a broken profile never blocks the emergency stop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_gw.cli.killswitch import resolve_endpoint
from nexus_gw.cli.target import DEFAULT_ENDPOINT
from tests.conftest import CONFIG_DIR


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, target)
    return target


def test_explicit_endpoint_wins_and_nothing_is_read(tmp_path: Path) -> None:
    assert resolve_endpoint("tcp://10.0.0.1:1", "no-such-profile", tmp_path / "missing") == "tcp://10.0.0.1:1"


def test_without_profile_the_default(tmp_path: Path) -> None:
    assert resolve_endpoint(None, None, tmp_path / "missing") == DEFAULT_ENDPOINT


def test_profile_gives_only_its_admin_socket_even_when_other_keys_are_wrong(config: Path) -> None:
    profile = config / "profiles" / "dev.yaml"
    text = profile.read_text()
    profile.write_text(text + "\ngateway:\n  sockets: {admin: 'tcp://127.0.0.1:6001'}\ntradingg: {typo: 1}\n")
    assert resolve_endpoint(None, "dev", config) == "tcp://127.0.0.1:6001"


def test_a_profile_that_is_not_even_yaml_falls_back_with_a_warning(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config / "profiles" / "dev.yaml").write_text("symbols: [NQ\n  : : broken")
    assert resolve_endpoint(None, "dev", config) == "tcp://127.0.0.1:5557"  # from gateway.yaml
    assert "cannot read profile" in capsys.readouterr().err
    (config / "gateway.yaml").write_text("{{{")
    assert resolve_endpoint(None, "dev", config) == DEFAULT_ENDPOINT
    assert "using tcp://127.0.0.1:5557" in capsys.readouterr().err


def test_status_shows_which_legs_still_work_where() -> None:
    from nexus_gw.cli.status import render_status

    data = {
        "gateway": "gw",
        "version": "1",
        "profile": "dev",
        "pid": 1,
        "uptime_s": 1.0,
        "platforms": {},
        "nexus_clients": [],
        "counts": {},
        "risk": {"kill_switch": {"active": True, "when": "t", "who": "ops", "reason": "drill"}},
        "kill_switch_progress": {
            "complete": False,
            "journaled": False,
            "unsaved_since": "t0",
            "lines": ["pending cancel: sierra leg o1.sierra (NQH6, ACCEPTED) since t"],
        },
        "active_orders": [],
    }
    text = render_status(data)
    assert "kill switch NOT complete yet" in text and "pending cancel: sierra leg o1.sierra" in text
    assert "not journaled yet" in text


@pytest.mark.parametrize(
    "command",
    [["status"], ["killswitch"], ["killswitch", "release"], ["approvals", "list"], ["trading-state", "halted"]],
)
def test_with_the_gateway_down_each_admin_command_answers_within_2s(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    from nexus_gw.cli.app import main
    from nexus_gw.stack import Endpoints

    endpoint = Endpoints.free().admin  # nothing listens there
    monkeypatch.setenv("NEXUSGW_ADMIN_ENDPOINT", endpoint)
    started = time.monotonic()
    code = main(command)
    elapsed = time.monotonic() - started
    assert (
        code == 1 and f"gateway not answering on {endpoint} (from $NEXUSGW_ADMIN_ENDPOINT)" in capsys.readouterr().err
    )
    assert elapsed < 2.0, f"{command} took {elapsed:.2f}s with nothing listening"


def test_endpoint_order_option_environment_profile_default(config: Path) -> None:
    from nexus_gw.cli.target import resolve_target

    profile = config / "profiles" / "dev.yaml"
    profile.write_text(profile.read_text() + "\ngateway:\n  sockets: {admin: 'tcp://127.0.0.1:6002'}\n")
    env = {"NEXUSGW_ADMIN_ENDPOINT": "tcp://127.0.0.1:6003", "NEXUSGW_PROFILE": "dev"}
    assert resolve_target("tcp://127.0.0.1:6004", None, config, env).endpoint == "tcp://127.0.0.1:6004"
    assert resolve_target(None, None, config, env).endpoint == "tcp://127.0.0.1:6003"
    del env["NEXUSGW_ADMIN_ENDPOINT"]
    assert resolve_target(None, None, config, env).source == "profile dev"
    assert resolve_target(None, None, config, env).endpoint == "tcp://127.0.0.1:6002"
    assert resolve_target(None, None, config, {}).endpoint == DEFAULT_ENDPOINT
