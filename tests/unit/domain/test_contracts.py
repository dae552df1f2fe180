"""Expiry, last trade and roll dates of every root against the dated examples of the calendars reference."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from nexus_gw.domain.calendars import calendar
from nexus_gw.domain.contracts import (
    Contract,
    NonExpiringInstrumentError,
    contract_for,
    front_contract,
    roll_schedule,
)
from nexus_gw.domain.instruments import Instrument, InstrumentRegistry
from tests.unit.domain import instruments_data, shipped_registry

CHICAGO = ZoneInfo("America/Chicago")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
EQUITY_ROOTS = ["NQ", "MNQ", "ES", "MES", "YM", "MYM", "RTY", "M2K"]
CRYPTO_ROOTS = ["BTC", "MBT", "ETH", "MET"]


def instrument(root: str) -> Instrument:
    return shipped_registry().get(root)


def variant(root: str, **changes: object) -> Instrument:
    """The shipped instrument with some fields changed (another roll rule, roll time…)."""
    data = instruments_data()
    data["instruments"][root].update(changes)
    return InstrumentRegistry.from_mapping(data).get(root)


def noon(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=zone)


def contract(root: str, year: int, month: int) -> Contract:
    return contract_for(instrument(root), year, month)


# --- CME equity index: 3rd Friday, previous NYSE session if closed; roll Monday of expiry week -------------

# (year, month, last trade date, roll date) for 2025-2027: rolls from [S3, S4, S6], Juneteenth from [S11a/b].
EQUITY_DATES = [
    (2025, 3, date(2025, 3, 21), date(2025, 3, 17)),
    (2025, 6, date(2025, 6, 20), date(2025, 6, 16)),
    (2025, 9, date(2025, 9, 19), date(2025, 9, 15)),
    (2025, 12, date(2025, 12, 19), date(2025, 12, 15)),
    (2026, 3, date(2026, 3, 20), date(2026, 3, 16)),
    (2026, 6, date(2026, 6, 18), date(2026, 6, 15)),
    (2026, 9, date(2026, 9, 18), date(2026, 9, 14)),
    (2026, 12, date(2026, 12, 18), date(2026, 12, 14)),
    (2027, 3, date(2027, 3, 19), date(2027, 3, 15)),
    (2027, 6, date(2027, 6, 17), date(2027, 6, 14)),
    (2027, 9, date(2027, 9, 17), date(2027, 9, 13)),
    (2027, 12, date(2027, 12, 17), date(2027, 12, 13)),
]


@pytest.mark.parametrize("root", EQUITY_ROOTS)
def test_equity_index_contracts_2025_to_2027_match_the_reference(root: str) -> None:
    for year, month, last_trade, roll in EQUITY_DATES:
        found = contract(root, year, month)
        assert (found.last_trade_date, found.expiry_date, found.roll_date) == (
            last_trade,
            last_trade,
            roll,
        ), found


def test_nq_june_2026_expires_thursday_because_of_juneteenth() -> None:
    nqm26 = contract("NQ", 2026, 6)
    assert nqm26.code == "NQM26"
    assert nqm26.last_trade_date == date(2026, 6, 18)


def test_es_june_2027_expires_thursday_because_juneteenth_is_observed_on_friday() -> None:
    assert contract("ES", 2027, 6).last_trade_date == date(2027, 6, 17)


def test_juneteenth_roll_stays_anchored_on_the_monday_of_the_nominal_expiry_week() -> None:
    assert contract("ES", 2026, 6).roll_date == date(2026, 6, 15)
    assert contract("ES", 2027, 6).roll_date == date(2027, 6, 14)


def test_good_friday_2008_precedent_moves_expiry_back_and_keeps_the_legacy_thursday_roll() -> None:
    legacy = variant("ES", roll_rule="eight_days_before")
    esh08 = contract_for(legacy, 2008, 3)
    assert esh08.last_trade_date == date(2008, 3, 20)
    assert esh08.roll_date == date(2008, 3, 13)


def test_legacy_eight_days_before_roll_is_the_thursday_before_expiry_week() -> None:
    legacy = variant("NQ", roll_rule="eight_days_before")
    assert [contract_for(legacy, 2025, month).roll_date for month in (3, 6, 9, 12)] == [
        date(2025, 3, 13),
        date(2025, 6, 12),
        date(2025, 9, 11),
        date(2025, 12, 11),
    ]


def test_hold_to_expiry_makes_the_next_contract_front_on_the_session_after_expiry() -> None:
    held = variant("ES", roll_rule="hold_to_expiry")
    assert contract_for(held, 2026, 6).roll_date == date(2026, 6, 22)
    assert front_contract(held, noon(date(2026, 6, 18), CHICAGO)).code == "ESM26"
    assert front_contract(held, noon(date(2026, 6, 22), CHICAGO)).code == "ESU26"


def test_es_march_2028_becomes_front_on_monday_2027_12_13() -> None:
    es = instrument("ES")
    assert front_contract(es, noon(date(2027, 12, 10), CHICAGO)).code == "ESZ27"
    assert front_contract(es, noon(date(2027, 12, 13), CHICAGO)).code == "ESH28"


def test_cme_roll_happens_at_the_sunday_evening_globex_open_of_the_roll_monday() -> None:
    nq = instrument("NQ")
    sunday = date(2026, 3, 15)
    assert front_contract(nq, datetime.combine(sunday, time(16, 59), tzinfo=CHICAGO)).code == "NQH26"
    assert front_contract(nq, datetime.combine(sunday, time(17, 0), tzinfo=CHICAGO)).code == "NQM26"
    assert contract("NQ", 2026, 3).roll_at == datetime(2026, 3, 15, 22, 0, tzinfo=UTC)


def test_roll_time_of_day_is_configurable_per_root() -> None:
    at_start_of_day = variant("NQ", roll_time="00:00", roll_day_offset=0)
    sunday_evening = datetime(2026, 3, 15, 18, 0, tzinfo=CHICAGO)
    assert front_contract(at_start_of_day, sunday_evening).code == "NQH26"
    assert front_contract(at_start_of_day, sunday_evening + timedelta(hours=6)).code == "NQM26"


def test_front_contract_compares_instants_whatever_time_zone_they_are_given_in() -> None:
    nq = instrument("NQ")
    roll = contract("NQ", 2025, 3).roll_at
    assert front_contract(nq, (roll - timedelta(seconds=1)).astimezone(SAO_PAULO)).code == "NQH25"
    assert front_contract(nq, roll.astimezone(UTC)).code == "NQM25"


def test_front_contract_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="no time zone; pass a timezone-aware datetime"):
        front_contract(instrument("NQ"), datetime(2025, 1, 1, 12, 0))


# --- CME crypto: last Friday checked against New York and London -------------------------------------------


@pytest.mark.parametrize("root", ["BTC", "MBT"])
@pytest.mark.parametrize(
    ("year", "month", "last_trade", "reason"),
    [
        (2025, 12, date(2025, 12, 24), "Boxing Day in London on the last Friday, Christmas on Thursday"),
        (2026, 12, date(2026, 12, 24), "Christmas on the last Friday"),
        (2027, 3, date(2027, 3, 25), "Good Friday"),
        (2027, 12, date(2027, 12, 31), "New York, London and CME are open on 2027-12-31"),
        (2025, 4, date(2025, 4, 25), "ordinary last Friday"),
    ],
)
def test_bitcoin_last_trade_date_needs_both_new_york_and_london_open(
    root: str, year: int, month: int, last_trade: date, reason: str
) -> None:
    assert contract(root, year, month).last_trade_date == last_trade, reason


@pytest.mark.parametrize(
    ("root", "year", "month", "roll", "reason"),
    [
        ("BTC", 2025, 4, date(2025, 4, 22), "Easter Monday closes London"),
        ("BTC", 2027, 12, date(2027, 12, 29), "UK substitute holidays on Dec 27 and 28"),
        ("MBT", 2025, 12, date(2025, 12, 22), "Monday of the week of Wed 2025-12-24"),
        ("BTC", 2027, 3, date(2027, 3, 22), "Monday of the week of Thu 2027-03-25"),
    ],
)
def test_crypto_roll_is_monday_of_expiry_week_moved_to_a_new_york_and_london_day(
    root: str, year: int, month: int, roll: date, reason: str
) -> None:
    assert contract(root, year, month).roll_date == roll, reason


@pytest.mark.parametrize("root", ["ETH", "MET"])
def test_ether_reads_the_london_or_us_wording_literally(root: str) -> None:
    assert contract(root, 2025, 12).last_trade_date == date(2025, 12, 26)
    assert contract(root, 2026, 12).last_trade_date == date(2026, 12, 24)
    assert contract(root, 2027, 3).last_trade_date == date(2027, 3, 25)
    assert contract(root, 2025, 12).roll_date == date(2025, 12, 22)


def test_both_readings_of_the_ether_rule_give_the_same_roll_dates_2025_to_2027() -> None:
    literal = instrument("ETH")
    like_bitcoin = variant("ETH", expiry_rule="cme_crypto_london_and_us")
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            assert contract_for(literal, year, month).roll_date == contract_for(like_bitcoin, year, month).roll_date


@pytest.mark.parametrize("root", CRYPTO_ROOTS)
def test_crypto_contracts_2025_to_2027_expire_on_a_friday_unless_a_holiday_moves_them(root: str) -> None:
    both_open = calendar("XNYS&XLON")
    moved = {(2025, 12), (2026, 12), (2027, 3)} if root in ("BTC", "MBT") else {(2026, 12), (2027, 3)}
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            found = contract(root, year, month)
            assert (found.last_trade_date.weekday() != 4) == ((year, month) in moved), found
            monday = found.last_trade_date - timedelta(days=found.last_trade_date.weekday())
            skipped = [monday + timedelta(days=n) for n in range((found.roll_date - monday).days)]
            assert found.roll_date >= monday and all(not both_open.is_business_day(day) for day in skipped)


# --- B3 WIN: Wednesday closest to the 15th (next session if closed); roll Monday or the session before ------

WIN_DATES = [
    (2025, 2, date(2025, 2, 12), date(2025, 2, 10)),
    (2025, 4, date(2025, 4, 16), date(2025, 4, 14)),
    (2025, 6, date(2025, 6, 18), date(2025, 6, 16)),
    (2025, 8, date(2025, 8, 13), date(2025, 8, 11)),
    (2025, 10, date(2025, 10, 15), date(2025, 10, 13)),
    (2025, 12, date(2025, 12, 17), date(2025, 12, 15)),
    (2026, 2, date(2026, 2, 18), date(2026, 2, 13)),
    (2026, 4, date(2026, 4, 15), date(2026, 4, 13)),
    (2026, 6, date(2026, 6, 17), date(2026, 6, 15)),
    (2026, 8, date(2026, 8, 12), date(2026, 8, 10)),
    (2026, 10, date(2026, 10, 14), date(2026, 10, 9)),
    (2026, 12, date(2026, 12, 16), date(2026, 12, 14)),
    (2027, 2, date(2027, 2, 17), date(2027, 2, 15)),
    (2027, 4, date(2027, 4, 14), date(2027, 4, 12)),
    (2027, 6, date(2027, 6, 16), date(2027, 6, 14)),
    (2027, 8, date(2027, 8, 18), date(2027, 8, 16)),
    (2027, 10, date(2027, 10, 13), date(2027, 10, 11)),
    (2027, 12, date(2027, 12, 15), date(2027, 12, 13)),
]


def test_win_contracts_2025_to_2027_expire_on_the_wednesday_closest_to_the_15th() -> None:
    for year, month, expiry, roll in WIN_DATES:
        found = contract("WIN", year, month)
        assert (found.last_trade_date, found.expiry_date, found.roll_date) == (expiry, expiry, roll), found
        assert 12 <= found.expiry_date.day <= 18


def test_win_february_2026_expires_on_ash_wednesday_and_rolls_before_carnival() -> None:
    wing26 = contract("WIN", 2026, 2)
    assert wing26.expiry_date == date(2026, 2, 18)
    assert wing26.roll_date == date(2026, 2, 13)


def test_win_october_2026_rolls_on_friday_because_monday_is_aparecida() -> None:
    assert contract("WIN", 2026, 10).roll_date == date(2026, 10, 9)


def test_win_expiry_on_a_holiday_wednesday_moves_forward_unlike_cme() -> None:
    winv22 = contract("WIN", 2022, 10)
    assert winv22.expiry_date == date(2022, 10, 13)


def test_win_historical_2019_expiries_match_the_rule() -> None:
    assert [contract("WIN", 2019, month).expiry_date for month in (2, 4, 6, 8)] == [
        date(2019, 2, 13),
        date(2019, 4, 17),
        date(2019, 6, 12),
        date(2019, 8, 14),
    ]


def test_win_front_on_expiry_day_is_already_the_next_contract() -> None:
    win = instrument("WIN")
    assert front_contract(win, noon(date(2025, 10, 15), SAO_PAULO)).code == "WINZ25"
    assert front_contract(win, noon(date(2025, 10, 10), SAO_PAULO)).code == "WINV25"


def test_win_february_2028_becomes_front_on_monday_or_the_day_after_expiry_when_held() -> None:
    assert front_contract(instrument("WIN"), noon(date(2027, 12, 13), SAO_PAULO)).code == "WING28"
    held = variant("WIN", roll_rule="hold_to_expiry")
    assert front_contract(held, noon(date(2027, 12, 15), SAO_PAULO)).code == "WINZ27"
    assert front_contract(held, noon(date(2027, 12, 16), SAO_PAULO)).code == "WING28"


# --- B3 WDO: expiry on the 1st B3 session of the month, last trade the session before, roll on it ---------

WDO_SHIFTED = {
    "WDOF25", "WDOG25", "WDOH25", "WDOK25", "WDOM25", "WDOX25", "WDOF26", "WDOG26",
    "WDOH26", "WDOK26", "WDOQ26", "WDOX26", "WDOF27", "WDOK27", "WDOQ27",
}  # fmt: skip


def test_wdo_expiry_moves_off_the_1st_for_exactly_the_15_contracts_the_reference_lists() -> None:
    shifted = {
        found.code
        for year in (2025, 2026, 2027)
        for month in range(1, 13)
        if (found := contract("WDO", year, month)).expiry_date != date(year, month, 1)
    }
    assert shifted == WDO_SHIFTED


def test_wdo_every_contract_2025_to_2027_last_trades_on_the_b3_session_before_expiry() -> None:
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            found = contract("WDO", year, month)
            assert found.last_trade_date < found.expiry_date
            assert found.roll_date == found.last_trade_date
            gap = (found.expiry_date - found.last_trade_date).days
            assert gap == 1 or found.expiry_date.weekday() == 0 or found.code in WDO_SHIFTED, found


def test_wdo_march_2025_expires_on_ash_wednesday_after_carnival() -> None:
    wdoh25 = contract("WDO", 2025, 3)
    assert wdoh25.expiry_date == date(2025, 3, 5)
    assert wdoh25.last_trade_date == date(2025, 2, 28)


def test_wdo_march_2028_would_expire_on_ash_wednesday() -> None:
    assert contract("WDO", 2028, 3).expiry_date == date(2028, 3, 1)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_wdo_january_contracts_last_trade_on_december_30_because_b3_closes_on_the_31st(year: int) -> None:
    assert contract("WDO", year + 1, 1).last_trade_date == date(year, 12, 30)


@pytest.mark.parametrize(
    ("day", "front"),
    [(date(2026, 2, 27), "WDOJ26"), (date(2026, 7, 31), "WDOU26"), (date(2026, 2, 26), "WDOH26")],
)
def test_wdo_next_contract_is_front_on_the_last_trade_date(day: date, front: str) -> None:
    assert front_contract(instrument("WDO"), noon(day, SAO_PAULO)).code == front


def test_wdo_year_end_front_is_february_when_rolling_and_january_when_holding() -> None:
    assert front_contract(instrument("WDO"), noon(date(2027, 12, 30), SAO_PAULO)).code == "WDOG28"
    held = variant("WDO", roll_rule="hold_to_expiry")
    assert front_contract(held, noon(date(2027, 12, 30), SAO_PAULO)).code == "WDOF28"
    assert front_contract(held, noon(date(2028, 1, 3), SAO_PAULO)).code == "WDOG28"


# --- Front contract and roll schedule in general ------------------------------------------------------------


def test_contract_code_is_root_month_letter_and_two_digit_year() -> None:
    assert contract("NQ", 2025, 3).code == "NQH25"
    assert contract("WDO", 2026, 1).code == "WDOF26"
    assert contract("WIN", 2027, 12).code == "WINZ27"
    assert str(contract("M2K", 2030, 9)) == "M2KU30"


def test_contract_for_a_month_that_is_not_listed_is_refused_with_the_listed_months() -> None:
    with pytest.raises(ValueError, match=r"NQ lists no contract in month 1 \(F\); listed months: HMUZ"):
        contract("NQ", 2025, 1)


@pytest.mark.parametrize("root", ["BTCUSD", "ETHUSD"])
def test_spot_instruments_have_no_contracts(root: str) -> None:
    with pytest.raises(NonExpiringInstrumentError, match="has no dated contracts"):
        front_contract(instrument(root), datetime(2025, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("root", EQUITY_ROOTS + CRYPTO_ROOTS + ["WIN", "WDO"])
def test_roll_schedule_2025_to_2027_is_gapless_and_every_contract_rolls_before_it_expires(root: str) -> None:
    schedule = roll_schedule(instrument(root), date(2025, 1, 1), date(2027, 12, 31))
    months = instrument(root).month_numbers()
    for current, following in pairwise(schedule):
        assert current.roll_at < following.roll_at
        assert following.month == months[(months.index(current.month) + 1) % len(months)]
        assert current.roll_date <= current.last_trade_date + timedelta(days=4)
    assert schedule[0].roll_at > datetime(2025, 1, 1, tzinfo=UTC) or schedule[0].roll_date >= date(2025, 1, 1)


def test_roll_schedule_starts_with_the_front_contract_and_ends_with_the_front_at_the_end() -> None:
    nq = instrument("NQ")
    schedule = roll_schedule(nq, date(2025, 1, 1), date(2025, 12, 31))
    assert [found.code for found in schedule] == ["NQH25", "NQM25", "NQU25", "NQZ25", "NQH26"]
    single_day = roll_schedule(nq, date(2025, 3, 17), date(2025, 3, 17))
    assert [found.code for found in single_day] == ["NQM25"]


def test_roll_schedule_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="is before start"):
        roll_schedule(instrument("NQ"), date(2025, 2, 1), date(2025, 1, 1))


def test_front_contract_is_constant_between_rolls_and_changes_at_each_roll_instant() -> None:
    wdo = instrument("WDO")
    for found in roll_schedule(wdo, date(2025, 1, 1), date(2027, 12, 31)):
        assert front_contract(wdo, found.roll_at - timedelta(microseconds=1)) == found
        assert front_contract(wdo, found.roll_at) != found
