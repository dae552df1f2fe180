"""RISK_BUDGET: the loss to the stop of the order's opening part (contracts x stop distance x point value x FX
to USD) may not exceed ``limits.risk_per_trade_usd``; exactly the budget is allowed.

Off when the budget is null. A signal without a stop distance passes unless ``limits.require_stop_distance``.
Cut to what fits, rejected when nothing does. Exits always pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import floor_contracts, passes, refuse_opening, usd


class RiskBudgetRule:
    name: ClassVar[str] = "risk_budget"

    def __init__(self, config: RiskConfig) -> None:
        self._budget = config.limits.risk_per_trade_usd
        self._require_stop = config.limits.require_stop_distance

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        if self._budget is None or intent.is_reducing:
            return passes(intent)
        if intent.stop_distance is None:
            if not self._require_stop:
                return passes(intent)
            return refuse_opening(
                intent,
                ReasonCode.RISK_BUDGET,
                f"{intent.describe()} gives no stop distance and limits.require_stop_distance is true; "
                "send the signal with its stop distance.",
            )
        if intent.point_value is None or intent.fx_to_usd is None:
            return refuse_opening(
                intent,
                ReasonCode.RISK_BUDGET,
                f"{intent.describe()}: point_value and fx_to_usd are needed to price the stop against "
                "limits.risk_per_trade_usd. Check the instrument and FX configuration.",
            )
        per_contract = intent.stop_distance * intent.point_value * intent.fx_to_usd
        allowed = floor_contracts(self._budget / per_contract)
        if intent.opening_qty <= allowed:
            return passes(intent)
        what = (
            f"{intent.opening_qty} opening contract(s) risk {usd(intent.opening_qty * per_contract)} "
            "to the stop "
            f"({usd(per_contract)} each), beyond limits.risk_per_trade_usd = {usd(self._budget)}"
        )
        if allowed == 0 and intent.closing_qty == 0:
            return Decision.reject(
                ReasonCode.RISK_BUDGET,
                f"{what}; not even one contract fits. Use a closer stop or raise limits.risk_per_trade_usd.",
            )
        return Decision.scale(
            intent.closing_qty + allowed, ReasonCode.RISK_BUDGET, f"{what}; opening part cut to {allowed}."
        )
