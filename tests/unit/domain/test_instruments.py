"""Instrument specifications: the shipped file, validation of bad input, and registry look-ups."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from nexus_gw.domain.instruments import (
    ExpiryRule,
    InstrumentKind,
    InstrumentRegistry,
    InstrumentsFile,
    RollRule,
)
from nexus_gw.errors import UnknownSymbolError
from tests.unit.domain import instruments_data, shipped_registry

ALL_ROOTS = [
    "BTC", "BTCUSD", "ES", "ETH", "ETHUSD", "M2K", "MBT", "MES",
    "MET", "MNQ", "MYM", "NQ", "RTY", "WDO", "WIN", "YM",
]  # fmt: skip


def test_shipped_file_lists_every_root_of_the_plan() -> None:
    assert shipped_registry().roots() == ALL_ROOTS


@pytest.mark.parametrize(
    ("root", "exchange", "currency", "tick_size", "point_value", "tick_value", "months"),
    [
        ("ES", "CME", "USD", "0.25", "50", "12.50", "HMUZ"),
        ("MES", "CME", "USD", "0.25", "5", "1.25", "HMUZ"),
        ("NQ", "CME", "USD", "0.25", "20", "5.00", "HMUZ"),
        ("MNQ", "CME", "USD", "0.25", "2", "0.50", "HMUZ"),
        ("YM", "CBOT", "USD", "1", "5", "5", "HMUZ"),
        ("MYM", "CBOT", "USD", "1", "0.5", "0.5", "HMUZ"),
        ("RTY", "CME", "USD", "0.1", "50", "5.0", "HMUZ"),
        ("M2K", "CME", "USD", "0.1", "5", "0.5", "HMUZ"),
        ("BTC", "CME", "USD", "5", "5", "25", "FGHJKMNQUVXZ"),
        ("MBT", "CME", "USD", "5", "0.1", "0.5", "FGHJKMNQUVXZ"),
        ("ETH", "CME", "USD", "0.5", "50", "25", "FGHJKMNQUVXZ"),
        ("MET", "CME", "USD", "0.5", "0.1", "0.05", "FGHJKMNQUVXZ"),
        ("WIN", "B3", "BRL", "5", "0.2", "1.0", "GJMQVZ"),
        ("WDO", "B3", "BRL", "0.5", "10", "5.0", "FGHJKMNQUVXZ"),
    ],
)
def test_contract_specs_match_the_reference_table(
    root: str, exchange: str, currency: str, tick_size: str, point_value: str, tick_value: str, months: str
) -> None:
    instrument = shipped_registry().get(root)
    assert instrument.exchange == exchange
    assert instrument.currency == currency
    assert instrument.tick_size == Decimal(tick_size)
    assert instrument.point_value == Decimal(point_value)
    assert instrument.tick_value == Decimal(tick_value)
    assert instrument.contract_months == months
    assert instrument.is_expiring


@pytest.mark.parametrize("root", ["BTCUSD", "ETHUSD"])
def test_spot_cfds_never_expire(root: str) -> None:
    instrument = shipped_registry().get(root)
    assert instrument.kind is InstrumentKind.SPOT
    assert not instrument.is_expiring
    assert instrument.expiry_rule is ExpiryRule.NONE
    assert instrument.roll_rule is RollRule.NONE


def test_win_months_are_the_even_months_in_calendar_order() -> None:
    assert shipped_registry().get("WIN").month_numbers() == (2, 4, 6, 8, 10, 12)


def test_unknown_root_error_lists_the_known_roots() -> None:
    with pytest.raises(UnknownSymbolError, match=r"unknown instrument root 'XX'; known roots: BTC, BTCUSD, ES"):
        shipped_registry().get("XX")


def test_registry_supports_membership_length_and_iteration() -> None:
    registry = shipped_registry()
    assert "NQ" in registry
    assert "nq" not in registry
    assert len(registry) == len(ALL_ROOTS)
    assert [instrument.root for instrument in registry] == ALL_ROOTS


def test_misspelt_key_is_refused_with_its_location() -> None:
    data = instruments_data()
    data["instruments"]["NQ"]["tick_sise"] = 0.25
    with pytest.raises(ValidationError) as caught:
        InstrumentRegistry.from_mapping(data)
    assert caught.value.errors()[0]["loc"] == ("instruments", "NQ", "tick_sise")
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_misspelt_top_level_key_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        InstrumentsFile.model_validate({"instrument": {}})
    locs = {error["loc"] for error in caught.value.errors()}
    assert ("instrument",) in locs and ("instruments",) in locs


def test_unknown_expiry_rule_is_refused_and_the_error_lists_the_rules() -> None:
    data = instruments_data()
    data["instruments"]["ES"]["expiry_rule"] = "third_friday"
    with pytest.raises(ValidationError, match="cme_equity_index") as caught:
        InstrumentRegistry.from_mapping(data)
    assert caught.value.errors()[0]["loc"] == ("instruments", "ES", "expiry_rule")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tick_size", 0, "greater than 0"),
        ("point_value", -5, "greater than 0"),
        ("contract_months", "HMUA", "unknown month codes 'A'"),
        ("contract_months", "HHMUZ", "listed twice"),
        ("timezone", "America/Chicgo", "unknown time zone"),
        ("currency", "usd", "pattern"),
        ("roll_day_offset", 2, "less than or equal to 0"),
    ],
)
def test_bad_values_are_refused_at_their_field(field: str, value: object, message: str) -> None:
    data = instruments_data()
    data["instruments"]["NQ"][field] = value
    with pytest.raises(ValidationError, match=message) as caught:
        InstrumentRegistry.from_mapping(data)
    assert caught.value.errors()[0]["loc"] == ("instruments", "NQ", field)


def test_a_future_without_an_expiry_rule_is_refused_with_what_to_set() -> None:
    data = instruments_data()
    del data["instruments"]["WIN"]["expiry_rule"]
    with pytest.raises(ValidationError, match="a future needs expiry_rule; set them or use kind: spot") as caught:
        InstrumentRegistry.from_mapping(data)
    assert caught.value.errors()[0]["loc"] == ("instruments", "WIN")


def test_a_future_without_a_roll_rule_rolls_on_the_monday_of_expiry_week() -> None:
    data = instruments_data()
    del data["instruments"]["ES"]["roll_rule"]
    registry = InstrumentRegistry.from_mapping(data)
    assert registry.get("ES").roll_rule is RollRule.MONDAY_OF_EXPIRY_WEEK
    assert registry.get("BTCUSD").roll_rule is RollRule.NONE


def test_a_spot_instrument_with_contract_months_is_refused() -> None:
    data = instruments_data()
    data["instruments"]["BTCUSD"]["contract_months"] = "Z"
    with pytest.raises(ValidationError, match="a spot instrument never expires"):
        InstrumentRegistry.from_mapping(data)


def test_lower_case_root_is_refused() -> None:
    data = instruments_data()
    data["instruments"]["nq"] = data["instruments"].pop("NQ")
    with pytest.raises(ValidationError) as caught:
        InstrumentRegistry.from_mapping(data)
    assert caught.value.errors()[0]["loc"] == ("instruments", "nq", "[key]")


def test_adding_an_instrument_is_a_config_change() -> None:
    data = instruments_data()
    data["instruments"]["EMD"] = dict(data["instruments"]["ES"], description="E-mini S&P MidCap 400", point_value=100)
    registry = InstrumentRegistry.from_mapping(data)
    assert registry.get("EMD").tick_value == Decimal("25.00")


def test_models_are_frozen_and_every_field_is_described() -> None:
    instrument = shipped_registry().get("NQ")
    with pytest.raises(ValidationError):
        instrument.tick_size = Decimal(1)  # type: ignore[misc]
    for model in (InstrumentsFile, type(instrument)):
        assert all(field.description for field in model.model_fields.values())
