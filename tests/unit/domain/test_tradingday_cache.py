"""A calendar that keeps its last trading day answers exactly as one computing each time, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.tradingday import TradingCalendar

# Chicago's DST changes at 02:00; São Paulo's changed at midnight until 2019 (a skipped and a repeated midnight).
ZONES = ("America/Chicago", "America/Sao_Paulo", "Europe/London", "Australia/Lord_Howe")
STARTS = (time(17, 0), time(0, 0), time(2, 30), time(1, 30), time(23, 59))
# Around DST changes: Chicago March/November 2026, São Paulo's midnight changes of 2018/2019.
AROUND = [
    datetime(2026, 3, 8, 8, tzinfo=UTC),
    datetime(2026, 11, 1, 7, tzinfo=UTC),
    datetime(2018, 11, 4, 3, tzinfo=UTC),
    datetime(2019, 2, 17, 2, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.sampled_from(STARTS),
    st.sampled_from(AROUND),
    st.lists(st.integers(-3 * 86400, 3 * 86400), min_size=1, max_size=40),
)
def test_the_kept_day_equals_the_day_computed_afresh(
    zone: str, start: time, around: datetime, offsets: list[int]
) -> None:
    calendar = TradingCalendar(start, ZoneInfo(zone))
    for seconds in sorted(offsets) if offsets[0] % 2 else offsets:  # in time order, or jumping back and forth
        now = around + timedelta(seconds=seconds)
        assert calendar.trading_day(now) == TradingCalendar(start, ZoneInfo(zone))._trading_day(now), now


def test_a_kept_day_still_refuses_a_naive_time() -> None:
    calendar = TradingCalendar(time(17, 0), ZoneInfo("America/Chicago"))
    calendar.trading_day(datetime(2026, 3, 2, 12, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.trading_day(datetime(2026, 3, 2, 12, 0, 1))
