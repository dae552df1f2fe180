"""TOTAL_POSITION_LIMIT: the sum of absolute positions over all roots may not exceed
``limits.max_total_positions``. The order's own root counts with its projected position from the order; the
others come from the engine's position book. Cut to what fits, rejected when nothing does.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import fit_qty, passes


class TotalPositionLimitRule:
    name: ClassVar[str] = "total_position_limit"

    def __init__(self, config: RiskConfig) -> None:
        self._limit = config.limits.max_total_positions

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        others = sum(abs(qty) for root, qty in ctx.positions.items() if root != intent.root)
        fits = fit_qty(intent, self._limit - others)
        if fits >= intent.qty:
            return passes(intent)
        total_after = others + abs(intent.position_after)
        what = (
            f"{intent.describe()} would bring all positions to {total_after} contracts "
            f"({others} in other roots), "
            f"beyond limits.max_total_positions = {self._limit}"
        )
        if fits == 0:
            return Decision.reject(
                ReasonCode.TOTAL_POSITION_LIMIT,
                f"{what}; nothing fits. Close positions first, or raise limits.max_total_positions.",
            )
        return Decision.scale(
            fits, ReasonCode.TOTAL_POSITION_LIMIT, f"{what}; cut to {fits} contract(s) to stay within it."
        )
