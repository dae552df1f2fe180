"""OUTSIDE_TRADING_HOURS: new entries only inside the root's trading windows; exits always pass.

Window times are wall times in the configured zone (DST follows the zone). ``start`` is inclusive, ``end``
exclusive; a window whose end is at or before its start runs past midnight, and ``days`` name the weekday on
which a window opens (a Sunday 17:00 → 16:00 window covers Monday 03:00). Roots with no hours are not
restricted.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import WEEKDAYS, RiskConfig, SessionHours
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import passes, refuse_opening


def in_session(hours: SessionHours, now: datetime) -> bool:
    """True when ``now`` falls inside one of the windows of ``hours``."""
    local = now.astimezone(hours.tz)
    wall = local.time()
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    for window in hours.windows:
        if window.start < window.end:
            if today in window.days and window.start <= wall < window.end:
                return True
        else:
            if today in window.days and wall >= window.start:
                return True
            if yesterday in window.days and wall < window.end:
                return True
    return False


def describe_hours(hours: SessionHours) -> str:
    parts = [f"{w.start:%H:%M}-{w.end:%H:%M} opening {','.join(w.days)}" for w in hours.windows]
    return f"{'; '.join(parts)} ({hours.time_zone})"


class TradingHoursRule:
    name: ClassVar[str] = "trading_hours"

    def __init__(self, config: RiskConfig) -> None:
        self._hours = config.trading_hours

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        hours = self._hours.for_root(intent.root)
        if hours is None or intent.is_reducing or in_session(hours, now):
            return passes(intent)
        local = now.astimezone(hours.tz)
        return refuse_opening(
            intent,
            ReasonCode.OUTSIDE_TRADING_HOURS,
            f"{intent.root} is outside its trading hours at {local:%a %H:%M %Z} "
            f"(windows: {describe_hours(hours)}); "
            f"{intent.describe()} would add exposure. Exits still pass; entries resume when a window opens.",
        )
