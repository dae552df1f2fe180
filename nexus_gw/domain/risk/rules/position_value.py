"""POSITION_VALUE: the USD notional of the root's position after the order (|position| x reference price x
point value x FX to USD) may not exceed ``limits.max_position_value_usd``; exactly the limit is allowed.

An entry that cannot be valued (no price, point value or FX rate) is refused: the gateway does not guess.
Cut to what fits, rejected when nothing does. Exits always pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import fit_qty, floor_contracts, passes, refuse_opening, usd


class PositionValueRule:
    name: ClassVar[str] = "position_value"

    def __init__(self, config: RiskConfig) -> None:
        self._limit = config.limits.max_position_value_usd

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if intent.is_reducing:
            return passes(intent)
        per_contract = intent.contract_value_usd
        if per_contract is None:
            return refuse_opening(
                intent,
                ReasonCode.POSITION_VALUE,
                f"{intent.describe()} cannot be valued: reference_price, point_value and fx_to_usd are all "
                "needed to check limits.max_position_value_usd. Check market data and the FX rate.",
            )
        max_abs = floor_contracts(self._limit / per_contract)
        fits = fit_qty(intent, max_abs)
        if fits >= intent.qty:
            return passes(intent)
        what = (
            f"{intent.describe()} would hold {abs(intent.position_after)} contract(s) worth "
            f"{usd(abs(intent.position_after) * per_contract)} ({usd(per_contract)} each), beyond "
            f"limits.max_position_value_usd = {usd(self._limit)}"
        )
        if fits == 0:
            return Decision.reject(
                ReasonCode.POSITION_VALUE,
                f"{what}; nothing fits. Reduce the position or raise limits.max_position_value_usd.",
            )
        return Decision.scale(fits, ReasonCode.POSITION_VALUE, f"{what}; cut to {fits} contract(s).")
