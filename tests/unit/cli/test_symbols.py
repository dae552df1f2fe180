"""``nexusgw symbols resolve|normalize|list`` against the shipped config."""

from __future__ import annotations

import json

import pytest

from tests.unit.cli import invoke


@pytest.mark.parametrize(
    ("platform", "symbol"),
    [("nt8", "NQ 03-25"), ("sierra", "NQH25"), ("mt5", "NAS100"), ("bookmap", "NQH5.CME@RITHMIC")],
)
def test_resolve_prints_only_the_platform_symbol(platform: str, symbol: str) -> None:
    outcome = invoke("symbols", "resolve", "NQ", "--platform", platform, "--at", "2025-02-01")
    assert outcome.exit_code == 0
    assert outcome.stdout == f"{symbol}\n"


def test_resolve_json_names_the_canonical_platform_and_the_contract() -> None:
    outcome = invoke("symbols", "resolve", "NQ", "--platform", "sierra", "--at", "2025-02-01", "--json")
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout) == {
        "root": "NQ",
        "platform": "sierra",
        "symbol": "NQH25",
        "contract": "NQH25",
        "at": "2025-02-01T12:00:00-06:00",
    }


def test_resolve_json_of_a_cfd_override_has_the_alias_resolved_and_no_contract() -> None:
    data = json.loads(invoke("symbols", "resolve", "NQ", "--platform", "mt5", "--at", "2025-02-01", "--json").stdout)
    assert (data["platform"], data["symbol"], data["contract"]) == ("mt5_global", "NAS100", None)


@pytest.mark.parametrize(
    ("at", "symbol"),
    [
        ("2025-03-16T16:59", "NQ 03-25"),  # Chicago local time, a minute before the Sunday-evening roll
        ("2025-03-16T17:00", "NQ 06-25"),
        ("2025-03-16T21:59:00Z", "NQ 03-25"),  # the same instants given in UTC
        ("2025-03-16T22:00:00+00:00", "NQ 06-25"),
    ],
)
def test_resolve_reads_a_local_time_in_the_exchange_zone_and_an_offset_as_an_exact_instant(
    at: str, symbol: str
) -> None:
    assert invoke("symbols", "resolve", "NQ", "--platform", "nt8", "--at", at).stdout == f"{symbol}\n"


def test_roots_and_platform_names_are_read_in_any_case() -> None:
    assert invoke("symbols", "resolve", "nq", "--platform", "NT8", "--at", "2025-02-01").stdout == "NQ 03-25\n"
    assert invoke("symbols", "normalize", "NQH25", "--platform", "Sierra").stdout == "NQ\n"


def test_resolve_b3_roots_on_the_brazilian_mt5() -> None:
    assert invoke("symbols", "resolve", "WIN", "--platform", "mt5_brazil", "--at", "2025-03-20").stdout == "WINJ25\n"
    assert invoke("symbols", "resolve", "WDO", "--platform", "mt5_brazil", "--at", "2025-03-20").stdout == "WDOJ25\n"


@pytest.mark.parametrize(
    ("symbol", "platform"),
    [("NQ 03-25", "nt8"), ("NQ MAR25", "nt8"), ("NQH25", "sierra"), ("NAS100", "mt5"), ("NQH5", "quantower")],
)
def test_normalize_prints_the_root(symbol: str, platform: str) -> None:
    outcome = invoke("symbols", "normalize", symbol, "--platform", platform)
    assert outcome.exit_code == 0
    assert outcome.stdout == "NQ\n"


def test_normalize_json_adds_the_contract_when_the_symbol_is_dated() -> None:
    dated = json.loads(invoke("symbols", "normalize", "NQ 03-25", "--platform", "nt8", "--json").stdout)
    assert dated == {"symbol": "NQ 03-25", "platform": "nt8", "root": "NQ", "contract": "NQH25"}
    fixed = json.loads(invoke("symbols", "normalize", "NAS100", "--platform", "mt5", "--json").stdout)
    assert fixed == {"symbol": "NAS100", "platform": "mt5_global", "root": "NQ", "contract": None}


