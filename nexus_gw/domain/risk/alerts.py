"""Alert events the risk engine hands back to its caller. Nothing here sends anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """CRITICAL: act now (trading stopped or a loss limit hit). WARNING: look soon. INFO: a pause ended."""

    CRITICAL = "CRITICAL"
    WARNING = "WARNING"
    INFO = "INFO"


class AlertCode(StrEnum):
    """Stable alert codes; monitoring routes on these."""

    DAILY_LOSS_LIMIT = "DAILY_LOSS_LIMIT"
    DAILY_LOSS_WARNING = "DAILY_LOSS_WARNING"
    KILL_SWITCH_ACTIVATED = "KILL_SWITCH_ACTIVATED"
    KILL_SWITCH_RELEASED = "KILL_SWITCH_RELEASED"
    CONSECUTIVE_LOSSES = "CONSECUTIVE_LOSSES"
    PAUSE_ENDED = "PAUSE_ENDED"
    TRADING_DAY_STARTED = "TRADING_DAY_STARTED"
    PLATFORM_OFFLINE = "PLATFORM_OFFLINE"
    PLATFORM_ONLINE = "PLATFORM_ONLINE"
    SAFE_MODE_ENTERED = "SAFE_MODE_ENTERED"
    SAFE_MODE_LEFT = "SAFE_MODE_LEFT"
    TRADING_STATE_CHANGED = "TRADING_STATE_CHANGED"


@dataclass(frozen=True, slots=True)
class Alert:
    """One event for the operator: how urgent, a stable code, a message that says what happened and what to
    do."""

    severity: Severity
    code: AlertCode
    message: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code.value,
            "message": self.message,
            "at": self.at.isoformat(),
        }
