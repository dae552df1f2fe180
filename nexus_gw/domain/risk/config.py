"""Risk configuration: one frozen model per concern, composed into :class:`RiskConfig`.

Every field has a description (the configuration reference is generated from them) and a conservative default:
a profile that forgets a key trades small, not big. Unknown keys are refused so a misspelt limit cannot be
silently ignored. Money is in USD, durations in seconds, wall times as ``HH:MM`` in the section's IANA time
zone.
"""

from __future__ import annotations

from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nexus_gw.domain.tradingday import CME_DAY_START, CME_TIME_ZONE

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Index = ``datetime.weekday()``."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _zone(name: str, key: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{key}: unknown time zone {name!r}; set an IANA name such as America/Chicago or America/Sao_Paulo"
        ) from None


class ConfidenceConfig(_Section):
    """Signal confidence filter: skip weak signals, trade medium ones at reduced size."""

    skip_below: float = Field(
        0.65, ge=0, le=1, description="Signals with confidence below this open nothing (LOW_CONFIDENCE)."
    )
    reduce_below: float = Field(
        0.75,
        ge=0,
        le=1,
        description="Signals with confidence below this (and not skipped) open reduced size.",
    )
    reduced_size_factor: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of the opening size kept for a medium-confidence signal, rounded down.",
    )

    @model_validator(mode="after")
    def _check_thresholds(self) -> ConfidenceConfig:
        if self.reduce_below < self.skip_below:
            raise ValueError(
                f"confidence.reduce_below ({self.reduce_below}) is below confidence.skip_below "
                f"({self.skip_below}); set reduce_below >= skip_below (e.g. 0.75 and 0.65)"
            )
        return self


class MarketQualityConfig(_Section):
    """MQScore gate: trade only when the market is readable."""

    min_composite: float = Field(
        0.5, ge=0, le=1, description="Lowest MQScore composite that may open a position (MARKET_QUALITY)."
    )
    max_noise: float = Field(
        0.7, ge=0, le=1, description="Highest MQScore noise level that may open a position (MARKET_QUALITY)."
    )
    require_mqscore: bool = Field(
        False, description="Refuse entries whose signal carries no MQScore (otherwise the gate is skipped)."
    )


class LimitsConfig(_Section):
    """Size, value, count and loss limits. Positions are counted in whole contracts of the root."""

    max_position_per_symbol: int = Field(
        1, ge=0, description="Largest absolute net position per root, in contracts (POSITION_LIMIT)."
    )
    per_symbol: dict[str, int] = Field(
        default_factory=dict,
        description="Per-root overrides of max_position_per_symbol, e.g. {MNQ: 5}.",
    )
    max_total_positions: int = Field(
        2, ge=0, description="Largest sum of absolute positions over all roots (TOTAL_POSITION_LIMIT)."
    )
    max_position_value_usd: float = Field(
        50_000.0, gt=0, description="Largest USD notional of one root's position at the reference price."
    )
    max_daily_trades: int = Field(
        5, ge=0, description="Orders that may be sent per trading day; exits still pass when reached."
    )
    max_daily_loss_usd: float = Field(
        500.0, gt=0, description="Daily loss (realized + unrealized, USD) at which entries stop for the day."
    )
    daily_loss_warning_fraction: float | None = Field(
        0.8,
        gt=0,
        lt=1,
        description="Share of max_daily_loss_usd that raises one WARNING per day; null: none.",
    )
    risk_per_trade_usd: float | None = Field(
        None, gt=0, description="Largest USD loss to the stop for the opening part of one order; null: off."
    )
    require_stop_distance: bool = Field(
        False, description="With risk_per_trade_usd set, refuse entries whose signal gives no stop distance."
    )

    @field_validator("per_symbol")
    @classmethod
    def _check_per_symbol(cls, value: dict[str, int]) -> dict[str, int]:
        for root, limit in value.items():
            if not root or limit < 0:
                raise ValueError(f"limits.per_symbol.{root or '<empty>'} = {limit}: set a root name and a limit >= 0")
        return value

    @model_validator(mode="after")
    def _check_total_covers_symbols(self) -> LimitsConfig:
        largest = max([self.max_position_per_symbol, *self.per_symbol.values()])
        if self.max_total_positions < largest:
            raise ValueError(
                f"limits.max_total_positions ({self.max_total_positions}) is below a per-root limit "
                f"({largest}); "
                f"raise max_total_positions to at least {largest} or lower the per-root limit"
            )
        return self

    def position_limit(self, root: str) -> int:
        """The position limit that applies to ``root``."""
        return self.per_symbol.get(root, self.max_position_per_symbol)


class ThrottleConfig(_Section):
    """Order-rate throttle over a sliding window; applies to every order, exits included."""

    max_orders_per_second: int = Field(2, ge=1, description="Orders allowed within any window_seconds (THROTTLE).")
    window_seconds: float = Field(1.0, gt=0, le=60, description="Length of the sliding window, seconds.")


