"""The Sierra driver's settings as profiles give them: validation, secrets, the registry and env overrides."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.registry import build_driver, validate_driver_settings
from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.dtc.constants import Encoding
from nexus_gw.adapters.sierra.settings import SierraSettings
from nexus_gw.config.loader import load_profile
from nexus_gw.errors import ConfigError
from tests.conftest import CONFIG_DIR


def test_a_password_in_the_settings_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match=r"password must not be written in a settings file.*NEXUSGW_SIERRA_PASSWORD"):
        validate_driver_settings("sierra", {"username": "me", "password": "hunter2"})


def test_unknown_keys_and_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match=r"settings\.prot"):
        validate_driver_settings("sierra", {"prot": 11099})
    with pytest.raises(ValueError, match=r"settings\.encoding"):
        validate_driver_settings("sierra", {"encoding": "protobuf"})
    with pytest.raises(ValueError, match="reconnect_max_s"):
        validate_driver_settings("sierra", {"reconnect_initial_s": 5, "reconnect_max_s": 1})


def test_settings_become_the_session_config() -> None:
    settings = SierraSettings(host="10.0.0.5", port=11199, encoding="json", trade_account="Acct7", exchange="CME")
    config = settings.session_config("pw")
    assert (config.host, config.port, config.encoding, config.trade_account, config.exchange) == (
        "10.0.0.5",
        11199,
        Encoding.JSON,
        "Acct7",
        "CME",
    )
    assert config.password == "pw" and "pw" not in repr(config)


def test_over_long_instance_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="rename the platform instance to at most 11 characters"):
        SierraDriver("sierra_live_account", SierraSettings())
    assert SierraDriver("sierra_live", SierraSettings()).name == "sierra_live"


def test_the_dev_profile_runs_the_real_driver_and_its_port_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEXUSGW_PLATFORMS__SIERRA__SETTINGS__PORT", "12345")
    instance = load_profile("dev", CONFIG_DIR).profile.platforms["sierra"]
    assert instance.driver == "sierra"
    driver = build_driver(instance.driver, "sierra", instance.settings)
    assert isinstance(driver, SierraDriver)
    assert driver.settings.port == 12345 and driver.settings.simulator and driver.settings.host == "127.0.0.1"
