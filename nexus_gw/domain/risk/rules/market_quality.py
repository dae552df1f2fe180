"""MARKET_QUALITY: entries only when the MQScore composite is at least ``min_composite`` (0.5) and the noise
level at most ``max_noise`` (0.7); both bounds themselves pass. A signal without MQScore passes unless
``require_mqscore`` is set. Exits always pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import passes, refuse_opening


class MarketQualityRule:
    name: ClassVar[str] = "market_quality"

    def __init__(self, config: RiskConfig) -> None:
        self._cfg = config.market_quality

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if intent.is_reducing:
            return passes(intent)
        composite, noise = intent.mq_composite, intent.mq_noise
        if self._cfg.require_mqscore and (composite is None or noise is None):
            return refuse_opening(
                intent,
                ReasonCode.MARKET_QUALITY,
                f"{intent.describe()} carries no complete MQScore (composite and noise) and "
                "market_quality.require_mqscore is true. Send the MQScore with the signal.",
            )
        if composite is not None and composite < self._cfg.min_composite:
            return refuse_opening(
                intent,
                ReasonCode.MARKET_QUALITY,
                f"MQScore composite {composite:g} is below market_quality.min_composite = "
                f"{self._cfg.min_composite:g}; {intent.describe()} opens nothing in this market.",
            )
        if noise is not None and noise > self._cfg.max_noise:
            return refuse_opening(
                intent,
                ReasonCode.MARKET_QUALITY,
                f"MQScore noise {noise:g} is above market_quality.max_noise = {self._cfg.max_noise:g}; "
                f"{intent.describe()} opens nothing in this market.",
            )
        return passes(intent)