class SessionWindow(_Section):
    """One trading window. ``end`` is exclusive; an ``end`` at or before ``start`` runs past midnight."""

    start: time = Field(description="Wall time the window opens, HH:MM.")
    end: time = Field(description="Wall time the window closes (exclusive), HH:MM; may be on the next day.")
    days: tuple[Weekday, ...] = Field(
        WEEKDAYS, description="Weekdays on which the window *opens* (mon…sun); default every day."
    )

    @model_validator(mode="after")
    def _check_window(self) -> SessionWindow:
        if self.start == self.end:
            raise ValueError(
                f"trading window start and end are both {self.start:%H:%M}; to trade around the clock remove "
                "the root from trading_hours, otherwise set different times"
            )
        if not self.days:
            raise ValueError("trading window has no days; list the weekdays it opens on, e.g. [mon, tue]")
        return self


class SessionHours(_Section):
    """When new entries are allowed for a root."""

    time_zone: str = Field(description="IANA time zone of the window times, e.g. America/Chicago.")
    windows: tuple[SessionWindow, ...] = Field(min_length=1, description="Windows in which entries are allowed.")

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, value: str) -> str:
        _zone(value, "trading_hours.time_zone")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class TradingHoursConfig(_Section):
    """Trading hours per root. Outside them no new entries (OUTSIDE_TRADING_HOURS); exits always pass."""

    roots: dict[str, SessionHours] = Field(default_factory=dict, description="Trading hours by root, e.g. NQ, WIN.")
    default: SessionHours | None = Field(
        None, description="Hours for roots not listed under roots; null: such roots are not restricted."
    )

    def for_root(self, root: str) -> SessionHours | None:
        return self.roots.get(root, self.default)


class TradingDayConfig(_Section):
    """When one trading day ends and the next begins: daily counters and the daily-loss pause reset then."""

    start: time = Field(CME_DAY_START, description="Wall time a new trading day begins, HH:MM.")
    time_zone: str = Field(CME_TIME_ZONE, description="IANA time zone of start (DST handled).")

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, value: str) -> str:
        _zone(value, "trading_day.time_zone")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class CircuitBreakerConfig(_Section):
    """Pauses after a losing streak. (The daily-loss pause follows limits.max_daily_loss_usd.)"""

    max_consecutive_losses: int | None = Field(
        3, ge=1, description="Losing round trips in a row that pause entries (CIRCUIT_BREAKER); null: off."
    )
    pause_seconds: float = Field(
        3600.0, gt=0, description="How long entries stay paused after the losing streak, seconds."
    )


class ConnectionConfig(_Section):
    """What to do when a platform an order would go to is offline."""

    offline_platform: Literal["pause", "reroute"] = Field(
        "pause",
        description="pause: no entries while any target platform is offline; "
        "reroute: send to the platforms that are online.",
    )


class LivenessConfig(_Section):
    """Freshness of market data and of the signal engine."""

    stale_market_data_seconds: float | None = Field(
        10.0, gt=0, description="Market data older than this blocks entries for that root; null: off."
    )
    safe_mode_after_seconds: float | None = Field(
        30.0, gt=0, description="Signal-engine silence after which entries stop (SAFE_MODE); null: off."
    )


class RiskConfig(_Section):
    """All pre-trade risk settings of a profile (the ``risk:`` section)."""

    confidence: ConfidenceConfig = Field(default_factory=ConfidenceConfig, description="Confidence filter.")
    market_quality: MarketQualityConfig = Field(default_factory=MarketQualityConfig, description="MQScore gate.")
    limits: LimitsConfig = Field(default_factory=LimitsConfig, description="Position, value, trade, loss limits.")
    throttle: ThrottleConfig = Field(default_factory=ThrottleConfig, description="Order-rate throttle.")
    trading_hours: TradingHoursConfig = Field(default_factory=TradingHoursConfig, description="Entry windows per root.")
    trading_day: TradingDayConfig = Field(default_factory=TradingDayConfig, description="Trading-day boundary.")
    circuit_breakers: CircuitBreakerConfig = Field(
        default_factory=CircuitBreakerConfig, description="Losing-streak pause."
    )
    connection: ConnectionConfig = Field(default_factory=ConnectionConfig, description="Offline-platform policy.")
    liveness: LivenessConfig = Field(default_factory=LivenessConfig, description="Stale data and safe mode.")
    kill_on_daily_loss: bool = Field(
        True, description="Activate the kill switch (not only pause) when the daily loss limit is reached."
    )
    flatten_on_daily_loss: bool = Field(
        False, description="With kill_on_daily_loss, the kill switch also flattens positions."
    )
    auto_execute: bool = Field(
        True, description="Send accepted orders at once; false: queue them for an operator's approval."
    )
    approval_expiry_seconds: float = Field(
        30.0, gt=0, le=3600, description="A queued order not approved within this many seconds expires."
    )

    @model_validator(mode="after")
    def _check_daily_loss_kill(self) -> RiskConfig:
        if self.flatten_on_daily_loss and not self.kill_on_daily_loss:
            raise ValueError(
                "flatten_on_daily_loss is true but kill_on_daily_loss is false; set kill_on_daily_loss: true "
                "or flatten_on_daily_loss: false"
            )
        return self
