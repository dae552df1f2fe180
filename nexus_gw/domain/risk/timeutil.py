"""Time helpers: aware datetimes only, trading-day arithmetic and session windows in a named time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def require_aware(when: datetime, name: str = "now") -> datetime:
    """Return ``when`` unchanged, or raise when it has no time zone (naive times are ambiguous)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(UTC)), got naive {when!r}")
    return when


def parse_aware(text: str, name: str) -> datetime:
    """Parse an ISO 8601 time written by ``to_dict`` and insist that it carries an offset."""
    return require_aware(datetime.fromisoformat(text), name)


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


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

    def trading_day(self, now: datetime) -> date:
        """The trading day ``now`` belongs to (named by the calendar date it ends on)."""
        local = require_aware(now).astimezone(self.tz)
        boundary = local_at(local.date(), self.start, self.tz)
        return local.date() + timedelta(days=1) if now >= boundary else local.date()

    def day_start(self, day: date) -> datetime:
        """The instant trading day ``day`` begins (the boundary on the day before)."""
        return local_at(day - timedelta(days=1), self.start, self.tz)

    def next_boundary(self, now: datetime) -> datetime:
        """The first boundary strictly after ``now``: when the next trading day starts."""
        return self.day_start(self.trading_day(now) + timedelta(days=1))
