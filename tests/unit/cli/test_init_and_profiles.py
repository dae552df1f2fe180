"""``nexusgw init``, ``profile diff``, what ``profile validate`` says about this machine, ``trading-state``."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from nexus_gw.cli import app as app_module
from nexus_gw.cli.readiness import CANNOT_RUN, LIVE_NEEDS, NOTE, diff, findings
from nexus_gw.cli.state import render_states
from nexus_gw.config.loader import load_profile
from nexus_gw.config.paths import packaged_config_dir
from tests.conftest import CONFIG_DIR


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = app_module.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_writes_the_reference_config_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mine"
    code, out, _ = run(capsys, "init", str(target))
    assert code == 0 and f"to {target}" in out and "NEXUSGW_CONFIG_DIR" in out
    assert not filecmp.dircmp(target, packaged_config_dir()).diff_files
    assert sorted(p.name for p in (target / "profiles").iterdir()) == [
        *("dev.yaml", "stage1.yaml", "stage2.yaml", "stage3.yaml", "stage4.yaml")
    ]
    (target / "profiles" / "stage1.yaml").write_text("# mine\n")
    code, _, err = run(capsys, "init", str(target))
    assert code == 1 and "already has" in err and "--force" in err
    assert (target / "profiles" / "stage1.yaml").read_text() == "# mine\n"
    code, _, _ = run(capsys, "init", str(target), "--force")
    assert code == 0 and filecmp.cmp(target / "profiles" / "stage1.yaml", CONFIG_DIR / "profiles" / "stage1.yaml")
    assert load_profile("dev", target).name == "dev"


def test_init_without_a_directory_writes_the_user_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEXUSGW_CONFIG_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "init")
    assert code == 0 and "from any directory" in out
    assert (tmp_path / "xdg" / "nexusgw" / "gateway.yaml").is_file()


def test_operational_commands_without_a_profile_say_how_to_give_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEXUSGW_PROFILE", raising=False)
    for command in (["serve"], ["adapter", "nt8"], ["orders"]):
        code, _, err = run(capsys, *command, "--config-dir", str(CONFIG_DIR))
        assert code == 2, command
        assert "no profile given" in err and "NEXUSGW_PROFILE" in err and "stage1" in err, err


def test_stage2_on_linux_cannot_run_mt5_locally_nor_nt8_and_needs_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__SERVER", "Broker-Live")
    profile = load_profile("stage2", CONFIG_DIR).profile
    found = {(f.instance, f.kind) for f in findings(profile, env={}, platform="linux")}
    assert ("mt5_global", CANNOT_RUN) in found and ("nt8", CANNOT_RUN) in found
    assert ("mt5_global", LIVE_NEEDS) in found
    with_password = findings(profile, env={"NEXUSGW_MT5_GLOBAL_PASSWORD": "x"}, platform="linux")
    assert not [f for f in with_password if f.kind == LIVE_NEEDS]
    assert not [f for f in findings(profile, env={}, platform="win32") if f.instance == "nt8"]  # beside NinjaTrader


def test_nt8_from_linux_needs_the_bridge_to_the_ninjatrader_pc_and_bookmap_is_started_by_bookmap() -> None:
    from types import SimpleNamespace

    def instance(driver: str, **settings: object) -> SimpleNamespace:
        return SimpleNamespace(driver=driver, settings=settings, paper=False)

    profile = SimpleNamespace(
        enabled_platforms=lambda: {
            "ati": instance("nt8", mode="ati"),
            "remote": instance("nt8", mode="bridge", host="10.0.0.5"),
            "bookmap": instance("bookmap"),
            "quantower": instance("quantower", host="127.0.0.1"),
            "qt_remote": instance("quantower", host="10.0.0.6"),
        }
    )
    found = {f.instance: f for f in findings(profile, env={}, platform="linux")}
    assert found["ati"].kind == CANNOT_RUN and "run this adapter there" in found["ati"].message
    assert "remote" not in found  # the bridge reaches the AddOn on the NinjaTrader PC
    assert "Bookmap starts this adapter" in found["bookmap"].message
    assert found["quantower"].kind == CANNOT_RUN and "the Quantower PC" in found["quantower"].message
    assert "qt_remote" not in found  # the bridge reaches the strategy on the Quantower PC


def test_validate_strict_exits_1_on_what_cannot_run_here(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__SERVER", "Broker-Live")
    code, out, _ = run(capsys, "profile", "validate", "stage2", "--config-dir", str(CONFIG_DIR))
    assert code == 0 and "profile stage2 is valid" in out and "nt8: cannot run here" in out
    code, _, err = run(capsys, "profile", "validate", "stage2", "--strict", "--config-dir", str(CONFIG_DIR))
    assert code == 1 and "instance problem" in err


def test_dev_has_only_notes() -> None:
    assert {f.kind for f in findings(load_profile("dev", CONFIG_DIR).profile, env={}, platform="linux")} == {NOTE}


def test_profile_diff_lists_changed_added_and_removed_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert diff({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": 3}, "e": True}) == [
        "  a.b: 1 -> 3",
        "- a.c: 2",
        "- d: [1]",
        "+ e: True",
    ]
    monkeypatch.setenv("NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__SERVER", "Broker-Live")
    code, out, _ = run(capsys, "profile", "diff", "stage1", "stage2", "--config-dir", str(CONFIG_DIR))
    assert code == 0, out
    assert '  name: "stage1" -> "stage2"' in out
    assert "  risk.limits.max_daily_trades: 5 -> 10" in out
    assert '+ platforms.nt8.driver: "nt8"' in out


def test_trading_states_shown_with_the_kill_switch_first() -> None:
    text = render_states(
        {
            "kill_switch": {"active": True, "when": "t0", "who": "ops", "reason": "drill"},
            "trading_states": [
                {"scope": "symbol", "value": "NQ", "state": "HALTED", "since": "t1", "who": "ops", "reason": "news"}
            ],
        }
    )
    assert text.splitlines() == [
        "KILL SWITCH ACTIVE since t0 by ops: drill",
        "global: ACTIVE",
        "symbol NQ: HALTED since t1 by ops: news",
    ]


def test_trading_state_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "trading-state", "halted", "--platform", "nt8", "--symbol", "NQ")
    assert code == 2 and "not both" in err
    code, _, err = run(capsys, "trading-state", "paused")
    assert code == 2 and "active" in err
