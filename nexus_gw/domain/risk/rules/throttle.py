"""THROTTLE: at most ``max_orders_per_second`` orders in any sliding window of ``window_seconds``.

Applies to every order, exits included: a burst is a burst. An order sent exactly ``window_seconds`` ago no
longer counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import passes


class ThrottleRule:
    name: ClassVar[str] = "throttle"

    def __init__(self, config: RiskConfig) -> None:
        self._max = config.throttle.max_orders_per_second
        self._window = timedelta(seconds=config.throttle.window_seconds)

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        start = now - self._window
        recent = [t for t in ctx.order_times if t > start]
        if len(recent) < self._max:
            return passes(intent)
        retry_in = (min(recent) + self._window - now).total_seconds()
        return Decision.reject(
            ReasonCode.THROTTLE,
            f"{len(recent)} orders in the last {self._window.total_seconds():g} s reach "
            f"throttle.max_orders_per_second = {self._max}; {intent.describe()} refused. Retry in "
            f"{max(retry_in, 0):.3f} s, or raise the throttle if this rate is intended.",
        )
