"""The trading-day boundary: CME 17:00 Chicago (DST-aware), B3 the São Paulo date, one definition for all."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.engine import RiskEngine
from nexus_gw.domain.risk.timeutil import TradingCalendar as RiskCalendar
from nexus_gw.domain.tradingday import B3_DAY, CME_DAY, TradingCalendar, calendar_for, session_days, trading_day

SP = ZoneInfo("America/Sao_Paulo")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_cme_day_turns_at_17_chicago_in_winter_and_summer() -> None:
    # 2026-03-02 (CST, UTC-6): 17:00 Chicago = 23:00 UTC
    assert trading_day("CME", utc(2026, 3, 2, 22, 59, 59)) == date(2026, 3, 2)
    assert trading_day("CME", utc(2026, 3, 2, 23, 0)) == date(2026, 3, 3)  # the boundary belongs to the new day
    # 2026-07-01 (CDT, UTC-5): 17:00 Chicago = 22:00 UTC
    assert trading_day("CME", utc(2026, 7, 1, 21, 59)) == date(2026, 7, 1)
    assert trading_day("CBOT", utc(2026, 7, 1, 22, 0)) == date(2026, 7, 2)
    # Sunday evening Globex belongs to Monday
    assert trading_day("CME", utc(2026, 3, 8, 23, 30)) == date(2026, 3, 9)
    assert CME_DAY.day_start(date(2026, 3, 3)) == utc(2026, 3, 2, 23, 0)
    assert CME_DAY.day_end(date(2026, 3, 3)) == utc(2026, 3, 3, 23, 0)


def test_b3_day_is_the_sao_paulo_date() -> None:
    # 2026-03-02 21:25 UTC = 18:25 São Paulo (UTC-3), WIN's close: still 2026-03-02
    assert trading_day("B3", utc(2026, 3, 2, 21, 25)) == date(2026, 3, 2)
    assert trading_day("B3", utc(2026, 3, 3, 2, 59)) == date(2026, 3, 2)  # 23:59 São Paulo
    assert trading_day("B3", utc(2026, 3, 3, 3, 0)) == date(2026, 3, 3)
    assert B3_DAY.day_start(date(2026, 3, 3)) == utc(2026, 3, 3, 3, 0)


@pytest.mark.parametrize("day", [date(2026, 1, 5), date(2026, 3, 9), date(2026, 7, 1), date(2026, 11, 2)])
def test_a_b3_session_lies_inside_the_cme_day_of_the_same_date(day: date) -> None:
    # 09:00-18:25 São Paulo, across Chicago's DST change (2026-03-08) and back (2026-11-01)
    for wall in (time(9, 0), time(12, 0), time(18, 25)):
        instant = datetime.combine(day, wall, tzinfo=SP)
        assert trading_day("B3", instant) == trading_day("CME", instant) == day


def test_other_venues_follow_the_default_and_the_risk_engine_uses_the_same_calendar() -> None:
    custom = TradingCalendar(time(16, 0), ZoneInfo("America/New_York"))
    assert calendar_for("OTC", custom) is custom and calendar_for("cme") is CME_DAY
    assert RiskCalendar is TradingCalendar  # one definition
    engine = RiskEngine(RiskConfig())
    when = utc(2026, 3, 2, 23, 0)
    assert engine.calendar.trading_day(when) == CME_DAY.trading_day(when) == date(2026, 3, 3)


def test_session_days_skip_weekends_and_holidays_of_every_traded_market() -> None:
    # 2026-04-03 is Good Friday: NYSE and B3 closed. 2026-04-21 is Tiradentes: B3 closed, NYSE open.
    assert session_days(date(2026, 4, 2), date(2026, 4, 6), ["CME"]) == [date(2026, 4, 2), date(2026, 4, 6)]
    assert session_days(date(2026, 4, 21), date(2026, 4, 21), ["B3"]) == []
    assert session_days(date(2026, 4, 21), date(2026, 4, 21), ["B3", "CME"]) == [date(2026, 4, 21)]
    # a day with a trade always counts; venues without a calendar count every weekday
    assert session_days(date(2026, 4, 3), date(2026, 4, 4), ["CME"], extra=[date(2026, 4, 3)]) == [date(2026, 4, 3)]
    assert len(session_days(date(2026, 4, 3), date(2026, 4, 3) + timedelta(days=3), ["OTC"])) == 2
