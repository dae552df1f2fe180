"""Exchange business-day calendars and date helpers, on the edge cases of the calendars reference."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nexus_gw.domain.calendars import (
    FRIDAY,
    WEDNESDAY,
    Shift,
    calendar,
    last_weekday,
    monday_of_week,
    nearest_weekday,
    next_business_day,
    nth_weekday,
    previous_business_day,
    shift_if_closed,
)

NYSE = calendar("XNYS")
LONDON = calendar("XLON")
B3 = calendar("BVMF")
NEW_YORK_AND_LONDON = calendar("XNYS&XLON")
NEW_YORK_OR_LONDON = calendar("XNYS|XLON")


@pytest.mark.parametrize("good_friday", [date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26)])
def test_good_friday_closes_new_york_london_and_b3(good_friday: date) -> None:
    for market in (NYSE, LONDON, B3):
        assert not market.is_business_day(good_friday), market.name
        assert market.closure_reason(good_friday) == "Good Friday"


def test_juneteenth_closes_new_york_in_2026_and_its_friday_observance_in_2027() -> None:
    assert not NYSE.is_business_day(date(2026, 6, 19))
    assert not NYSE.is_business_day(date(2027, 6, 18))
    assert "Juneteenth" in (NYSE.closure_reason(date(2027, 6, 18)) or "")
    assert LONDON.is_business_day(date(2026, 6, 19))


@pytest.mark.parametrize(
    ("monday", "tuesday", "ash_wednesday"),
    [
        (date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)),
        (date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18)),
        (date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)),
        (date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)),
    ],
)
def test_carnival_closes_b3_monday_and_tuesday_but_ash_wednesday_is_a_session(
    monday: date, tuesday: date, ash_wednesday: date
) -> None:
    assert B3.closure_reason(monday) == "Carnival"
    assert not B3.is_business_day(tuesday)
    assert B3.is_business_day(ash_wednesday)


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_b3_is_closed_on_christmas_eve_and_new_years_eve(year: int) -> None:
    for day in (date(year, 12, 24), date(year, 12, 25), date(year, 12, 31), date(year + 1, 1, 1)):
        assert not B3.is_business_day(day) or day.weekday() >= 5, day
    assert previous_business_day(B3, date(year + 1, 1, 1)) == date(year, 12, 30)


def test_boxing_day_2025_closes_london_but_not_new_york() -> None:
    boxing_day = date(2025, 12, 26)
    assert NYSE.is_business_day(boxing_day)
    assert LONDON.closure_reason(boxing_day) == "Boxing Day"
    assert not NEW_YORK_AND_LONDON.is_business_day(boxing_day)
    assert NEW_YORK_OR_LONDON.is_business_day(boxing_day)
    assert NEW_YORK_AND_LONDON.closure_reason(boxing_day) == "XLON: Boxing Day"


def test_new_years_eve_2027_is_open_in_new_york_and_london_though_a_federal_holiday() -> None:
    assert NEW_YORK_AND_LONDON.is_business_day(date(2027, 12, 31))


def test_london_substitute_holidays_of_christmas_2027_close_the_joint_calendar_until_wednesday() -> None:
    assert LONDON.closure_reason(date(2027, 12, 27)) == "Christmas Day (observed)"
    assert next_business_day(NEW_YORK_AND_LONDON, date(2027, 12, 26)) == date(2027, 12, 29)
    assert not LONDON.is_business_day(date(2028, 1, 3))


def test_christmas_week_2026_and_the_year_boundary_move_across_the_closures() -> None:
    assert previous_business_day(NYSE, date(2026, 12, 28)) == date(2026, 12, 24)
    assert next_business_day(B3, date(2026, 12, 30)) == date(2027, 1, 4)
    assert next_business_day(NEW_YORK_AND_LONDON, date(2025, 12, 24)) == date(2025, 12, 29)


def test_aparecida_2026_closes_b3_on_a_monday() -> None:
    assert B3.closure_reason(date(2026, 10, 12)) == "Our Lady of Aparecida"
    assert shift_if_closed(B3, date(2026, 10, 12), Shift.PREVIOUS) == date(2026, 10, 9)
    assert shift_if_closed(B3, date(2026, 10, 12), "next") == date(2026, 10, 13)


def test_weekends_are_closed_everywhere_and_say_so() -> None:
    saturday = date(2026, 11, 28)
    for market in (NYSE, LONDON, B3, NEW_YORK_AND_LONDON):
        assert not market.is_business_day(saturday)
    assert NYSE.closure_reason(saturday) == "weekend"
    assert NYSE.closure_reason(date(2026, 11, 27)) is None


def test_an_open_day_stays_put_whichever_way_it_would_shift() -> None:
    tuesday = date(2026, 11, 24)
    assert shift_if_closed(NYSE, tuesday, "next") == tuesday
    assert shift_if_closed(NYSE, tuesday, "previous") == tuesday


def test_unknown_market_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown market calendar 'XCME'; known: XNYS, XLON, BVMF"):
        calendar("XCME")


def test_calendars_are_shared_and_named() -> None:
    assert calendar("XNYS") is NYSE
    assert NEW_YORK_AND_LONDON.name == "XNYS&XLON"
    assert NEW_YORK_OR_LONDON.name == "XNYS|XLON"


def test_b3_2025_has_250_sessions_once_its_eleven_weekday_holidays_are_removed() -> None:
    sessions = sum(
        B3.is_business_day(date(2025, 1, 1) + timedelta(days=n)) for n in range(365)
    )  # 261 weekdays - 11 (Sep 7, Oct 12, Nov 2 and Nov 15 fall on weekends)
    assert sessions == 250


# --- date helpers ----------------------------------------------------------------------------------------


def test_nth_weekday_finds_the_third_friday() -> None:
    assert nth_weekday(2025, 3, FRIDAY, 3) == date(2025, 3, 21)
    assert nth_weekday(2026, 5, FRIDAY, 3) == date(2026, 5, 15)  # month starting on a Friday


def test_last_weekday_finds_the_last_friday_including_the_31st() -> None:
    assert last_weekday(2027, 12, FRIDAY) == date(2027, 12, 31)
    assert last_weekday(2025, 2, FRIDAY) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("fifteenth", "wednesday"),
    [
        (date(2025, 2, 15), date(2025, 2, 12)),  # Saturday -> 12th
        (date(2026, 2, 15), date(2026, 2, 18)),  # Sunday -> 18th
        (date(2025, 10, 15), date(2025, 10, 15)),  # Wednesday itself
        (date(2027, 8, 15), date(2027, 8, 18)),
    ],
)
def test_nearest_wednesday_to_the_15th_is_between_the_12th_and_the_18th(fifteenth: date, wednesday: date) -> None:
    assert nearest_weekday(fifteenth, WEDNESDAY) == wednesday


def test_monday_of_week_of_a_sunday_is_six_days_earlier() -> None:
    assert monday_of_week(date(2026, 3, 22)) == date(2026, 3, 16)
    assert monday_of_week(date(2026, 3, 16)) == date(2026, 3, 16)
