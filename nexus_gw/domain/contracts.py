"""Dated futures contracts: expiry and roll rules, the front contract at any instant, and the roll schedule.

The rules named in ``instruments.yaml`` are implemented here, once each, on top of real exchange calendars
(:mod:`nexus_gw.domain.calendars`). Dates are exchange-local calendar dates.

API:
    front_contract(instrument, at) -> Contract          # ``at`` must be timezone-aware
    roll_schedule(instrument, start, end) -> list[Contract]
    contract_for(instrument, year, month) -> Contract   # any listed month; ValueError for a month not listed
    Contract: root, year, month, code ("NQH25"), last_trade_date, expiry_date, roll_date, roll_at

``roll_date`` is the (trade) date from which the *next* contract is front; ``roll_at`` is the exact instant:
``roll_time`` local time on ``roll_date + roll_day_offset`` in the instrument's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from nexus_gw.domain.calendars import (
    FRIDAY,
    WEDNESDAY,
    BusinessCalendar,
    calendar,
    last_weekday,
    monday_of_week,
    nearest_weekday,
    next_business_day,
    nth_weekday,
    previous_business_day,
    shift_if_closed,
)
from nexus_gw.domain.instruments import MONTH_CODES, ExpiryRule, Instrument, RollRule
from nexus_gw.errors import UsageError


class NonExpiringInstrumentError(UsageError):
    """A contract was asked for an instrument that never expires (spot, CFD)."""


@dataclass(frozen=True, slots=True, order=True)
class Contract:
    """One dated futures contract of a root, with the dates that matter for trading it."""

    year: int
    """Contract year, four digits."""
    month: int
    """Contract month, 1–12."""
    root: str
    """The instrument root, e.g. NQ."""
    last_trade_date: date
    """Last exchange-local date on which the contract trades."""
    expiry_date: date
    """Exchange-local expiration date (equal to the last trade date except for WDO)."""
    roll_date: date
    """Trade date on and after which the *next* contract is the front one."""
    roll_at: datetime
    """The instant (timezone-aware) at which the next contract becomes the front one."""

    @property
    def month_code(self) -> str:
        """Month letter, F (January) … Z (December)."""
        return MONTH_CODES[self.month - 1]

    @property
    def code(self) -> str:
        """Exchange code: root + month letter + two-digit year, e.g. NQH25, WDOF26."""
        return f"{self.root}{self.month_code}{self.year % 100:02d}"

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, slots=True)
class _ExpiryDates:
    """What an expiry rule says about one contract month."""

    anchor: date
    """Nominal date the rule starts from before any holiday shift; roll conventions count from it."""
    last_trade: date
    expiry: date
    sessions: BusinessCalendar
    """Calendar whose business days roll dates must land on."""


def _cme_equity_index(year: int, month: int) -> _ExpiryDates:
    nyse = calendar("XNYS")
    third_friday = nth_weekday(year, month, FRIDAY, 3)
    last_trade = shift_if_closed(nyse, third_friday, "previous")
    return _ExpiryDates(anchor=third_friday, last_trade=last_trade, expiry=last_trade, sessions=nyse)


def _cme_crypto(expiry_calendar: str) -> Callable[[int, int], _ExpiryDates]:
    def rule(year: int, month: int) -> _ExpiryDates:
        last_friday = last_weekday(year, month, FRIDAY)
        last_trade = shift_if_closed(calendar(expiry_calendar), last_friday, "previous")
        # Rolls land on days that both London and New York trade, whatever the expiry wording.
        return _ExpiryDates(anchor=last_trade, last_trade=last_trade, expiry=last_trade, sessions=calendar("XNYS&XLON"))

    return rule


def _b3_mini_index(year: int, month: int) -> _ExpiryDates:
    b3 = calendar("BVMF")
    wednesday = nearest_weekday(date(year, month, 15), WEDNESDAY)
    expiry = shift_if_closed(b3, wednesday, "next")
    return _ExpiryDates(anchor=wednesday, last_trade=expiry, expiry=expiry, sessions=b3)


def _b3_mini_dollar(year: int, month: int) -> _ExpiryDates:
    b3 = calendar("BVMF")
    expiry = shift_if_closed(b3, date(year, month, 1), "next")
    last_trade = previous_business_day(b3, expiry)
    return _ExpiryDates(anchor=expiry, last_trade=last_trade, expiry=expiry, sessions=b3)


_EXPIRY_RULES: dict[ExpiryRule, Callable[[int, int], _ExpiryDates]] = {
    ExpiryRule.CME_EQUITY_INDEX: _cme_equity_index,
    ExpiryRule.CME_CRYPTO_LONDON_AND_US: _cme_crypto("XNYS&XLON"),
    ExpiryRule.CME_CRYPTO_LONDON_OR_US: _cme_crypto("XNYS|XLON"),
    ExpiryRule.B3_MINI_INDEX: _b3_mini_index,
    ExpiryRule.B3_MINI_DOLLAR: _b3_mini_dollar,
}


def _roll_date(instrument: Instrument, dates: _ExpiryDates) -> date:
    rule = instrument.roll_rule
    if rule is RollRule.HOLD_TO_EXPIRY:
        return next_business_day(dates.sessions, dates.last_trade)
    if rule is RollRule.LAST_TRADE_DATE:
        return dates.last_trade
    if rule is RollRule.MONDAY_OF_EXPIRY_WEEK:
        nominal = monday_of_week(dates.anchor)
    elif rule is RollRule.EIGHT_DAYS_BEFORE:
        nominal = dates.anchor - timedelta(days=8)
    else:
        raise NonExpiringInstrumentError(f"{instrument.root} has roll_rule 'none' and never rolls")
    return shift_if_closed(dates.sessions, nominal, instrument.roll_if_closed)


@lru_cache(maxsize=4096)
def _build_contract(instrument: Instrument, year: int, month: int) -> Contract:
    dates = _EXPIRY_RULES[instrument.expiry_rule](year, month)
    roll_date = _roll_date(instrument, dates)
    local_roll = datetime.combine(roll_date + timedelta(days=instrument.roll_day_offset), instrument.roll_time)
    return Contract(
        year=year,
        month=month,
        root=instrument.root,
        last_trade_date=dates.last_trade,
        expiry_date=dates.expiry,
        roll_date=roll_date,
        roll_at=local_roll.replace(tzinfo=instrument.zone),
    )


def _require_expiring(instrument: Instrument) -> None:
    if not instrument.is_expiring:
        raise NonExpiringInstrumentError(
            f"{instrument.root} is a {instrument.kind.value} instrument and has no dated contracts; "
            "trade its symbol directly (ask for a contract only for futures)."
        )


def contract_for(instrument: Instrument, year: int, month: int) -> Contract:
    """The contract of ``instrument`` for a listed (year, month)."""
    _require_expiring(instrument)
    if month not in instrument.month_numbers():
        raise ValueError(
            f"{instrument.root} lists no contract in month {month} ({MONTH_CODES[month - 1]}); "
            f"listed months: {instrument.contract_months}"
        )
    return _build_contract(instrument, year, month)


def _contracts_from(instrument: Instrument, year: int, month: int) -> Iterator[Contract]:
    """Listed contracts in order, starting with the first listed month at or after (year, month)."""
    months = instrument.month_numbers()
    while True:
        for listed in months:
            if listed >= month:
                yield _build_contract(instrument, year, listed)
        year, month = year + 1, 1


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"time {at.isoformat()} has no time zone; pass a timezone-aware datetime (e.g. datetime.now(UTC))"
        )


def front_contract(instrument: Instrument, at: datetime) -> Contract:
    """The contract that is front at instant ``at``: the first one whose roll instant is still ahead."""
    _require_expiring(instrument)
    _require_aware(at)
    local = at.astimezone(instrument.zone)
    # Start two months back: a roll can fall in the month before the contract month (WDO), never earlier.
    start = date(local.year, local.month, 1) - timedelta(days=45)
    for contract in _contracts_from(instrument, start.year, start.month):
        if contract.roll_at > at:
            return contract
    raise AssertionError("unreachable: contracts are listed forever")  # pragma: no cover


def roll_schedule(instrument: Instrument, start: date, end: date) -> list[Contract]:
    """Every contract that is front at some moment of the exchange-local dates ``start`` … ``end``
    (inclusive), in order; the first is the front contract at the start of ``start``."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}; give the dates in order")
    zone = instrument.zone
    first = front_contract(instrument, datetime.combine(start, time(0, 0), tzinfo=zone))
    end_of_range = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone)
    schedule: list[Contract] = []
    for contract in _contracts_from(instrument, first.year, first.month):
        schedule.append(contract)
        if contract.roll_at >= end_of_range:
            return schedule
    raise AssertionError("unreachable: contracts are listed forever")  # pragma: no cover
