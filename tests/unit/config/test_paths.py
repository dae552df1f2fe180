"""Config and data directories: the same answer from any working directory, cron and systemd included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_gw.config import paths
from nexus_gw.config.loader import load_profile
from nexus_gw.errors import ConfigError
from tests.conftest import CONFIG_DIR


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and home, with no NEXUSGW_ or XDG variables."""
    for name in ("NEXUSGW_CONFIG_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "STATE_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(paths, "SYSTEM_CONFIG_DIR", tmp_path / "etc-nexusgw")
    return tmp_path / "home"


def test_the_search_order_ends_at_the_shipped_reference_config(home: Path) -> None:
    assert paths.find_config_dir() == paths.packaged_config_dir()
    assert (paths.packaged_config_dir() / "profiles" / "stage1.yaml").is_file()


def test_user_config_dir_then_local_config_then_environment_then_option(home: Path, tmp_path: Path) -> None:
    user = home / ".config" / "nexusgw"
    shutil.copytree(CONFIG_DIR, user)
    assert paths.find_config_dir() == user
    shutil.copytree(CONFIG_DIR, Path.cwd() / "config")
    assert paths.find_config_dir() == Path.cwd() / "config"
    assert paths.find_config_dir(env={"NEXUSGW_CONFIG_DIR": str(user)}) == user
    assert paths.find_config_dir(user, env={"NEXUSGW_CONFIG_DIR": str(tmp_path / "nope")}) == user


def test_an_explicit_directory_without_gateway_yaml_is_an_error_not_a_fallback(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--config-dir .*nope has no gateway.yaml.*nexusgw init"):
        paths.find_config_dir(tmp_path / "nope")
    with pytest.raises(ConfigError, match=r"\$NEXUSGW_CONFIG_DIR .*nope has no gateway.yaml"):
        paths.find_config_dir(env={"NEXUSGW_CONFIG_DIR": str(tmp_path / "nope")})


def test_system_config_dir_comes_after_the_user_one(home: Path, tmp_path: Path) -> None:
    shutil.copytree(CONFIG_DIR, tmp_path / "etc-nexusgw")
    assert paths.find_config_dir() == tmp_path / "etc-nexusgw"


@pytest.mark.parametrize(
    ("env", "platform", "root", "expected"),
    [
        ({"STATE_DIRECTORY": "/var/lib/nexusgw:/var/lib/other", "HOME": "/h"}, "linux", False, "/var/lib/nexusgw"),
        ({"HOME": "/h"}, "linux", True, "/var/lib/nexusgw"),
        ({"HOME": "/h"}, "linux", False, "/h/.local/share/nexusgw"),
        ({"HOME": "/h", "XDG_DATA_HOME": "/x"}, "linux", False, "/x/nexusgw"),
        ({"HOME": "/h"}, "darwin", False, "/h/Library/Application Support/nexusgw"),
    ],
)
def test_base_data_dir(env: dict[str, str], platform: str, root: bool, expected: str) -> None:
    assert paths.base_data_dir(env, platform, is_root=root) == Path(expected)


def test_windows_data_and_config_dirs() -> None:
    env = {"LOCALAPPDATA": "C:/Users/t/AppData/Local", "APPDATA": "C:/Users/t/AppData/Roaming", "HOME": "C:/Users/t"}
    assert paths.user_data_dir(env, "win32") == Path("C:/Users/t/AppData/Local/nexusgw")
    assert paths.user_config_dir(env, "win32") == Path("C:/Users/t/AppData/Roaming/nexusgw")
    assert paths.base_data_dir(env, "win32", is_root=True) == Path("C:/Users/t/AppData/Local/nexusgw").absolute()


def test_a_loaded_profile_has_an_absolute_data_dir_wherever_it_is_run(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEXUSGW_GATEWAY__DATA_DIR", raising=False)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    assert load_profile("dev", CONFIG_DIR).profile.gateway.data_dir == tmp_path / "state"
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", "dev-journal")
    assert load_profile("dev", CONFIG_DIR).profile.gateway.data_dir == tmp_path / "state" / "dev-journal"
    monkeypatch.chdir(tmp_path)  # another working directory: the same journal
    assert load_profile("dev", CONFIG_DIR).profile.gateway.data_dir == tmp_path / "state" / "dev-journal"
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(tmp_path / "abs"))
    assert load_profile("dev", CONFIG_DIR).profile.gateway.data_dir == tmp_path / "abs"


def test_cli_settings_in_the_environment_are_not_taken_for_profile_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_PROFILE", "stage1")
    monkeypatch.setenv("NEXUSGW_ADMIN_ENDPOINT", "tcp://127.0.0.1:1")
    assert load_profile("dev", CONFIG_DIR).name == "dev"
