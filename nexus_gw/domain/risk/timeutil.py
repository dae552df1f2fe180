"""Time helpers: aware datetimes only, trading-day arithmetic and session windows in a named time zone."""

from __future__ import annotations

from datetime import datetime

# The trading-day boundary is defined once, in nexus_gw.domain.tradingday; re-exported for the risk modules.
from nexus_gw.domain.tradingday import TradingCalendar, local_at, require_aware

__all__ = ["TradingCalendar", "iso", "local_at", "parse_aware", "require_aware"]


def parse_aware(text: str, name: str) -> datetime:
    """Parse an ISO 8601 time written by ``to_dict`` and insist that it carries an offset."""
    return require_aware(datetime.fromisoformat(text), name)


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None
