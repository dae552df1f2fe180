"""STALE_MARKET_DATA: no new entries for a root whose last market data is older than the limit.

Off when ``liveness.stale_market_data_seconds`` is null. An age of exactly the limit is still fresh; a root
with no data at all is stale. Exits always pass (an exit needs no fresh price to be right).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import passes, refuse_opening


class StaleMarketDataRule:
    name: ClassVar[str] = "stale_market_data"

    def __init__(self, config: RiskConfig) -> None:
        self._limit = config.liveness.stale_market_data_seconds

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if self._limit is None or intent.is_reducing:
            return passes(intent)
        last = ctx.market_data_seen.get(intent.root)
        if last is None:
            age = f"no market data for {intent.root} has arrived"
        else:
            seconds = (now - last).total_seconds()
            if seconds <= self._limit:
                return passes(intent)
            age = f"the last {intent.root} market data is {seconds:.1f} s old"
        return refuse_opening(
            intent,
            ReasonCode.STALE_MARKET_DATA,
            f"Stale market data: {age} (liveness.stale_market_data_seconds = {self._limit:g}); "
            f"{intent.describe()} would add exposure on an old price. Check the market-data feed.",
        )
