"""SAFE_MODE: no new entries when the signal engine has been silent too long (or was never seen).

Off when ``liveness.safe_mode_after_seconds`` is null. Silence of exactly the limit is still fine. The gateway
calls ``RiskEngine.on_engine_seen`` for every message from the engine, the signal itself included, before
asking for a decision. Exits always pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import passes, refuse_opening


class SafeModeRule:
    name: ClassVar[str] = "safe_mode"

    def __init__(self, config: RiskConfig) -> None:
        self._limit = config.liveness.safe_mode_after_seconds

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if self._limit is None or intent.is_reducing:
            return passes(intent)
        if ctx.engine_seen is None:
            silence = "has not been seen since start"
        else:
            seconds = (now - ctx.engine_seen).total_seconds()
            if seconds <= self._limit:
                return passes(intent)
            silence = f"has been silent for {seconds:.1f} s"
        return refuse_opening(
            intent,
            ReasonCode.SAFE_MODE,
            f"Safe mode: the signal engine {silence} (liveness.safe_mode_after_seconds = {self._limit:g}); "
            "no new entries, exits still pass. Check the NEXUS engine and its connection to the gateway.",
        )
