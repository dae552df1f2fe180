"""DAILY_LOSS: no new entries once the day's loss (realized + unrealized, USD) reaches the limit.

The engine pauses entries until the next trading day when the limit is reached; this rule also refuses on the
live figure, so a breach blocks entries even before the engine has recorded it. Exits always pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import at, calendar_of, daily_figures_apply, passes, refuse_opening, usd


class DailyLossRule:
    name: ClassVar[str] = "daily_loss"

    def __init__(self, config: RiskConfig) -> None:
        self._limit = config.limits.max_daily_loss_usd
        self._calendar = calendar_of(config)

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if intent.is_reducing:
            return passes(intent)
        pause = ctx.active_pause(ReasonCode.DAILY_LOSS, now)
        if pause is not None:
            return refuse_opening(
                intent,
                ReasonCode.DAILY_LOSS,
                f"Daily loss limit reached ({pause.reason}); entries are paused until "
                f"{at(pause.until, self._calendar.tz)}, the next trading day. Exits still pass.",
            )
        pnl = ctx.daily_pnl_usd if daily_figures_apply(ctx, self._calendar, now) else 0.0
        if pnl <= -self._limit:
            return refuse_opening(
                intent,
                ReasonCode.DAILY_LOSS,
                f"Daily P&L {usd(pnl)} has reached limits.max_daily_loss_usd = {usd(self._limit)}; "
                f"{intent.describe()} would add exposure. Exits still pass; entries resume next trading day.",
            )
        return passes(intent)
