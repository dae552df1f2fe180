"""``nexusgw rollover show|schedule`` on the roll dates the domain tests pin down."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.unit.cli import invoke

FUTURES = ["BTC", "ES", "ETH", "M2K", "MBT", "MES", "MET", "MNQ", "MYM", "NQ", "RTY", "WDO", "WIN", "YM"]


def show(root: str, at: str) -> dict[str, Any]:
    outcome = invoke("rollover", "show", root, "--at", at, "--json")
    assert outcome.exit_code == 0, outcome.stderr
    data: dict[str, Any] = json.loads(outcome.stdout)
    return data


def test_show_nq_after_the_march_roll_names_june_as_front_with_its_dates() -> None:
    assert show("NQ", "2025-03-18") == {
        "root": "NQ",
        "at": "2025-03-18T12:00:00-05:00",
        "front": {
            "code": "NQM25",
            "last_trade_date": "2025-06-20",
            "expiry_date": "2025-06-20",
            "roll_date": "2025-06-16",
            "roll_at": "2025-06-15T17:00:00-05:00",
        },
        "next": {
            "code": "NQU25",
            "last_trade_date": "2025-09-19",
            "expiry_date": "2025-09-19",
            "roll_date": "2025-09-15",
            "roll_at": "2025-09-14T17:00:00-05:00",
        },
    }


@pytest.mark.parametrize(
    ("root", "day", "front", "following"),
    [
        ("NQ", "2025-03-14", "NQH25", "NQM25"),  # Friday before the roll Monday 2025-03-17
        ("NQ", "2025-03-17", "NQM25", "NQU25"),
        ("WIN", "2025-10-10", "WINV25", "WINZ25"),  # WINV25 rolls Monday 2025-10-13, expires Wednesday 15th
        ("WIN", "2025-10-15", "WINZ25", "WING26"),
        ("WIN", "2026-02-12", "WING26", "WINJ26"),  # Carnival: the roll moves back to Friday 2026-02-13
        ("WIN", "2026-02-13", "WINJ26", "WINM26"),
        ("WDO", "2026-02-26", "WDOH26", "WDOJ26"),  # WDOH26 last trades (and rolls) on 2026-02-27
        ("WDO", "2026-02-27", "WDOJ26", "WDOK26"),
        ("BTC", "2025-04-21", "BTCJ25", "BTCK25"),  # Easter Monday closes London: the roll is Tuesday 22nd
        ("BTC", "2025-04-22", "BTCK25", "BTCM25"),
    ],
)
def test_show_names_the_front_and_next_contract_either_side_of_a_roll(
    root: str, day: str, front: str, following: str
) -> None:
    data = show(root, day)
    assert (data["front"]["code"], data["next"]["code"]) == (front, following)


@pytest.mark.parametrize(
    ("root", "day", "roll_date", "roll_at", "expiry"),
    [
        ("WIN", "2026-02-01", "2026-02-13", "2026-02-13T00:00:00-03:00", "2026-02-18"),
        ("WDO", "2026-02-01", "2026-02-27", "2026-02-27T00:00:00-03:00", "2026-03-02"),
        ("BTC", "2025-04-01", "2025-04-22", "2025-04-21T17:00:00-05:00", "2025-04-25"),
    ],
)
def test_show_gives_roll_date_roll_instant_and_expiry_of_the_front(
    root: str, day: str, roll_date: str, roll_at: str, expiry: str
) -> None:
    front = show(root, day)["front"]
    assert (front["roll_date"], front["roll_at"], front["expiry_date"]) == (roll_date, roll_at, expiry)


def test_show_reads_the_root_in_any_case() -> None:
    assert show("win", "2025-10-10")["root"] == "WIN"


def test_show_at_an_instant_switches_exactly_at_the_roll_time() -> None:
    assert show("NQ", "2025-03-16T21:59:59Z")["front"]["code"] == "NQH25"
    assert show("NQ", "2025-03-16T22:00:00Z")["front"]["code"] == "NQM25"


def test_show_without_a_root_lists_every_future_and_names_the_spot_roots() -> None:
    outcome = invoke("rollover", "show", "--at", "2025-03-18")
    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    assert lines[0].split() == ["root", "front", "last", "trade", "expiry", "roll", "date", "front", "until", "next"]
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert sorted(rows) == FUTURES
    assert rows["NQ"] == [
        "NQ",
        "NQM25",
        "2025-06-20",
        "2025-06-20",
        "2025-06-16",
        "2025-06-15",
        "17:00",
        "CDT",
        "NQU25",
    ]
    assert lines[-1] == "never roll (spot): BTCUSD, ETHUSD"


def test_show_json_without_a_root_is_a_list_of_every_future() -> None:
    data = json.loads(invoke("rollover", "show", "--at", "2025-03-18", "--json").stdout)
    assert [row["root"] for row in data] == FUTURES


def test_show_of_a_spot_root_exits_2_saying_it_has_no_contracts() -> None:
    outcome = invoke("rollover", "show", "BTCUSD")
    assert outcome.exit_code == 2
    assert "BTCUSD is a spot instrument and has no dated contracts" in outcome.stderr


def test_show_of_an_unknown_root_exits_2_listing_the_known_roots() -> None:
    outcome = invoke("rollover", "show", "NQX")
    assert outcome.exit_code == 2
    assert "known roots: BTC, BTCUSD" in outcome.stderr


def test_schedule_lists_the_win_contracts_of_2026_with_holiday_rolls() -> None:
    outcome = invoke("rollover", "schedule", "WIN", "--from", "2026-01-01", "--to", "2026-12-31")
    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    assert lines[0] == "WIN contracts front between 2026-01-01 and 2026-12-31 (exchange dates):"
    assert lines[1].split() == ["contract", "last", "trade", "expiry", "roll", "date", "front", "until"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert list(rows) == ["WING26", "WINJ26", "WINM26", "WINQ26", "WINV26", "WINZ26", "WING27"]
    assert rows["WING26"][1:4] == ["2026-02-18", "2026-02-18", "2026-02-13"]
    assert rows["WINV26"][3] == "2026-10-09"  # Monday 12th is Aparecida


def test_schedule_json_gives_the_range_and_each_contract() -> None:
    outcome = invoke("rollover", "schedule", "NQ", "--from", "2025-01-01", "--to", "2025-03-17", "--json")
    data = json.loads(outcome.stdout)
    assert (data["root"], data["from"], data["to"]) == ("NQ", "2025-01-01", "2025-03-17")
    assert [c["code"] for c in data["contracts"]] == ["NQH25", "NQM25"]
    assert data["contracts"][0]["roll_at"] == "2025-03-16T17:00:00-05:00"


def test_schedule_defaults_to_one_year_from_today_at_the_exchange() -> None:
    data = json.loads(invoke("rollover", "schedule", "WDO", "--json").stdout)
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    start, end = date.fromisoformat(data["from"]), date.fromisoformat(data["to"])
    assert start == today
    assert (end.year - start.year, end.month) == (1, start.month)
    assert len(data["contracts"]) >= 12  # one WDO roll a month


def test_schedule_with_dates_out_of_order_exits_2() -> None:
    outcome = invoke("rollover", "schedule", "NQ", "--from", "2025-02-01", "--to", "2025-01-01")
    assert outcome.exit_code == 2
    assert "--to 2025-01-01 is before --from 2025-02-01" in outcome.stderr
