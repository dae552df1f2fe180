"""DAILY_TRADES: at most ``limits.max_daily_trades`` orders per trading day may open exposure.

Every order sent counts (exits too), but once the count is reached exits still pass. The count resets when the
next trading day starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import at, calendar_of, daily_figures_apply, passes, refuse_opening


class DailyTradesRule:
    name: ClassVar[str] = "daily_trades"

    def __init__(self, config: RiskConfig) -> None:
        self._limit = config.limits.max_daily_trades
        self._calendar = calendar_of(config)

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if intent.is_reducing:
            return passes(intent)
        used = ctx.daily_trades if daily_figures_apply(ctx, self._calendar, now) else 0
        if used < self._limit:
            return passes(intent)
        return refuse_opening(
            intent,
            ReasonCode.DAILY_TRADES,
            f"{used} orders sent this trading day reach limits.max_daily_trades = {self._limit}; "
            f"{intent.describe()} would add exposure. Exits still pass; the count resets at "
            f"{at(self._calendar.next_boundary(now), self._calendar.tz)}.",
        )
