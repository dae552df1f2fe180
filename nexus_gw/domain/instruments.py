"""Instruments: what a root (NQ, WIN, BTCUSD…) is and how its contracts are listed, expire and roll.

Everything here is data validated from ``config/instruments.yaml``. The expiry and roll rules are *named* here
and implemented once in :mod:`nexus_gw.domain.contracts`, so adding an instrument is a config change.

API:
    InstrumentsFile.model_validate(data)            # schema of the file (top key ``instruments:``)
    registry = InstrumentRegistry.from_mapping(data) # data = the parsed YAML as plain dicts
    registry.get("NQ") -> Instrument                 # UnknownSymbolError listing the known roots
    registry.roots() -> list[str]; "NQ" in registry; len(registry); iter(registry) -> Instruments
    instrument.tick_value, instrument.is_expiring, instrument.zone, instrument.month_numbers()
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from nexus_gw.domain.calendars import Shift
from nexus_gw.errors import UnknownSymbolError

#: Futures month codes, January (F) to December (Z); shared by CME and B3.
MONTH_CODES = "FGHJKMNQUVXZ"

RootName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,11}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class InstrumentKind(StrEnum):
    """Whether an instrument is listed as expiring contracts or trades as one non-expiring symbol."""

    FUTURE = "future"
    SPOT = "spot"


class ExpiryRule(StrEnum):
    """Named last-trade/expiry rules; each is implemented once in ``contracts.py``."""

    CME_EQUITY_INDEX = "cme_equity_index"
    """3rd Friday of the month; if NYSE is closed, the previous NYSE session (ES, NQ, YM, RTY and micros)."""
    CME_CRYPTO_LONDON_AND_US = "cme_crypto_london_and_us"
    """Last Friday of the month, else the prior day that is a London and a NYSE business day (BTC, MBT)."""
    CME_CRYPTO_LONDON_OR_US = "cme_crypto_london_or_us"
    """Literal reading of CME's ETH/MET text: last Friday if London *or* NYSE is open, else the prior one."""
    B3_MINI_INDEX = "b3_mini_index"
    """Wednesday closest to the 15th; if B3 is closed, the next B3 session (WIN)."""
    B3_MINI_DOLLAR = "b3_mini_dollar"
    """Expiry on the 1st B3 session of the contract month; last trade on the B3 session before it (WDO)."""
    NONE = "none"
    """Never expires (spot, CFDs)."""


class RollRule(StrEnum):
    """Named conventions for the date on which the next contract becomes the front one."""

    MONDAY_OF_EXPIRY_WEEK = "monday_of_expiry_week"
    """Monday of the week of the rule's anchor (nominal expiry); CME's lead-month convention since 2022."""
    EIGHT_DAYS_BEFORE = "eight_days_before"
    """Anchor date minus 8 calendar days (the Thursday before expiry week); CME's convention before 2022."""
    HOLD_TO_EXPIRY = "hold_to_expiry"
    """The first business day after the last trade date: the expiring contract stays front to the end."""
    LAST_TRADE_DATE = "last_trade_date"
    """The expiring contract's last trade date itself (WDO practice)."""
    NONE = "none"
    """Never rolls (spot, CFDs)."""


