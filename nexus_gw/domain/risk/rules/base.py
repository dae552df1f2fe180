"""What every rule shares: the :class:`Rule` protocol and the helpers that keep exits flowing.

A rule is built from the whole :class:`RiskConfig` (it reads its own section) and answers one question with a
:class:`Decision`. Rules are pure: they read the order, the context and ``now`` and change nothing.

Entry gates (everything after the kill switch, states, throttle and connectivity) only judge the part of an
order that *adds* exposure. A pure exit always passes them; a reversal that fails a gate is cut to its closing
part.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import ClassVar, Protocol
from zoneinfo import ZoneInfo

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.timeutil import TradingCalendar


class Rule(Protocol):
    """One pre-trade check. ``name`` is stable and appears in decisions and docs."""

    name: ClassVar[str]

    def __init__(self, config: RiskConfig) -> None: ...

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision: ...


def passes(intent: OrderIntent) -> Decision:
    return Decision.accept(intent.qty)


def refuse_opening(intent: OrderIntent, reason: ReasonCode, message: str) -> Decision:
    """Refuse the opening part of ``intent``: a reversal keeps its closing part, anything else is rejected."""
    if intent.closing_qty > 0:
        return Decision.scale(
            intent.closing_qty,
            reason,
            f"{message} Only the {intent.closing_qty} contract(s) that close the position are sent.",
        )
    return Decision.reject(reason, message)


def floor_contracts(amount: float) -> int:
    """Round a contract count down to a whole number, ignoring float dust (2.9999999999 counts as 3)."""
    return max(0, math.floor(round(amount, 9)))


def fit_qty(intent: OrderIntent, max_abs: int) -> int:
    """The largest quantity, up to ``intent.qty``, that leaves ``|position| <= max_abs``.

    Closing contracts always fit: shrinking a position that is already over a (lowered) limit is allowed.
    """
    held = abs(intent.position)
    room = max(0, max_abs)
    limit = held + room if intent.closing_qty > 0 else max(0, room - held)
    return min(intent.qty, limit)


def daily_figures_apply(ctx: RiskContext, calendar: TradingCalendar, now: datetime) -> bool:
    """True when the context's daily counters belong to the trading day of ``now``."""
    return ctx.trading_day == calendar.trading_day(now)


def calendar_of(config: RiskConfig) -> TradingCalendar:
    return TradingCalendar(config.trading_day.start, config.trading_day.tz)


def usd(amount: float) -> str:
    return f"{amount:,.2f} USD"


def at(when: datetime, tz: ZoneInfo) -> str:
    """A time for messages in the operator's zone, e.g. '2025-03-10 17:00:00 CDT'."""
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")
