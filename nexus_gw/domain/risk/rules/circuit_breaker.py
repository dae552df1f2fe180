"""CIRCUIT_BREAKER: entries pause for ``circuit_breakers.pause_seconds`` after a losing streak.

The engine records the pause when the streak reaches ``max_consecutive_losses`` losing round trips; this rule
refuses entries while it lasts. Exits always pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import at, passes, refuse_opening


class CircuitBreakerRule:
    name: ClassVar[str] = "circuit_breaker"

    def __init__(self, config: RiskConfig) -> None:
        self._tz = config.trading_day.tz

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if intent.is_reducing:
            return passes(intent)
        pause = ctx.active_pause(ReasonCode.CIRCUIT_BREAKER, now)
        if pause is None:
            return passes(intent)
        return refuse_opening(
            intent,
            ReasonCode.CIRCUIT_BREAKER,
            f"Circuit breaker: {pause.reason}; entries are paused until {at(pause.until, self._tz)}. "
            "Exits still pass. Review the strategy before trading resumes.",
        )
