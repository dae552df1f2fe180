from __future__ import annotations

import pytest

from nexus_gw.adapters.mt5.settings import MT5Settings
from nexus_gw.adapters.registry import validate_driver_settings


def test_each_instance_reads_its_own_password_variable() -> None:
    settings = MT5Settings(server="Broker-Demo")
    assert settings.password_variable("mt5_global") == "NEXUSGW_MT5_GLOBAL_PASSWORD"
    assert settings.password_variable("mt5_brazil") == "NEXUSGW_MT5_BRAZIL_PASSWORD"
    assert MT5Settings(server="x", password_env="MY_PW").password_variable("mt5_global") == "MY_PW"


@pytest.mark.parametrize("settings", [{}, {"server": ""}, {"server": "   "}])
def test_an_instance_without_a_server_name_is_refused(settings: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"settings\.server"):
        validate_driver_settings("mt5", settings)


def test_a_password_is_never_a_setting() -> None:
    with pytest.raises(ValueError, match="password"):
        validate_driver_settings("mt5", {"server": "x", "password": "secret"})
