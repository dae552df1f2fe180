"""LOW_CONFIDENCE: weak signals open nothing, medium ones open a reduced size.

Confidence below ``skip_below`` (default 0.65) opens nothing; below ``reduce_below`` (default 0.75) the
opening part is multiplied by ``reduced_size_factor`` (default 0.5) and rounded down to whole contracts; a
result of 0 is a rejection. Thresholds are exact: 0.65 is reduced, 0.75 is full size. Only the opening part is
judged, so exits pass whatever their confidence, and a signal with no confidence opens nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import floor_contracts, passes, refuse_opening


class ConfidenceRule:
    name: ClassVar[str] = "confidence"

    def __init__(self, config: RiskConfig) -> None:
        self._cfg = config.confidence

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if intent.is_reducing:
            return passes(intent)
        confidence = intent.confidence
        if confidence is None:
            return refuse_opening(
                intent,
                ReasonCode.LOW_CONFIDENCE,
                f"{intent.describe()} carries no confidence; entries need one (>= confidence.skip_below = "
                f"{self._cfg.skip_below:g}). Send the signal with its confidence.",
            )
        if confidence < self._cfg.skip_below:
            return refuse_opening(
                intent,
                ReasonCode.LOW_CONFIDENCE,
                f"Confidence {confidence:g} is below confidence.skip_below = {self._cfg.skip_below:g}; "
                f"{intent.describe()} opens nothing.",
            )
        if confidence >= self._cfg.reduce_below:
            return passes(intent)
        opening = floor_contracts(intent.opening_qty * self._cfg.reduced_size_factor)
        if opening >= intent.opening_qty:
            return passes(intent)
        return Decision.scale(
            intent.closing_qty + opening,
            ReasonCode.LOW_CONFIDENCE,
            f"Confidence {confidence:g} is below confidence.reduce_below = {self._cfg.reduce_below:g}: the "
            f"opening size is cut from {intent.opening_qty} to {opening} contract(s) "
            f"(x{self._cfg.reduced_size_factor:g}, rounded down).",
        )