class InstrumentSpec(BaseModel):
    """One root's entry under ``instruments:`` in ``config/instruments.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field("", description="Human name, e.g. 'E-mini Nasdaq-100'.")
    kind: InstrumentKind = Field(
        InstrumentKind.FUTURE,
        description="'future' (expiring contracts) or 'spot' (one non-expiring symbol, CFDs).",
    )
    exchange: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")] = Field(
        description="Listing venue as used in platform symbols: CME, CBOT, B3; OTC for spot CFDs."
    )
    currency: CurrencyCode = Field(description="ISO 4217 code of prices and P&L, e.g. USD or BRL.")
    timezone: str = Field(description="IANA zone of the exchange; roll times are local to it, e.g. America/Chicago.")
    tick_size: Decimal = Field(gt=0, description="Minimum price increment, in price points.")
    point_value: Decimal = Field(
        gt=0, description="Money (in `currency`) gained per contract when the price moves 1.0 point."
    )
    contract_months: str = Field(
        "",
        description="Month codes that are listed, e.g. 'HMUZ' (quarterly) or 'FGHJKMNQUVXZ'; empty for spot.",
    )
    expiry_rule: ExpiryRule = Field(ExpiryRule.NONE, description="Named last-trade/expiry rule; 'none' for spot.")
    roll_rule: RollRule = Field(
        RollRule.NONE,
        description="Named roll convention; futures default to monday_of_expiry_week, spot is 'none'.",
    )
    roll_if_closed: Shift = Field(
        Shift.NEXT,
        description="Where a roll date on a closed day moves: 'next' or 'previous' business day.",
    )
    roll_time: time = Field(
        time(0, 0),
        description="Local time (in `timezone`) at which the next contract becomes front, e.g. '17:00'.",
    )
    roll_day_offset: int = Field(
        0,
        ge=-3,
        le=0,
        description="Days added to the roll date before applying roll_time; -1 with 17:00 = the evening "
        "before "
        "(CME Globex trade date).",
    )

    @field_validator("contract_months")
    @classmethod
    def _check_month_codes(cls, value: str) -> str:
        unknown = sorted(set(value) - set(MONTH_CODES))
        if unknown:
            raise ValueError(f"unknown month codes {''.join(unknown)!r}; use letters of {MONTH_CODES} (F=Jan … Z=Dec)")
        if len(set(value)) != len(value):
            raise ValueError("a month code is listed twice; list each month once")
        return "".join(sorted(value, key=MONTH_CODES.index))

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as America/Chicago") from exc
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_roll_rule(cls, data: Any) -> Any:
        """Futures roll on the Monday of expiry week unless told otherwise (CME's convention since 2022)."""
        if isinstance(data, Mapping) and data.get("roll_rule") is None:
            is_spot = str(data.get("kind", InstrumentKind.FUTURE)) == InstrumentKind.SPOT
            return {**data, "roll_rule": RollRule.NONE if is_spot else RollRule.MONDAY_OF_EXPIRY_WEEK}
        return data

    @model_validator(mode="after")
    def _check_expiry_fields(self) -> Self:
        if self.kind is InstrumentKind.FUTURE:
            missing = [
                name
                for name, is_missing in (
                    ("contract_months", not self.contract_months),
                    ("expiry_rule", self.expiry_rule is ExpiryRule.NONE),
                    ("roll_rule", self.roll_rule is RollRule.NONE),
                )
                if is_missing
            ]
            if missing:
                raise ValueError(f"a future needs {', '.join(missing)}; set them or use kind: spot")
        elif self.contract_months or self.expiry_rule is not ExpiryRule.NONE or self.roll_rule is not RollRule.NONE:
            raise ValueError("a spot instrument never expires; remove contract_months, expiry_rule and roll_rule")
        return self


class InstrumentsFile(BaseModel):
    """Schema of ``config/instruments.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instruments: dict[RootName, InstrumentSpec] = Field(
        min_length=1,
        description="Instrument specifications keyed by root (upper case), e.g. NQ, WIN, BTCUSD.",
    )


class Instrument(InstrumentSpec):
    """A validated instrument together with its root."""

    root: RootName = Field(description="Canonical root, the name NEXUS uses (NQ, WIN, BTCUSD…).")

    @classmethod
    def from_spec(cls, root: str, spec: InstrumentSpec) -> Instrument:
        """The instrument called ``root`` described by ``spec``."""
        return cls.model_validate({"root": root, **dict(spec)})

    @property
    def tick_value(self) -> Decimal:
        """Money (in `currency`) per contract per tick."""
        return self.tick_size * self.point_value

    @property
    def is_expiring(self) -> bool:
        """True for futures (listed as dated contracts), False for spot/CFDs."""
        return self.kind is InstrumentKind.FUTURE

    @property
    def zone(self) -> ZoneInfo:
        """The exchange's time zone."""
        return ZoneInfo(self.timezone)

    def month_numbers(self) -> tuple[int, ...]:
        """Listed contract months as numbers 1–12, in calendar order."""
        return tuple(MONTH_CODES.index(code) + 1 for code in self.contract_months)


class InstrumentRegistry:
    """All configured instruments, looked up by root."""

    __slots__ = ("_by_root",)

    def __init__(self, instruments: Mapping[str, Instrument]) -> None:
        self._by_root = dict(instruments)

    @classmethod
    def from_file(cls, file: InstrumentsFile) -> InstrumentRegistry:
        """Registry of an already validated instruments file."""
        return cls({root: Instrument.from_spec(root, spec) for root, spec in file.instruments.items()})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> InstrumentRegistry:
        """Registry from the parsed YAML; raises ``pydantic.ValidationError`` on bad input."""
        return cls.from_file(InstrumentsFile.model_validate(data))

    def get(self, root: str) -> Instrument:
        """The instrument called ``root``."""
        try:
            return self._by_root[root]
        except KeyError:
            raise UnknownSymbolError(
                f"unknown instrument root {root!r}; known roots: {', '.join(self.roots())}. "
                "Use one of these or add it under 'instruments:' in config/instruments.yaml."
            ) from None

    def roots(self) -> list[str]:
        """Every configured root, sorted."""
        return sorted(self._by_root)

    def __contains__(self, root: object) -> bool:
        return root in self._by_root

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._by_root[root] for root in self.roots())

    def __len__(self) -> int:
        return len(self._by_root)
