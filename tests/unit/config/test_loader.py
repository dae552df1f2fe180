from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_gw.adapters.registry import validate_driver_settings
from nexus_gw.config.loader import available_profiles, find_config_dir, load_profile
from nexus_gw.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def write_profile(config: Path, name: str, text: str) -> None:
    (config / "profiles" / f"{name}.yaml").write_text(text)


@pytest.mark.parametrize("name", ["dev", "stage1", "stage2", "stage3", "stage4"])
def test_shipped_profiles_validate(name: str) -> None:
    assert load_profile(name, CONFIG).profile.name == name


def test_stages_follow_the_go_live_plan() -> None:
    expected = {
        "stage1": ({"mt5_global"}, ["NQ"], 1, 5, 50),
        "stage2": ({"mt5_global", "nt8"}, ["NQ"], 1, 10, 75),
        "stage3": ({"mt5_global", "nt8", "sierra"}, ["NQ", "ES", "YM"], 2, 20, 100),
        "stage4": (
            {"mt5_global", "nt8", "sierra", "mt5_brazil", "bookmap", "quantower"},
            ["NQ", "ES", "YM", "RTY", "BTCUSD", "ETHUSD", "WIN", "WDO"],
            5,
            50,
            200,
        ),
    }
    for name, (platforms, symbols, max_pos, trades, risk) in expected.items():
        p = load_profile(name, CONFIG).profile
        assert set(p.enabled_platforms()) == platforms, name
        assert p.symbols == symbols, name
        assert p.risk.limits.max_position_per_symbol == max_pos, name
        assert p.risk.limits.max_daily_trades == trades, name
        assert p.risk.limits.risk_per_trade_usd == risk, name
        assert p.risk.auto_execute, name


def test_extends_merges_platforms_and_later_file_wins() -> None:
    stage2 = load_profile("stage2", CONFIG)
    assert stage2.profile.platforms["mt5_global"].driver == "mt5"
    assert [f.name for f in stage2.files] == ["gateway.yaml", "stage1.yaml", "stage2.yaml"]


def test_misspelt_key_names_file_line_and_what_to_do(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "extends: dev\ntrading:\n  defualt_qty: 2\n")
    with pytest.raises(ConfigError) as err:
        load_profile("bad", config_copy)
    text = str(err.value)
    assert f"{config_copy}/profiles/bad.yaml:3:3: trading.defualt_qty: unknown key" in text


def test_wrong_value_names_file_line_value_and_limit(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "extends: dev\ntrading:\n  default_qty: -1\n")
    with pytest.raises(ConfigError) as err:
        load_profile("bad", config_copy)
    assert "bad.yaml:3:3: trading.default_qty: Input should be greater than 0 (was -1)" in str(err.value)


def test_wrong_choice_lists_the_allowed_values(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "extends: dev\ntrading:\n  roll_positions: maybe\n")
    with pytest.raises(ConfigError, match="'report' or 'auto'"):
        load_profile("bad", config_copy)


def test_unknown_driver_lists_valid_drivers(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "symbols: [NQ]\nplatforms:\n  nt8:\n    driver: ninja\n")
    with pytest.raises(ConfigError) as err:
        load_profile("bad", config_copy, check_settings=validate_driver_settings)
    assert "bad.yaml:4:5" in str(err.value) or "bad.yaml:3:3" in str(err.value)
    assert "valid drivers: bookmap, mt5, nt8, quantower, sierra, sim" in str(err.value)


def test_unknown_symbol_and_platform_are_refused_with_the_known_ones(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "symbols: [NQ, XYZ]\nplatforms:\n  nt8: {driver: sim}\n  nt9: {driver: sim}\n")
    with pytest.raises(ConfigError) as err:
        load_profile("bad", config_copy)
    text = str(err.value)
    assert "bad.yaml:1:15: symbols: 'XYZ' is not an instrument" in text
    assert "platforms.nt9: no symbol mapping" in text


def test_symbol_that_no_enabled_platform_trades_is_refused(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "symbols: [WIN]\nplatforms:\n  nt8: {driver: sim}\n")
    with pytest.raises(ConfigError, match="'WIN' is traded by none of the enabled platforms"):
        load_profile("bad", config_copy)


def test_extends_loop_is_detected(config_copy: Path) -> None:
    write_profile(config_copy, "a", "extends: b\n")
    write_profile(config_copy, "b", "extends: a\n")
    with pytest.raises(ConfigError, match="extends loop"):
        load_profile("a", config_copy)


def test_unknown_profile_lists_available(config_copy: Path) -> None:
    with pytest.raises(ConfigError, match="available: dev, stage1"):
        load_profile("stage9", config_copy)
    assert "stage4" in available_profiles(config_copy)


def test_invalid_yaml_is_a_config_error(config_copy: Path) -> None:
    write_profile(config_copy, "bad", "symbols: [NQ\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_profile("bad", config_copy)


def test_environment_overrides_files_and_errors_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S", "0.5")
    monkeypatch.setenv("NEXUSGW_TRADING__DEFAULT_QTY", "2")
    profile = load_profile("dev", CONFIG).profile
    assert profile.gateway.heartbeat_interval_s == 0.5
    assert profile.trading.default_qty == 2
    monkeypatch.setenv("NEXUSGW_TRADING__DEFAULT_QTY", "-3")
    with pytest.raises(ConfigError, match=r"environment variable NEXUSGW_TRADING__DEFAULT_QTY: trading\.default_qty"):
        load_profile("dev", CONFIG)


def test_non_loopback_bind_is_refused_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__PLATFORM", "tcp://0.0.0.0:5555")
    with pytest.raises(ConfigError, match="not a loopback address"):
        load_profile("dev", CONFIG)


def test_config_dir_is_found_from_environment(monkeypatch: pytest.MonkeyPatch, config_copy: Path) -> None:
    monkeypatch.setenv("NEXUSGW_CONFIG_DIR", str(config_copy))
    assert find_config_dir() == config_copy
    monkeypatch.setenv("NEXUSGW_CONFIG_DIR", str(config_copy / "nope"))
    with pytest.raises(ConfigError, match="pass --config-dir"):
        find_config_dir()


def test_platform_sizing_per_root_with_a_wildcard(config_copy: Path) -> None:
    write_profile(
        config_copy,
        "cfd",
        "extends: dev\nplatforms:\n  mt5_global:\n    sizing:\n      '*': {multiplier: 10, volume_step: 0.1}\n"
        "      ES: {multiplier: 50, volume_step: 0.01, min_volume: 1}\n",
    )
    instance = load_profile("cfd", config_copy).profile.platforms["mt5_global"]
    assert instance.sizing_for("ES").multiplier == 50 and instance.sizing_for("ES").min_volume == 1
    assert instance.sizing_for("NQ").multiplier == 20  # dev's NQ entry, merged
    assert instance.sizing_for("WIN").multiplier == 10
    write_profile(config_copy, "bad", "extends: dev\nplatforms:\n  nt8:\n    sizing:\n      NQ: {multiplier: 0}\n")
    with pytest.raises(ConfigError, match=r"platforms\.nt8\.sizing\.NQ\.multiplier: Input should be greater than 0"):
        load_profile("bad", config_copy)
