from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from nexus_gw.cli.journal import fmt_ns, fmt_qty, parse_when, render_table
from nexus_gw.errors import UsageError


def test_date_since_is_start_of_that_utc_day_and_date_until_includes_the_whole_day() -> None:
    assert parse_when("2026-03-02", "--since") == datetime(2026, 3, 2, tzinfo=UTC)
    assert parse_when("2026-03-02", "--until", end=True) == datetime(2026, 3, 3, tzinfo=UTC)


def test_iso_time_keeps_its_offset_and_a_naive_one_is_utc() -> None:
    brt = timezone(timedelta(hours=-3))
    assert parse_when("2026-03-02T10:00:00-03:00", "--since") == datetime(2026, 3, 2, 10, tzinfo=brt)
    assert parse_when("2026-03-02T10:00:00", "--until", end=True) == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert parse_when(None, "--since") is None


def test_unreadable_time_says_which_option_and_the_accepted_forms() -> None:
    with pytest.raises(UsageError, match=r"--until 'last week'.*YYYY-MM-DD"):
        parse_when("last week", "--until")


@pytest.mark.parametrize(("value", "text"), [(2.0, "2"), (0, "0"), (0.01, "0.01"), (16250.75, "16250.75")])
def test_quantities_and_prices_print_exactly_without_trailing_zero(value: float, text: str) -> None:
    assert fmt_qty(value) == text


def test_times_print_in_utc_and_unknown_as_dash() -> None:
    assert fmt_ns(1_772_409_600_000_000_000) == "2026-03-02 00:00:00"
    assert fmt_ns(0) == "-"


def test_table_columns_are_as_wide_as_their_widest_cell() -> None:
    table = render_table(("id", "price"), [["o1", 16250.75], ["order-22", None]])
    assert table.splitlines() == ["id        price", "o1        16250.75", "order-22  -"]
