"""The counters and observations the risk engine keeps between orders; rules read them, never write them."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nexus_gw.domain.risk.decision import ReasonCode
from nexus_gw.domain.risk.state import TradingStates
from nexus_gw.domain.risk.timeutil import parse_aware


@dataclass(frozen=True, slots=True)
class Pause:
    """Entries are paused from ``since`` until ``until`` (exclusive) because of ``code``."""

    code: ReasonCode
    reason: str
    since: datetime
    until: datetime

    def active(self, now: datetime) -> bool:
        return self.since <= now < self.until

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pause:
        return cls(
            code=ReasonCode(data["code"]),
            reason=str(data["reason"]),
            since=parse_aware(data["since"], "since"),
            until=parse_aware(data["until"], "until"),
        )


@dataclass(slots=True)
class RiskContext:
    """Everything the rules look at besides the order itself.

    Daily figures (``daily_trades``, ``realized_pnl_usd``, ``unrealized_pnl_usd``) belong to ``trading_day``;
    a rule that sees a different trading day for ``now`` treats them as zero. ``positions`` are projected net
    positions per root in contracts. ``platforms_online`` maps platform instance names to connectivity; a
    platform never reported is offline. ``order_times`` are the send times of recent orders, oldest first.
    """

    states: TradingStates = field(default_factory=TradingStates)
    trading_day: date | None = None
    daily_trades: int = 0
    realized_pnl_usd: float = 0.0
    unrealized_pnl_usd: float = 0.0
    consecutive_losses: int = 0
    pauses: dict[ReasonCode, Pause] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    order_times: deque[datetime] = field(default_factory=deque)
    market_data_seen: dict[str, datetime] = field(default_factory=dict)
    engine_seen: datetime | None = None
    platforms_online: dict[str, bool] = field(default_factory=dict)

    @property
    def daily_pnl_usd(self) -> float:
        return self.realized_pnl_usd + self.unrealized_pnl_usd

    def active_pause(self, code: ReasonCode, now: datetime) -> Pause | None:
        pause = self.pauses.get(code)
        return pause if pause is not None and pause.active(now) else None
