"""Sierra has one settings model: every setting reaches the DTC session by name, or is the driver's own."""

from __future__ import annotations

from nexus_gw.adapters.sierra.dtc.constants import Encoding
from nexus_gw.adapters.sierra.settings import DRIVER_ONLY_FIELDS, SESSION_FIELDS, SierraSettings


def test_every_setting_is_a_session_parameter_or_the_drivers_own() -> None:
    names = set(SierraSettings.model_fields)
    assert names - SESSION_FIELDS == DRIVER_ONLY_FIELDS, "a new setting must be a SessionConfig field or driver-only"


def test_every_session_setting_reaches_the_session() -> None:
    values = {
        "host": "10.1.2.3",
        "port": 12001,
        "encoding": "json",
        "trade_account": "Acct9",
        "exchange": "CME",
        "username": "me",
        "heartbeat_interval_s": 7,
        "connect_timeout_s": 2.5,
        "logon_timeout_s": 3.5,
        "request_timeout_s": 4.5,
        "reconnect_initial_s": 0.7,
        "reconnect_max_s": 9.0,
        "fill_history_days": 3,
        "client_name": "desk",
    }
    assert set(values) == set(SierraSettings.model_fields) - DRIVER_ONLY_FIELDS
    config = SierraSettings(**values).session_config("pw")  # type: ignore[arg-type]
    for name, value in values.items():
        expected = Encoding.JSON if name == "encoding" else value
        assert getattr(config, name) == expected, name
    assert config.password == "pw"