def test_list_shows_every_root_on_every_platform_with_a_dash_where_not_traded() -> None:
    outcome = invoke("symbols", "list", "--at", "2025-02-01")
    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    quantower = ["quantower", "quantower_cqg", "quantower_dxfeed"]
    assert lines[0].split() == ["root", "front", "bookmap", "mt5_brazil", "mt5_global", "nt8", *quantower, "sierra"]
    rows = {line.split()[0]: line for line in lines[1:]}
    nq = ["NQ", "NQH25", "NQH5.CME@RITHMIC", "-", "NAS100", "NQ", "03-25", "NQH5", "ENQH25", "/NQH25:XCME", "NQH25"]
    assert rows["NQ"].split() == nq
    assert rows["WIN"].split() == ["WIN", "WING25", "-", "WING25", "-", "-", "-", "-", "-", "-"]
    assert rows["BTCUSD"].split() == ["BTCUSD", "spot", "-", "-", "BTCUSD", "-", "-", "-", "-", "-"]


def test_list_for_one_platform_only_lists_the_roots_it_trades() -> None:
    outcome = invoke("symbols", "list", "--platform", "mt5_brazil", "--at", "2025-02-01")
    assert outcome.exit_code == 0
    assert [line.split() for line in outcome.stdout.splitlines()] == [
        ["root", "front", "mt5_brazil"],
        ["WDO", "WDOH25", "WDOH25"],
        ["WIN", "WING25", "WING25"],
    ]


def test_list_json_gives_each_root_its_front_contract_and_symbols() -> None:
    data = json.loads(invoke("symbols", "list", "--platform", "mt5", "--at", "2025-02-01", "--json").stdout)
    assert data["platforms"] == ["mt5_global"]
    by_root = {row["root"]: row for row in data["roots"]}
    assert sorted(by_root) == ["BTC", "BTCUSD", "ES", "ETHUSD", "NQ", "RTY", "YM"]
    assert by_root["NQ"] == {
        "root": "NQ",
        "contract": "NQH25",
        "at": "2025-02-01T12:00:00-06:00",
        "symbols": {"mt5_global": "NAS100"},
    }
    assert by_root["ETHUSD"]["contract"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("resolve", "XX", "--platform", "nt8"), "unknown instrument root 'XX'; known roots: BTC, BTCUSD, ES"),
        (("resolve", "NQ", "--platform", "tradestation"), "known platforms: bookmap, mt5_brazil, mt5_global, nt8"),
        (("resolve", "WIN", "--platform", "nt8"), "platform 'nt8' does not trade 'WIN'; it trades BTC, ES"),
        (("normalize", "NQZZ", "--platform", "sierra"), "unknown symbol 'NQZZ' on platform 'sierra'; it knows roots"),
        (("normalize", "NQF25", "--platform", "sierra"), "NQ lists no F (JAN) contract; listed months: HMUZ"),
        (("list", "--platform", "mt4"), "(aliases: mt5 → mt5_global)"),
        (("resolve", "NQ", "--platform", "nt8", "--at", "next week"), "use YYYY-MM-DD (2025-02-01)"),
    ],
)
def test_unknown_names_and_bad_dates_exit_2_saying_what_is_known(args: tuple[str, ...], message: str) -> None:
    outcome = invoke("symbols", *args)
    assert outcome.exit_code == 2
    assert message in outcome.stderr
    assert outcome.stdout == ""


def test_resolve_without_platform_is_a_usage_error() -> None:
    outcome = invoke("symbols", "resolve", "NQ")
    assert outcome.exit_code == 2
    assert "--platform" in outcome.stderr


def test_a_config_dir_without_gateway_yaml_exits_2_naming_the_option(tmp_path: object) -> None:
    outcome = invoke("symbols", "resolve", "NQ", "--platform", "nt8", "--config-dir", str(tmp_path))
    assert outcome.exit_code == 2
    assert "pass --config-dir" in outcome.stderr
