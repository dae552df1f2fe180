"""The Quantower driver's pure parts: settings, the spelling check of each connection, order statuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nexus_gw.adapters.quantower.settings import QuantowerSettings
from nexus_gw.adapters.quantower.states import leg_status
from nexus_gw.adapters.quantower.symbols import wrong_spelling
from nexus_gw.adapters.registry import companion, validate_driver_settings
from nexus_gw.protocol.constants import OrderStatus


def test_defaults_are_a_rithmic_account_on_port_9002_and_the_nt8_port_is_not_reused() -> None:
    settings = QuantowerSettings(account="SIM-1")
    assert (settings.port, settings.connection, settings.tif) == (9002, "rithmic", "DAY")


def test_an_empty_account_says_what_to_set() -> None:
    with pytest.raises(ValidationError, match=r"set settings\.account"):
        QuantowerSettings(account="  ")


def test_an_unknown_connection_or_setting_is_refused_by_the_registry() -> None:
    with pytest.raises(ValueError, match=r"settings\.connection"):
        validate_driver_settings("quantower", {"account": "A", "connection": "ib"})
    with pytest.raises(ValueError, match=r"settings\.prot"):
        validate_driver_settings("quantower", {"account": "A", "prot": 1})


def test_the_simulator_flag_asks_for_the_pure_python_companion() -> None:
    found = companion("quantower", {"account": "A", "simulator": True})
    assert found is not None and found.module == "nexus_gw.adapters.quantower.companion"
    assert companion("quantower", {"account": "A"}) is None


@pytest.mark.parametrize(
    ("connection", "good", "bad"),
    [
        ("rithmic", ["NQZ6", "MNQH7", "ESM5"], ["NQZ26", "NQ 12-26", "NQZ6.CME@RITHMIC", "/NQZ26:XCME"]),
        ("cqg", ["ENQZ26", "EPH25", "MNQZ26"], ["NQZ6", "F.US.EPH25", "NQ 12-26"]),
        ("dxfeed", ["/NQZ26:XCME", "/YMH25:XCBT"], ["NQZ26", "/NQZ6:XCME", "NQZ6"]),
    ],
)
def test_each_connection_accepts_its_spelling_only(connection: str, good: list[str], bad: list[str]) -> None:
    for symbol in good:
        assert wrong_spelling(connection, symbol) is None, symbol
    for symbol in bad:
        reason = wrong_spelling(connection, symbol)
        assert reason is not None and repr(symbol) in reason and "settings.connection" in reason


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("Opened", OrderStatus.ACCEPTED),
        ("PartiallyFilled", OrderStatus.ACCEPTED),
        ("INACTIVE", OrderStatus.ACCEPTED),
        ("FILLED", OrderStatus.FILLED),
        ("Cancelled", OrderStatus.CANCELLED),
        ("REFUSED", OrderStatus.REJECTED),
        ("REJECTED", OrderStatus.REJECTED),  # the bridge's own names (the compiled harness) read too
        ("PARTFILLED", OrderStatus.ACCEPTED),
        ("UNSPECIFIED", None),
    ],
)
def test_quantower_statuses_and_the_bridge_names_read_as_leg_statuses(state: str, status: OrderStatus | None) -> None:
    assert leg_status(state) is status
