"""Exchange business-day calendars and the date arithmetic that expiry and roll rules are built from.

A *business day* here is a weekday on which the named market is open for its regular session. Holidays come
from the ``holidays`` package (``financial_holidays``), never from a hand-typed list, so the calendars follow
the package's release; refresh it yearly (B3 publishes its next year in December).

API:
    calendar("XNYS") -> BusinessCalendar        # "XNYS", "XLON", "BVMF"
    calendar("XNYS&XLON")                       # open in every named market (BTC/MBT expiry, crypto rolls)
    calendar("XNYS|XLON")                       # open in at least one (literal ETH/MET expiry wording)
    cal.is_business_day(d); cal.closure_reason(d)
    previous_business_day(cal, d); next_business_day(cal, d); shift_if_closed(cal, d, "next" | "previous")
    nth_weekday(year, month, weekday, n); last_weekday(year, month, weekday); nearest_weekday(d, weekday)

Calendars are immutable and cached; holiday sets are computed once per (market, year).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

import holidays

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

#: Market identifiers (ISO 10383 MIC) that ``holidays.financial_holidays`` knows and this gateway uses.
#: CME expiries follow the underlying cash markets (XNYS, XLON), never a Globex-hours calendar.
KNOWN_MARKETS: tuple[str, ...] = ("XNYS", "XLON", "BVMF")

#: Business-day searches give up after this many closed days in a row (a broken calendar, not a real market).
_MAX_CLOSED_RUN = 31


class Shift(StrEnum):
    """Which way a date that is not a business day moves."""

    NEXT = "next"
    PREVIOUS = "previous"


class BusinessCalendar(Protocol):
    """A set of business days."""

    @property
    def name(self) -> str:
        """Identifier such as ``XNYS`` or ``XNYS&XLON``."""
        ...

    def is_business_day(self, day: date) -> bool:
        """True when the market is open for its regular session on ``day``."""
        ...

    def closure_reason(self, day: date) -> str | None:
        """Why the market is closed on ``day`` (holiday name or "weekend"), or None when it is open."""
        ...


@lru_cache(maxsize=256)
def _holidays_of(market: str, year: int) -> Mapping[date, str]:
    """Holiday dates and names of one market for one year, read once from the ``holidays`` package."""
    # Neighbouring years are included because an observed holiday can cross a year boundary.
    table = holidays.financial_holidays(market, years=(year - 1, year, year + 1))
    return MappingProxyType({day: str(name) for day, name in table.items() if day.year == year})


class MarketCalendar:
    """Business days of one market: weekdays that are not exchange holidays."""

    __slots__ = ("_market",)

    def __init__(self, market: str) -> None:
        if market not in KNOWN_MARKETS:
            raise ValueError(f"unknown market calendar {market!r}; known: {', '.join(KNOWN_MARKETS)}")
        self._market = market

    @property
    def name(self) -> str:
        return self._market

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in _holidays_of(self._market, day.year)

    def closure_reason(self, day: date) -> str | None:
        if day.weekday() >= SATURDAY:
            return "weekend"
        return _holidays_of(self._market, day.year).get(day)

    def __repr__(self) -> str:
        return f"MarketCalendar({self._market!r})"


class JointCalendar:
    """Business days of several markets combined: open in all of them (``&``) or in at least one (``|``)."""

    __slots__ = ("_members", "_require_all")

    def __init__(self, members: tuple[MarketCalendar, ...], *, require_all: bool) -> None:
        if len(members) < 2:
            raise ValueError("a joint calendar needs at least two markets")
        self._members = members
        self._require_all = require_all

    @property
    def name(self) -> str:
        joiner = "&" if self._require_all else "|"
        return joiner.join(member.name for member in self._members)

    def is_business_day(self, day: date) -> bool:
        open_flags = (member.is_business_day(day) for member in self._members)
        return all(open_flags) if self._require_all else any(open_flags)

    def closure_reason(self, day: date) -> str | None:
        if self.is_business_day(day):
            return None
        reasons = [
            f"{member.name}: {reason}" for member in self._members if (reason := member.closure_reason(day)) is not None
        ]
        return "; ".join(reasons)

    def __repr__(self) -> str:
        return f"JointCalendar({self.name!r})"


@lru_cache(maxsize=32)
def calendar(name: str) -> BusinessCalendar:
    """The calendar called ``name``: a market code, or codes joined by ``&`` (all open) or ``|`` (any)."""
    for joiner, require_all in (("&", True), ("|", False)):
        if joiner in name:
            members = tuple(MarketCalendar(part.strip()) for part in name.split(joiner))
            return JointCalendar(members, require_all=require_all)
    return MarketCalendar(name.strip())


def _step_to_business_day(cal: BusinessCalendar, day: date, step: timedelta) -> date:
    for _ in range(_MAX_CLOSED_RUN):
        day += step
        if cal.is_business_day(day):
            return day
    raise ValueError(f"calendar {cal.name} has no business day within {_MAX_CLOSED_RUN} days of {day}")


def previous_business_day(cal: BusinessCalendar, day: date) -> date:
    """The last business day strictly before ``day``."""
    return _step_to_business_day(cal, day, timedelta(days=-1))


def next_business_day(cal: BusinessCalendar, day: date) -> date:
    """The first business day strictly after ``day``."""
    return _step_to_business_day(cal, day, timedelta(days=1))


def shift_if_closed(cal: BusinessCalendar, day: date, shift: Shift | str) -> date:
    """``day`` itself when it is a business day, else the nearest business day in the ``shift`` direction."""
    if cal.is_business_day(day):
        return day
    if Shift(shift) is Shift.NEXT:
        return next_business_day(cal, day)
    return previous_business_day(cal, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th (1-based) ``weekday`` (Monday = 0) of a month, e.g. the 3rd Friday."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last ``weekday`` (Monday = 0) of a month, e.g. the last Friday."""
    last_day = first_of_next_month(year, month) - timedelta(days=1)
    return last_day - timedelta(days=(last_day.weekday() - weekday) % 7)


def nearest_weekday(day: date, weekday: int) -> date:
    """The ``weekday`` (Monday = 0) closest to ``day``; never a tie, since it is at most 3 days away."""
    forward = (weekday - day.weekday()) % 7
    return day + timedelta(days=forward) if forward <= 3 else day - timedelta(days=7 - forward)


def monday_of_week(day: date) -> date:
    """The Monday of the ISO week (Monday–Sunday) that contains ``day``."""
    return day - timedelta(days=day.weekday())


def first_of_next_month(year: int, month: int) -> date:
    """The first calendar day of the month after (year, month)."""
    return date(year + month // 12, month % 12 + 1, 1)
