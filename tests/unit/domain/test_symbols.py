"""Symbol mapping per platform instance: templates, suffixes, overrides, aliases, reading symbols back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from nexus_gw.domain.contracts import contract_for, front_contract
from nexus_gw.domain.symbols import PlatformSpec, SymbolMapper, SymbolsFile
from nexus_gw.errors import ConfigError, UnknownPlatformError, UnknownSymbolError, UsageError
from tests.unit.domain import shipped_mapper, shipped_registry, symbols_data

CHICAGO = ZoneInfo("America/Chicago")
MARCH_2025 = datetime(2025, 2, 10, 12, 0, tzinfo=CHICAGO)  # front equity contract: H25


def mapper_with(platform: str, **changes: object) -> SymbolMapper:
    data = symbols_data()
    data["platforms"][platform].update(changes)
    return SymbolMapper.from_mapping(data, shipped_registry())


# --- resolve: root -> platform symbol ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "root", "symbol"),
    [
        ("nt8", "NQ", "NQ 03-25"),
        ("nt8", "YM", "YM 03-25"),
        ("nt8", "BTC", "BTC 02-25"),
        ("sierra", "NQ", "NQH25"),
        ("sierra", "MNQ", "MNQH25"),
        ("mt5_global", "NQ", "NAS100"),
        ("mt5_global", "ES", "US500"),
        ("mt5_global", "YM", "US30"),
        ("mt5_global", "RTY", "US2000"),
        ("mt5_global", "BTC", "BTCUSD"),
        ("mt5_global", "BTCUSD", "BTCUSD"),
        ("mt5_global", "ETHUSD", "ETHUSD"),
        ("mt5", "NQ", "NAS100"),
        ("mt5_brazil", "WIN", "WINJ25"),
        ("mt5_brazil", "WDO", "WDOH25"),
        ("bookmap", "NQ", "NQH5.CME@RITHMIC"),
        ("bookmap", "YM", "YMH5.CBOT@RITHMIC"),
        ("quantower", "ES", "ESH5"),
    ],
)
def test_resolve_gives_each_platforms_spelling_of_the_front_contract(platform: str, root: str, symbol: str) -> None:
    assert shipped_mapper().resolve(root, platform, MARCH_2025) == symbol


def test_resolve_follows_the_roll() -> None:
    mapper = shipped_mapper()
    assert mapper.resolve("NQ", "nt8", datetime(2025, 3, 14, 12, tzinfo=CHICAGO)) == "NQ 03-25"
    assert mapper.resolve("NQ", "nt8", datetime(2025, 3, 17, 12, tzinfo=CHICAGO)) == "NQ 06-25"
    assert mapper.resolve("WDO", "mt5_brazil", datetime(2025, 4, 30, 12, tzinfo=UTC)) == "WDOM25"
    assert mapper.resolve("WIN", "mt5_brazil", datetime(2025, 4, 14, 12, tzinfo=UTC)) == "WINM25"


@pytest.mark.parametrize(
    ("suffix", "symbol"),
    [("-{exchange}", "YMH25-CBOT"), ("_FUT_{exchange}", "YMH25_FUT_CBOT"), (".CME", "YMH25.CME")],
)
def test_sierra_suffix_is_configurable_and_uses_the_instruments_exchange(suffix: str, symbol: str) -> None:
    mapper = mapper_with("sierra", suffix=suffix)
    assert mapper.resolve("YM", "sierra", MARCH_2025) == symbol
    assert mapper.normalize(symbol, "sierra") == "YM"


def test_sierra_can_use_a_one_digit_year() -> None:
    mapper = mapper_with("sierra", template="{root}{month_code}{y}", suffix=".{exchange}")
    assert mapper.resolve("NQ", "sierra", MARCH_2025) == "NQH5.CME"
    root, found = mapper.parse("NQH5.CME", "sierra", at=MARCH_2025)
    assert (root, found) == ("NQ", contract_for(shipped_registry().get("NQ"), 2025, 3))


def test_native_roots_spell_a_root_the_platforms_own_way() -> None:
    mapper = mapper_with("quantower", native_roots={"ES": "EP"}, template="{root}{month_code}{yy}")
    assert mapper.resolve("ES", "quantower", MARCH_2025) == "EPH25"
    assert mapper.normalize("EPH25", "quantower") == "ES"


def test_resolve_of_a_root_the_platform_does_not_trade_lists_what_it_trades() -> None:
    with pytest.raises(UnknownSymbolError, match=r"platform 'mt5_brazil' does not trade 'NQ'; it trades WDO, WIN"):
        shipped_mapper().resolve("NQ", "mt5_brazil", MARCH_2025)


def test_resolve_of_an_unknown_root_lists_the_known_roots() -> None:
    with pytest.raises(UnknownSymbolError, match="unknown instrument root 'NQX'; known roots: BTC"):
        shipped_mapper().resolve("NQX", "nt8", MARCH_2025)


# --- normalize / parse: platform symbol -> root ---------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "symbol", "root"),
    [
        ("nt8", "NQ 03-25", "NQ"),
        ("nt8", "NQ MAR25", "NQ"),
        ("nt8", "MNQ 12-27", "MNQ"),
        ("sierra", "NQH25", "NQ"),
        ("sierra", "MNQH25", "MNQ"),
        ("mt5_global", "NAS100", "NQ"),
        ("mt5", "US500", "ES"),
        ("mt5_global", "BTCUSD", "BTCUSD"),
        ("mt5_brazil", "WINJ25", "WIN"),
        ("mt5_brazil", "WDOK25", "WDO"),
        ("bookmap", "NQH5.CME@RITHMIC", "NQ"),
        ("quantower", "M2KZ7", "M2K"),
    ],
)
def test_normalize_reads_a_platform_symbol_back_to_its_root(platform: str, symbol: str, root: str) -> None:
    assert shipped_mapper().normalize(symbol, platform) == root


def test_parse_gives_root_and_contract() -> None:
    root, found = shipped_mapper().parse("NQH25", "sierra")
    assert root == "NQ"
    assert found is not None
    assert (found.code, found.last_trade_date, found.roll_date) == (
        "NQH25",
        date(2025, 3, 21),
        date(2025, 3, 17),
    )


def test_parse_of_nt8_long_month_form_gives_the_same_contract() -> None:
    assert shipped_mapper().parse("NQ MAR25", "nt8") == shipped_mapper().parse("NQ 03-25", "nt8")


@pytest.mark.parametrize("symbol", ["NAS100", "ETHUSD", "BTCUSD"])
def test_parse_of_a_cfd_or_spot_symbol_has_no_contract(symbol: str) -> None:
    assert shipped_mapper().parse(symbol, "mt5_global")[1] is None


def test_parse_of_a_one_digit_year_needs_the_time_it_was_seen() -> None:
    with pytest.raises(UsageError, match="one-digit year, which repeats every decade; pass at="):
        shipped_mapper().parse("NQH5", "quantower")


@pytest.mark.parametrize(
    ("seen", "year"), [(datetime(2025, 2, 1, tzinfo=UTC), 2025), (datetime(2029, 11, 1, tzinfo=UTC), 2035)]
)
def test_parse_reads_a_one_digit_year_from_two_years_back_to_seven_ahead(seen: datetime, year: int) -> None:
    _, found = shipped_mapper().parse("NQH5", "quantower", at=seen)
    assert found is not None and found.year == year


def test_normalize_of_an_unknown_symbol_lists_what_the_platform_knows() -> None:
    with pytest.raises(UnknownSymbolError) as caught:
        shipped_mapper().normalize("NQ 3-25", "nt8")
    message = str(caught.value)
    assert "unknown symbol 'NQ 3-25' on platform 'nt8'" in message
    assert "roots BTC, ES, ETH, M2K, MBT, MES, MET, MNQ, MYM, NQ, RTY, YM" in message
    assert "'{root} {mm}-{yy}'" in message


def test_normalize_of_an_unknown_cfd_lists_the_fixed_symbols() -> None:
    with pytest.raises(UnknownSymbolError, match="fixed symbols BTCUSD, ETHUSD, NAS100, US2000, US30, US500"):
        shipped_mapper().normalize("USTEC", "mt5_global")


def test_normalize_refuses_a_month_the_root_does_not_list() -> None:
    with pytest.raises(UnknownSymbolError, match=r"NQ lists no F \(JAN\) contract; listed months: HMUZ"):
        shipped_mapper().normalize("NQF25", "sierra")


def test_normalize_does_not_confuse_a_micro_with_its_big_contract() -> None:
    mapper = shipped_mapper()
    assert mapper.normalize("MESH25", "sierra") == "MES"
    assert mapper.normalize("ESH25", "sierra") == "ES"
    with pytest.raises(UnknownSymbolError):
        mapper.normalize("XESH25", "sierra")


# --- platforms, aliases, support --------------------------------------------------------------------------


def test_platforms_are_the_shipped_instances() -> None:
    assert shipped_mapper().platforms() == [
        "bookmap",
        "mt5_brazil",
        "mt5_global",
        "nt8",
        "quantower",
        "quantower_cqg",
        "quantower_dxfeed",
        "sierra",
    ]


def test_mt5_is_an_alias_of_mt5_global() -> None:
    assert shipped_mapper().canonical_platform("mt5") == "mt5_global"
    assert shipped_mapper().canonical_platform("sierra") == "sierra"


def test_unknown_platform_error_lists_names_and_aliases() -> None:
    with pytest.raises(
        UnknownPlatformError, match=r"unknown platform 'ninja'; known platforms: bookmap, .*mt5 → mt5_global"
    ):
        shipped_mapper().canonical_platform("ninja")


def test_supports_and_roots_for_answer_per_platform() -> None:
    mapper = shipped_mapper()
    assert mapper.roots_for("mt5_brazil") == ["WDO", "WIN"]
    assert mapper.supports("mt5", "NQ")
    assert not mapper.supports("mt5_brazil", "NQ")
    with pytest.raises(UnknownPlatformError):
        mapper.supports("nt9", "NQ")


def test_symbols_for_lists_every_root_of_a_platform_at_a_time() -> None:
    assert shipped_mapper().symbols_for("mt5_brazil", MARCH_2025) == {"WDO": "WDOH25", "WIN": "WINJ25"}


# --- validation of symbols.yaml -------------------------------------------------------------------------


def test_misspelt_key_is_refused_with_its_location() -> None:
    data = symbols_data()
    data["platforms"]["nt8"]["templat"] = "{root}"
    with pytest.raises(ValidationError) as caught:
        SymbolMapper.from_mapping(data, shipped_registry())
    assert caught.value.errors()[0]["loc"] == ("platforms", "nt8", "templat")


def test_unknown_placeholder_is_refused_and_the_placeholders_are_listed() -> None:
    data = symbols_data()
    data["platforms"]["sierra"]["template"] = "{root}{month}{yy}"
    with pytest.raises(ValidationError, match=r"unknown placeholder \{month\}; use exchange, mm, mon") as caught:
        SymbolsFile.model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("platforms", "sierra", "template")


def test_contract_template_without_a_year_is_refused() -> None:
    data = symbols_data()
    data["platforms"]["nt8"]["template"] = "{root} {mm}"
    with pytest.raises(ValidationError, match=r"needs a month .* and a year"):
        SymbolsFile.model_validate(data)


def test_root_missing_from_instruments_is_refused_with_the_known_roots() -> None:
    data = symbols_data()
    data["platforms"]["nt8"]["roots"].append("CL")
    with pytest.raises(ValidationError, match=r"roots \['CL'\] are not in config/instruments.yaml") as caught:
        SymbolMapper.from_mapping(data, shipped_registry())
    assert caught.value.errors()[0]["loc"] == ("platforms", "nt8")


def test_override_for_a_root_the_platform_does_not_trade_is_refused() -> None:
    data = symbols_data()
    data["platforms"]["mt5_global"]["overrides"]["MNQ"] = "NAS100MICRO"
    with pytest.raises(ValidationError, match=r"overrides names roots this platform does not trade: \['MNQ'\]"):
        SymbolsFile.model_validate(data)


def test_futures_without_override_or_template_are_refused() -> None:
    data = symbols_data()
    del data["platforms"]["mt5_global"]["overrides"]["NQ"]
    with pytest.raises(ValidationError, match=r"futures \['NQ'\] have no override, so set 'template'"):
        SymbolMapper.from_mapping(data, shipped_registry())


def test_two_roots_on_one_fixed_symbol_need_an_owner() -> None:
    data = symbols_data()
    data["platforms"]["mt5_global"]["overrides"]["ES"] = "NAS100"
    with pytest.raises(ValidationError, match=r"roots \['NQ', 'ES'\] all map to symbol 'NAS100'; say which one"):
        SymbolMapper.from_mapping(data, shipped_registry())
    data["platforms"]["mt5_global"]["symbol_owners"]["NAS100"] = "ES"
    assert SymbolMapper.from_mapping(data, shipped_registry()).normalize("NAS100", "mt5") == "ES"


def test_a_file_validated_without_the_registry_is_still_checked_when_the_mapper_is_built() -> None:
    data = symbols_data()
    data["platforms"]["nt8"]["roots"].append("CL")
    file = SymbolsFile.model_validate(data)
    with pytest.raises(ConfigError, match=r"platforms.nt8: roots \['CL'\] are not in config/instruments.yaml"):
        SymbolMapper(file, shipped_registry())


def test_symbol_owner_must_be_one_of_the_roots_sharing_the_symbol() -> None:
    data = symbols_data()
    data["platforms"]["mt5_global"]["symbol_owners"]["BTCUSD"] = "ETHUSD"
    with pytest.raises(
        ValidationError, match=r"gives 'ETHUSD' for 'BTCUSD', which is the symbol of \['BTC', 'BTCUSD'\]"
    ):
        SymbolMapper.from_mapping(data, shipped_registry())


def test_symbol_owner_for_a_symbol_nobody_uses_is_refused() -> None:
    data = symbols_data()
    data["platforms"]["mt5_global"]["symbol_owners"]["USTEC"] = "NQ"
    with pytest.raises(ValidationError, match=r"symbol_owners names symbols \['USTEC'\] that no override"):
        SymbolMapper.from_mapping(data, shipped_registry())


def test_suffix_cannot_carry_a_date() -> None:
    data = symbols_data()
    data["platforms"]["sierra"]["suffix"] = "-{yy}"
    with pytest.raises(ValidationError, match="cannot use dated placeholders") as caught:
        SymbolsFile.model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("platforms", "sierra", "suffix")


def test_alias_that_clashes_with_a_platform_name_is_refused() -> None:
    data = symbols_data()
    data["platforms"]["nt8"]["aliases"] = ["sierra"]
    with pytest.raises(ValidationError, match="platform alias 'sierra' of 'nt8' is already used by 'sierra'"):
        SymbolsFile.model_validate(data)


def test_models_are_frozen_and_every_field_is_described() -> None:
    for model in (SymbolsFile, PlatformSpec):
        assert all(field.description for field in model.model_fields.values())
    with pytest.raises(ValidationError):
        SymbolsFile.model_validate(symbols_data()).platforms["nt8"].roots = []  # type: ignore[misc]


# --- round trip ---------------------------------------------------------------------------------------------

SHARED_FIXED_SYMBOLS = {("mt5_global", "BTC")}  # BTC and BTCUSD are both "BTCUSD" there; it reads back as BTCUSD

PLATFORM_ROOTS = sorted(
    (platform, root) for platform in shipped_mapper().platforms() for root in shipped_mapper().roots_for(platform)
)
START = datetime(2025, 1, 1, tzinfo=UTC)
SECONDS_2025_TO_2027 = int((datetime(2028, 1, 1, tzinfo=UTC) - START).total_seconds()) - 1


@settings(max_examples=400, deadline=None)
@given(pair=st.sampled_from(PLATFORM_ROOTS), offset=st.integers(0, SECONDS_2025_TO_2027))
def test_normalize_of_resolve_gives_back_the_root_on_every_platform_2025_to_2027(
    pair: tuple[str, str], offset: int
) -> None:
    platform, root = pair
    at = START + timedelta(seconds=offset)
    mapper = shipped_mapper()
    symbol = mapper.resolve(root, platform, at)
    if pair in SHARED_FIXED_SYMBOLS:
        assert mapper.normalize(symbol, platform) == symbol
        return
    assert mapper.normalize(symbol, platform) == root
    parsed_root, found = mapper.parse(symbol, platform, at=at)
    assert parsed_root == root
    instrument = shipped_registry().get(root)
    if found is not None:
        assert found == front_contract(instrument, at)
    else:
        assert not instrument.is_expiring or symbol in ("NAS100", "US500", "US30", "US2000")


def test_every_platform_root_pair_round_trips_at_every_roll_boundary() -> None:
    mapper = shipped_mapper()
    for platform, root in PLATFORM_ROOTS:
        if (platform, root) in SHARED_FIXED_SYMBOLS:
            continue
        for day in (date(2025, 3, 17), date(2026, 6, 15), date(2027, 12, 13), date(2027, 12, 31)):
            at = datetime.combine(day, time(0, 0), tzinfo=UTC)
            assert mapper.normalize(mapper.resolve(root, platform, at), platform) == root
