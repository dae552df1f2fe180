"""Trading days: which exchange day an instant belongs to. The one place the day boundary is defined.

A trading day is named by the calendar date it ends on and runs from the boundary on the day before to the
boundary on its own date (a time exactly at the boundary belongs to the new day):

- **CME / CBOT** (NQ, ES, YM, BTC…): 17:00 America/Chicago (CST or CDT as the date requires). Sunday evening's
  Globex session is Monday's trading day, as CME's trade dates are.
- **B3** (WIN, WDO): B3's sessions open and close on the same São Paulo date (WIN trades 09:00–18:25), so its
  trading day is the São Paulo calendar date: the boundary is 00:00 America/Sao_Paulo.
- Any other venue (OTC spot CFDs) follows the caller's default, which is the gateway's own trading day.

The daily loss limit counts the profile's ``risk.trading_day`` (default: the CME boundary above), the report
and ``--date`` of the journal commands use the same calendars. A B3 session lies wholly inside the CME day of
the same date (09:00–18:25 São Paulo is 06:00–16:25 Chicago at the latest), so a WIN trade falls on the same
day under either boundary.

API:
    TradingCalendar(start, tz).trading_day(now) -> date; .day_start(day); .day_end(day); .next_boundary(now)
    CME_DAY, B3_DAY; calendar_for(exchange, default=CME_DAY) -> TradingCalendar
    trading_day(exchange, when, default=CME_DAY) -> date
    session_days(first, last, markets, extra=()) -> list[date]   # days a market was open in [first, last]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nexus_gw.domain.calendars import calendar

#: CME Globex trade dates start at 17:00 Chicago time the evening before.
CME_DAY_START = time(17, 0)
CME_TIME_ZONE = "America/Chicago"
#: B3 sessions stay within one São Paulo date.
B3_DAY_START = time(0, 0)
B3_TIME_ZONE = "America/Sao_Paulo"

#: The business-day calendar (``nexus_gw.domain.calendars``) that says whether an exchange had a session.
MARKET_OF_EXCHANGE = {"CME": "XNYS", "CBOT": "XNYS", "B3": "BVMF"}


def require_aware(when: datetime, name: str = "now") -> datetime:
    """Return ``when`` unchanged, or raise when it has no time zone (naive times are ambiguous)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(UTC)), got naive {when!r}")
    return when


def local_at(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant at wall-clock ``wall`` on ``day`` in ``tz``.

    A wall time skipped by a spring-forward change is read with the offset in force before the change (02:30
    becomes 03:30 daylight time), so a boundary never vanishes; a repeated wall time takes its first
    occurrence.
    """
    return datetime.combine(day, wall).replace(tzinfo=tz, fold=0)


class TradingCalendar:
    """Trading days that start every day at ``start`` (wall time) in ``tz``.

    With 17:00 America/Chicago, Tuesday's trading day runs from Monday 17:00 to Tuesday 17:00 Chicago time, in
    CST or CDT as the date requires. A time exactly at the boundary belongs to the new trading day.
    """

    def __init__(self, start: time, tz: ZoneInfo) -> None:
        self.start = start
        self.tz = tz
        self._span: tuple[datetime, datetime, date] | None = None  # the last day found: [start, end) and its date

    def __repr__(self) -> str:
        return f"TradingCalendar({self.start.isoformat('minutes')} {self.tz.key})"

    def trading_day(self, now: datetime) -> date:
        """The trading day ``now`` belongs to (named by the calendar date it ends on).

        Called on every loop pass and fill: the last day's span is kept, so a time inside it costs two comparisons
        and no time-zone arithmetic."""
        span = self._span
        if span is not None and span[0] <= require_aware(now) < span[1]:
            return span[2]
        day = self._trading_day(now)
        start, end = self.day_start(day), self.day_end(day)
        if start <= now < end:  # a span that does not hold ``now`` (a time-zone oddity) is never kept
            self._span = (start, end, day)
        return day

    def _trading_day(self, now: datetime) -> date:
        local = require_aware(now).astimezone(self.tz)
        boundary = local_at(local.date(), self.start, self.tz)
        if self.start == time(0, 0):
            return local.date()
        return local.date() + timedelta(days=1) if now >= boundary else local.date()

    def day_start(self, day: date) -> datetime:
        """The instant trading day ``day`` begins (the boundary on the day before; midnight of ``day`` itself
        for a calendar whose days start at 00:00)."""
        if self.start == time(0, 0):
            return local_at(day, self.start, self.tz)
        return local_at(day - timedelta(days=1), self.start, self.tz)

    def day_end(self, day: date) -> datetime:
        """The instant trading day ``day`` ends (exclusive): the start of the next one."""
        return self.day_start(day + timedelta(days=1))

    def next_boundary(self, now: datetime) -> datetime:
        """The first boundary strictly after ``now``: when the next trading day starts."""
        return self.day_start(self.trading_day(now) + timedelta(days=1))


CME_DAY = TradingCalendar(CME_DAY_START, ZoneInfo(CME_TIME_ZONE))
B3_DAY = TradingCalendar(B3_DAY_START, ZoneInfo(B3_TIME_ZONE))
_BY_EXCHANGE = {"CME": CME_DAY, "CBOT": CME_DAY, "B3": B3_DAY}


def calendar_for(exchange: str, default: TradingCalendar = CME_DAY) -> TradingCalendar:
    """The trading-day calendar of an exchange (``Instrument.exchange``); ``default`` for other venues."""
    return _BY_EXCHANGE.get(exchange.upper(), default)


def trading_day(exchange: str, when: datetime, default: TradingCalendar = CME_DAY) -> date:
    """The trading day of ``exchange`` that ``when`` (timezone-aware) belongs to."""
    return calendar_for(exchange, default).trading_day(when)


def session_days(first: date, last: date, exchanges: Iterable[str], extra: Iterable[date] = ()) -> list[date]:
    """Days in ``[first, last]`` on which at least one of ``exchanges`` had a regular session (weekdays that
    are not holidays of the exchange's market; a venue without a market calendar counts every weekday), plus
    ``extra`` days in the range (days that had trades), sorted."""
    markets = {MARKET_OF_EXCHANGE.get(e.upper()) for e in exchanges}
    calendars = [calendar(m) for m in markets if m is not None]
    any_weekday = None in markets or not calendars
    days = set(d for d in extra if first <= d <= last)
    day = first
    while day <= last:
        if day.weekday() < 5 and (any_weekday or any(c.is_business_day(day) for c in calendars)):
            days.add(day)
        day += timedelta(days=1)
    return sorted(days)
