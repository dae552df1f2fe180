"""TRADING_HALTED / REDUCE_ONLY: the scoped trading states (global, platform, symbol).

Each target platform is judged on its own effective state (the most restrictive of global, that platform and
the root):

* HALTED platforms get nothing; the order goes to the others.
* REDUCING platforms get the order only when it shrinks the position without crossing flat.
* A reversal (e.g. long 2, sell 5) is not reducing. When no target platform is ACTIVE it is cut to the part
  that closes the position (2) and sent to the REDUCING platforms; when some are ACTIVE, those get the whole
  order and the REDUCING ones none.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Action, Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import at, passes
from nexus_gw.domain.risk.state import StateEntry, TradingState


class TradingStateRule:
    name: ClassVar[str] = "trading_state"

    def __init__(self, config: RiskConfig) -> None:
        self._tz = config.trading_day.tz

    def _why(self, entry: StateEntry) -> str:
        when = at(entry.since, self._tz)
        return f"{entry.label()} is {entry.state.value} (set by {entry.who} at {when}: {entry.reason})"

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        active: list[str] = []
        reducing: list[tuple[str, StateEntry]] = []
        halted: list[tuple[str, StateEntry]] = []
        for platform in intent.platforms:
            entry = ctx.states.effective(platform, intent.root)
            if entry is None:
                active.append(platform)
            elif entry.state is TradingState.HALTED:
                halted.append((platform, entry))
            else:
                reducing.append((platform, entry))
        if not reducing and not halted:
            return passes(intent)

        dropped = "; ".join(f"{p}: {self._why(e)}" for p, e in (*halted, *reducing))
        if intent.is_reducing:
            keep = (*active, *(p for p, _ in reducing))
            if not keep:
                return Decision.reject(
                    ReasonCode.TRADING_HALTED,
                    f"{intent.describe()} refused: every target platform is halted ({dropped}). "
                    "Set the state back to REDUCING or ACTIVE to let orders through.",
                )
            return self._narrow(intent, tuple(keep), halted, ReasonCode.TRADING_HALTED)
        if active:
            reason = ReasonCode.TRADING_HALTED if halted else ReasonCode.REDUCE_ONLY
            return self._narrow(intent, tuple(active), (*halted, *reducing), reason)
        if reducing and intent.closing_qty > 0:
            keep = tuple(p for p, _ in reducing)
            return Decision.scale(
                intent.closing_qty,
                ReasonCode.REDUCE_ONLY,
                f"{intent.describe()} crosses through flat, but only reducing orders pass ({dropped}); "
                f"cut to the {intent.closing_qty} contract(s) that close the position.",
                platforms=keep,
            )
        if reducing:
            return Decision.reject(
                ReasonCode.REDUCE_ONLY,
                f"{intent.describe()} would add exposure, but only reducing orders pass ({dropped}). "
                "Send an exit, or set the state back to ACTIVE when ready.",
            )
        return Decision.reject(
            ReasonCode.TRADING_HALTED,
            f"{intent.describe()} refused: every target platform is halted ({dropped}). "
            "Set the state back to ACTIVE (or REDUCING for exits only) to trade.",
        )

    def _narrow(
        self,
        intent: OrderIntent,
        keep: tuple[str, ...],
        dropped: tuple[tuple[str, StateEntry], ...] | list[tuple[str, StateEntry]],
        reason: ReasonCode,
    ) -> Decision:
        if keep == intent.platforms:
            return passes(intent)
        why = "; ".join(f"{p}: {self._why(e)}" for p, e in dropped)
        return Decision(
            Action.ACCEPT,
            intent.qty,
            reason,
            f"Not sent to {', '.join(p for p, _ in dropped)} ({why}); sent to {', '.join(keep)}.",
            platforms=keep,
        )
