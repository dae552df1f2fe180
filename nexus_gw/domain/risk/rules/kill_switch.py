"""KILL_SWITCH: while the kill switch is active no order passes.

The one exception is the gateway's own flatten orders (``Origin.FLATTEN``) when the switch was activated with
``flatten``; even those may only close: a flatten order that would cross through flat is cut to its closing
part.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent, Origin
from nexus_gw.domain.risk.rules.base import at, passes, refuse_opening


class KillSwitchRule:
    name: ClassVar[str] = "kill_switch"

    def __init__(self, config: RiskConfig) -> None:
        self._tz = config.trading_day.tz

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        ks = ctx.states.kill_switch
        if not ks.active:
            return passes(intent)
        since = at(ks.when, self._tz) if ks.when else "unknown time"
        if intent.origin is Origin.FLATTEN and ks.flatten:
            if intent.is_reducing:
                return passes(intent)
            return refuse_opening(
                intent,
                ReasonCode.KILL_SWITCH,
                f"Kill switch (flatten) is active: flatten order {intent.describe()} would open exposure.",
            )
        return Decision.reject(
            ReasonCode.KILL_SWITCH,
            f"Kill switch is active since {since} (by {ks.who}: {ks.reason}); every new order is refused, "
            f"{intent.describe()} included. Release it with `nexusgw killswitch release --reason TEXT` "
            "once it is safe to trade.",
        )
