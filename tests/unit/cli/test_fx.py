"""``nexusgw fx rate|convert|pnl``: where the rate comes from, what is refused, and the money printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.cli import invoke

RATES_CSV = """\
# USD/BRL closes
base,quote,rate,as_of
USD,BRL,5.51,2025-03-07T18:00:00-03:00
"""
PTAX_JSON = (
    '{"value": [{"cotacaoCompra": 5.7011, "cotacaoVenda": 5.7017, "dataHoraCotacao": "2025-03-10 13:05:21.123"}]}'
)


@pytest.fixture
def rates_file(tmp_path: Path) -> Path:
    path = tmp_path / "rates.csv"
    path.write_text(RATES_CSV, encoding="utf-8")
    return path


# --- pnl ---------------------------------------------------------------------------------------------------


def test_pnl_win_100_points_at_5_494_is_brl_20_and_usd_3_64() -> None:
    outcome = invoke("fx", "pnl", "WIN", "100", "--rate", "5.494")
    assert outcome.exit_code == 0
    first, second = outcome.stdout.splitlines()
    assert first == "WIN 100 points x 1 (BRL 0.2 per point): BRL 20.00 = USD 3.64"
    assert second.startswith("at 1 USD = 5.494 BRL (config: --rate on the command line, as of ")


def test_pnl_json_gives_both_amounts_and_the_rate_used() -> None:
    outcome = invoke("fx", "pnl", "WIN", "100", "--rate", "5.494", "--at", "2025-03-10T10:00:00-03:00", "--json")
    assert json.loads(outcome.stdout) == {
        "root": "WIN",
        "points": "100",
        "qty": "1",
        "currency": "BRL",
        "point_value": "0.2",
        "pnl": "20.00",
        "pnl_usd": "3.64",
        "rate": {
            "pair": "USD/BRL",
            "base": "USD",
            "quote": "BRL",
            "rate": "5.494",
            "as_of": "2025-03-10T10:00:00-03:00",
            "source": "config",
            "detail": "--rate on the command line",
        },
    }


def test_pnl_takes_negative_points_and_a_short_quantity() -> None:
    outcome = invoke("fx", "pnl", "WIN", "-100", "--qty", "-2", "--rate", "5.494")
    assert outcome.exit_code == 0
    assert outcome.stdout.startswith("WIN -100 points x -2 (BRL 0.2 per point): BRL 40.00 = USD 7.28\n")


def test_pnl_from_a_wdo_price_names_the_front_wdo_contract() -> None:
    outcome = invoke("fx", "pnl", "WDO", "10", "--wdo", "5494.0", "--at", "2025-03-10")
    assert outcome.exit_code == 0
    assert outcome.stdout.splitlines() == [
        "WDO 10 points x 1 (BRL 10 per point): BRL 100.00 = USD 18.20",
        "at 1 USD = 5.494 BRL (wdo: WDOJ25 @ 5494.0, as of 2025-03-10T12:00:00-03:00)",
    ]


def test_pnl_of_a_usd_instrument_needs_no_rate() -> None:
    outcome = invoke("fx", "pnl", "NQ", "-12.5", "--qty", "2")
    assert outcome.exit_code == 0
    assert outcome.stdout == "NQ -12.5 points x 2 (USD 20 per point): USD -500.00\n"
    data = json.loads(invoke("fx", "pnl", "NQ", "10", "--json").stdout)
    assert (data["pnl"], data["pnl_usd"], data["rate"]) == ("200.00", "200.00", None)


def test_pnl_of_a_brl_instrument_without_a_rate_exits_1_saying_how_to_give_one() -> None:
    outcome = invoke("fx", "pnl", "WIN", "100")
    assert outcome.exit_code == 1
    assert "no USD/BRL rate given; pass one: --rate 5.494 (BRL per 1 USD)" in outcome.stderr
    assert "--wdo 5494.0" in outcome.stderr
    assert outcome.stdout == ""


def test_pnl_of_an_unknown_root_exits_2_listing_the_known_roots() -> None:
    outcome = invoke("fx", "pnl", "WINFUT", "100", "--rate", "5.494")
    assert outcome.exit_code == 2
    assert "known roots: BTC, BTCUSD" in outcome.stderr


# --- rate --------------------------------------------------------------------------------------------------


def test_rate_without_any_source_exits_1_with_the_option_to_use() -> None:
    outcome = invoke("fx", "rate")
    assert outcome.exit_code == 1
    assert "pass one: --rate 5.494 (BRL per 1 USD)" in outcome.stderr


def test_rate_given_on_the_command_line_shows_value_time_and_source() -> None:
    outcome = invoke("fx", "rate", "--rate", "5.494", "--at", "2025-03-10T09:00:00-03:00")
    assert outcome.exit_code == 0
    assert outcome.stdout.splitlines() == [
        "1 USD = 5.494 BRL",
        "as of   2025-03-10T09:00:00-03:00",
        "source  config (--rate on the command line)",
    ]


def test_rate_from_a_wdo_price_is_the_price_over_1000() -> None:
    outcome = invoke("fx", "rate", "--wdo", "5494.0", "--at", "2025-03-10", "--json")
    assert json.loads(outcome.stdout) == {
        "pair": "USD/BRL",
        "base": "USD",
        "quote": "BRL",
        "rate": "5.494",
        "as_of": "2025-03-10T12:00:00-03:00",
        "source": "wdo",
        "detail": "WDOJ25 @ 5494.0",
    }


def test_rate_from_a_file_names_the_file_and_line(rates_file: Path) -> None:
    outcome = invoke("fx", "rate", "--source", str(rates_file), "--at", "2025-03-08")
    assert outcome.exit_code == 0
    assert outcome.stdout.splitlines() == [
        "1 USD = 5.51 BRL",
        "as of   2025-03-07T18:00:00-03:00",
        f"source  file ({rates_file}:3)",
    ]


def test_a_stale_rate_from_a_file_is_refused_with_exit_1_unless_max_age_allows_it(rates_file: Path) -> None:
    stale = invoke("fx", "rate", "--source", str(rates_file), "--at", "2025-03-12")
    assert stale.exit_code == 1
    assert "refusing stale USD/BRL rate" in stale.stderr
    assert "4d 18h 00m old, over the 3d 0h 00m allowed" in stale.stderr
    assert "--max-age HOURS" in stale.stderr
    allowed = invoke("fx", "rate", "--source", str(rates_file), "--at", "2025-03-12", "--max-age", "120")
    assert allowed.exit_code == 0
    assert allowed.stdout.startswith("1 USD = 5.51 BRL\n")


def test_rate_from_a_saved_ptax_answer_is_the_selling_rate(tmp_path: Path) -> None:
    path = tmp_path / "ptax.json"
    path.write_text(PTAX_JSON, encoding="utf-8")
    data = json.loads(invoke("fx", "rate", "--source", str(path), "--at", "2025-03-10T14:00", "--json").stdout)
    assert (data["rate"], data["source"], data["as_of"]) == ("5.7017", "http", "2025-03-10T13:05:21.123000-03:00")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--rate", "5.494", "--wdo", "5494"), 2, "give one rate, not --rate and --wdo"),
        (("--rate", "5,494"), 2, "--rate '5,494' is not a number"),
        (("--rate", "-1"), 2, "USD/BRL rate must be positive, not -1"),
        (("--source", "/nonexistent/rates.csv"), 2, "cannot read --source /nonexistent/rates.csv"),
        (("--source", "/nonexistent/rates.csv", "--max-age", "0"), 2, "--max-age 0 is not between 0 and 8784 hours"),
        (("--rate", "5.494", "--at", "soon"), 2, "--at 'soon' is neither a date nor an ISO time"),
    ],
)
def test_bad_rate_options_exit_with_what_to_fix(args: tuple[str, ...], code: int, message: str) -> None:
    outcome = invoke("fx", "rate", *args)
    assert outcome.exit_code == code
    assert message in outcome.stderr


def test_a_rates_file_without_the_pair_exits_1_saying_what_line_to_add(rates_file: Path) -> None:
    outcome = invoke("fx", "convert", "100", "EUR", "USD", "--source", str(rates_file), "--at", "2025-03-08")
    assert outcome.exit_code == 1
    assert f"{rates_file} has no USD/EUR rate; add a line USD,EUR,RATE," in outcome.stderr


def test_a_bad_line_in_a_rates_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("USD,BRL,five,2025-03-07T18:00:00-03:00\n", encoding="utf-8")
    outcome = invoke("fx", "rate", "--source", str(path))
    assert outcome.exit_code == 2
    assert f"{path}:1: cannot read" in outcome.stderr


# --- convert -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (("1100", "BRL", "USD", "--rate", "5.5"), "BRL 1100 = USD 200.00"),
        (("100", "usd", "brl", "--rate", "5.494"), "USD 100 = BRL 549.40"),
        (("-20", "BRL", "USD", "--wdo", "5494"), "BRL -20 = USD -3.64"),
    ],
)
def test_convert_prints_the_amount_and_the_rate_used(args: tuple[str, ...], first_line: str) -> None:
    outcome = invoke("fx", "convert", *args)
    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    assert lines[0] == first_line
    assert lines[1].startswith("at 1 USD = ")


def test_convert_within_one_currency_needs_no_rate() -> None:
    outcome = invoke("fx", "convert", "12.345", "BRL", "BRL")
    assert outcome.exit_code == 0
    assert outcome.stdout == "BRL 12.345 = BRL 12.35\n"


def test_convert_json() -> None:
    data = json.loads(invoke("fx", "convert", "1100", "BRL", "USD", "--rate", "5.5", "--json").stdout)
    assert (data["amount"], data["from"], data["to"], data["result"]) == ("1100", "BRL", "USD", "200.00")
    assert (data["rate"]["pair"], data["rate"]["rate"]) == ("USD/BRL", "5.5")


def test_convert_without_a_rate_exits_1() -> None:
    outcome = invoke("fx", "convert", "100", "USD", "BRL")
    assert outcome.exit_code == 1
    assert "--rate 5.494" in outcome.stderr


def test_convert_from_a_wdo_price_only_works_for_usd_brl() -> None:
    outcome = invoke("fx", "convert", "100", "EUR", "BRL", "--wdo", "5494")
    assert outcome.exit_code == 2
    assert "--wdo gives USD/BRL only" in outcome.stderr


def test_convert_of_something_that_is_not_a_number_exits_2() -> None:
    outcome = invoke("fx", "convert", "lots", "USD", "BRL", "--rate", "5.494")
    assert outcome.exit_code == 2
    assert "amount 'lots' is not a number" in outcome.stderr
