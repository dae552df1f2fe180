"""What a risk check answers: accept, scale down, or reject — always with a stable reason code.

A rejection or a scaling carries a :class:`ReasonCode` (stable, for programs and metrics) and a message for
people: which limit was hit, the values involved, and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """ACCEPT: send as asked. SCALE: send a smaller quantity. REJECT: send nothing."""

    ACCEPT = "ACCEPT"
    SCALE = "SCALE"
    REJECT = "REJECT"


class ReasonCode(StrEnum):
    """Stable codes for every way the risk engine can refuse or cut an order. Never rename one."""

    KILL_SWITCH = "KILL_SWITCH"
    TRADING_HALTED = "TRADING_HALTED"
    REDUCE_ONLY = "REDUCE_ONLY"
    THROTTLE = "THROTTLE"
    PLATFORM_OFFLINE = "PLATFORM_OFFLINE"
    DAILY_LOSS = "DAILY_LOSS"
    CIRCUIT_BREAKER = "CIRCUIT_BREAKER"
    SAFE_MODE = "SAFE_MODE"
    STALE_MARKET_DATA = "STALE_MARKET_DATA"
    OUTSIDE_TRADING_HOURS = "OUTSIDE_TRADING_HOURS"
    DAILY_TRADES = "DAILY_TRADES"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    MARKET_QUALITY = "MARKET_QUALITY"
    POSITION_LIMIT = "POSITION_LIMIT"
    TOTAL_POSITION_LIMIT = "TOTAL_POSITION_LIMIT"
    POSITION_VALUE = "POSITION_VALUE"
    RISK_BUDGET = "RISK_BUDGET"
    RISK_ERROR = "RISK_ERROR"
    """A rule failed unexpectedly; the order is refused (fail closed) and the message names the rule."""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change a rule made to an order that was still sent: fewer contracts or fewer platforms."""

    reason: ReasonCode
    message: str
    qty_before: int
    qty_after: int
    platforms_before: tuple[str, ...]
    platforms_after: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason.value,
            "message": self.message,
            "qty_before": self.qty_before,
            "qty_after": self.qty_after,
            "platforms_before": list(self.platforms_before),
            "platforms_after": list(self.platforms_after),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer of one rule, or of the whole engine.

    ``qty`` is the number of whole contracts that may be sent (0 on REJECT). ``platforms`` is ``None`` when a
    rule leaves the route alone, else the platforms the order may still go to. On the engine's final decision
    ``platforms`` is always set and ``adjustments`` lists every cut, in rule order.
    """

    action: Action
    qty: int
    reason: ReasonCode | None = None
    message: str = ""
    platforms: tuple[str, ...] | None = None
    rule: str = ""
    adjustments: tuple[Adjustment, ...] = field(default=())

    @classmethod
    def accept(cls, qty: int, platforms: tuple[str, ...] | None = None) -> Decision:
        return cls(Action.ACCEPT, qty, platforms=platforms)

    @classmethod
    def scale(cls, qty: int, reason: ReasonCode, message: str, platforms: tuple[str, ...] | None = None) -> Decision:
        return cls(Action.SCALE, qty, reason, message, platforms)

    @classmethod
    def reject(cls, reason: ReasonCode, message: str, rule: str = "") -> Decision:
        return cls(Action.REJECT, 0, reason, message, platforms=(), rule=rule)

    @property
    def accepted(self) -> bool:
        """True when something may be sent (ACCEPT or SCALE)."""
        return self.action is not Action.REJECT

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the journal and for the ORDER_UPDATE(rejected, reason) sent to the signal engine."""
        return {
            "action": self.action.value,
            "qty": self.qty,
            "reason": self.reason.value if self.reason else None,
            "message": self.message,
            "platforms": list(self.platforms) if self.platforms is not None else None,
            "rule": self.rule,
            "adjustments": [a.to_dict() for a in self.adjustments],
        }
