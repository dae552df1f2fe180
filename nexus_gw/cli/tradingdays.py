"""``--date``: a trading day for the journal commands and the report, cut where the daily loss limit cuts it.

The gateway's trading day is the profile's ``risk.trading_day`` (default 17:00 America/Chicago, CME's trade
date), the day the daily loss limit counts. Per-instrument days (CME, B3) come from
:mod:`nexus_gw.domain.tradingday`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nexus_gw.domain.tradingday import TradingCalendar
from nexus_gw.errors import UsageError

if TYPE_CHECKING:
    from nexus_gw.config.loader import LoadedProfile

DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="A trading day (YYYY-MM-DD) as the daily loss limit counts it: from the profile's "
        "risk.trading_day boundary (default 17:00 Chicago) the evening before to the same time on that date.",
    ),
]


def parse_day(text: str, option: str = "--date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-02") from None


def gateway_calendar(loaded: LoadedProfile) -> TradingCalendar:
    """The trading day the profile's risk engine (and so the daily loss limit) counts."""
    config = loaded.profile.risk.trading_day
    return TradingCalendar(config.start, config.tz)


def load(profile: str | None, config_dir: Path | None) -> LoadedProfile:
    """The profile (``--profile`` or ``$NEXUSGW_PROFILE``, required), with its drivers' settings checked."""
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.cli.options import require_profile
    from nexus_gw.config.loader import load_profile

    return load_profile(require_profile(profile, config_dir), config_dir, check_settings=validate_driver_settings)


def day_window(
    day: str | None, since: datetime | None, until: datetime | None, profile: str | None, config_dir: Path | None
) -> tuple[datetime | None, datetime | None]:
    """``[since, until)`` unchanged, or the instants of trading day ``day`` (not combinable with them)."""
    if day is None:
        return since, until
    if since is not None or until is not None:
        raise UsageError("--date is a whole trading day; leave out --since/--until, or use them without --date")
    calendar = gateway_calendar(load(profile, config_dir))
    chosen = parse_day(day)
    return calendar.day_start(chosen).astimezone(UTC), calendar.day_end(chosen).astimezone(UTC)
