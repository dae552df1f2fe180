"""POSITION_LIMIT: the root's net position may not exceed ``limits.max_position_per_symbol`` contracts
(or its ``limits.per_symbol`` override) in absolute value.

An order that would go past the limit is cut to what fits; when nothing fits it is rejected. A position of
exactly the limit is allowed. Closing contracts always fit, even when the limit was lowered below the
position.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import fit_qty, passes


class PositionLimitRule:
    name: ClassVar[str] = "position_limit"

    def __init__(self, config: RiskConfig) -> None:
        self._limits = config.limits

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        limit = self._limits.position_limit(intent.root)
        fits = fit_qty(intent, limit)
        if fits >= intent.qty:
            return passes(intent)
        key = (
            f"limits.per_symbol.{intent.root}"
            if intent.root in self._limits.per_symbol
            else "limits.max_position_per_symbol"
        )
        what = f"{intent.describe()} would make {intent.position_after:+d}, beyond {key} = {limit}"
        if fits == 0:
            return Decision.reject(
                ReasonCode.POSITION_LIMIT,
                f"{what}; nothing fits. Close part of the position first, or raise {key}.",
            )
        return Decision.scale(
            fits,
            ReasonCode.POSITION_LIMIT,
            f"{what}; cut to {fits} contract(s) so the position stays within it.",
        )
