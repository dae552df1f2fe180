"""Orders waiting for an operator when ``auto_execute`` is false.

An accepted order is queued with an id and an expiry; an operator approves or rejects it by id. An approved
order must go through :meth:`RiskEngine.check` again before it is sent: the kill switch, limits or market may
have changed while it waited. Expired orders are dropped by :meth:`ApprovalQueue.expire`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from nexus_gw.domain.risk.decision import Decision
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.timeutil import iso, require_aware
from nexus_gw.errors import Refused


class ApprovalError(Refused):
    """An approval request names an unknown, already decided or expired id."""


class ApprovalStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class PendingApproval:
    """One queued order. ``decision`` is the risk decision at enqueue time (its qty is what would be sent)."""

    id: str
    intent: OrderIntent
    decision: Decision
    enqueued_at: datetime
    expires_at: datetime
    status: ApprovalStatus = ApprovalStatus.PENDING
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "root": self.intent.root,
            "side": self.intent.side.sign,
            "qty": self.decision.qty,
            "requested_qty": self.intent.qty,
            "platforms": list(self.decision.platforms or self.intent.platforms),
            "confidence": self.intent.confidence,
            "enqueued_at": self.enqueued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "status": self.status.value,
            "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at),
            "note": self.note,
        }


class ApprovalQueue:
    """Pending approvals in arrival order. ``expiry_seconds`` is ``RiskConfig.approval_expiry_seconds``."""

    def __init__(self, expiry_seconds: float, id_prefix: str = "apr-") -> None:
        if expiry_seconds <= 0:
            raise ValueError(f"expiry_seconds must be > 0, got {expiry_seconds!r}")
        self._expiry = timedelta(seconds=expiry_seconds)
        self._prefix = id_prefix
        self._seq = 0
        self._pending: dict[str, PendingApproval] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def pending(self) -> list[PendingApproval]:
        return list(self._pending.values())

    def get(self, approval_id: str) -> PendingApproval | None:
        return self._pending.get(approval_id)

    def enqueue(self, intent: OrderIntent, decision: Decision, now: datetime) -> PendingApproval:
        """Queue an order the risk engine accepted; it expires ``expiry_seconds`` after ``now``."""
        require_aware(now)
        if not decision.accepted:
            raise ValueError("only an accepted or scaled decision can wait for approval; a rejection is final")
        self._seq += 1
        item = PendingApproval(f"{self._prefix}{self._seq}", intent, decision, now, now + self._expiry)
        self._pending[item.id] = item
        return item

    def approve(self, approval_id: str, who: str, now: datetime) -> PendingApproval:
        """Take an order off the queue as approved. Check it with the risk engine again before sending."""
        item = self._take(approval_id, now)
        return replace(item, status=ApprovalStatus.APPROVED, decided_by=who, decided_at=now)

    def reject(self, approval_id: str, who: str, now: datetime, note: str = "") -> PendingApproval:
        """Take an order off the queue as rejected by an operator."""
        item = self._take(approval_id, now)
        return replace(item, status=ApprovalStatus.REJECTED, decided_by=who, decided_at=now, note=note)

    def expire(self, now: datetime) -> list[PendingApproval]:
        """Drop and return every order whose expiry is at or before ``now``."""
        require_aware(now)
        expired = [item for item in self._pending.values() if now >= item.expires_at]
        for item in expired:
            del self._pending[item.id]
        return [replace(item, status=ApprovalStatus.EXPIRED, decided_at=now) for item in expired]

    def _take(self, approval_id: str, now: datetime) -> PendingApproval:
        require_aware(now)
        item = self._pending.get(approval_id)
        if item is None:
            known = ", ".join(self._pending) or "none"
            raise ApprovalError(f"no pending approval {approval_id!r} (pending: {known}); it may have expired")
        if now >= item.expires_at:
            del self._pending[approval_id]
            raise ApprovalError(
                f"approval {approval_id} expired at {item.expires_at.isoformat()}; the signal must be sent again"
            )
        del self._pending[approval_id]
        return item
