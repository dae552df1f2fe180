"""Legs held for a platform that could not be reached when they were routed to it.

Policy (docs/journal.md, "Held legs"): a leg whose adapter has just died is not rejected at once, which
would leave the order's other legs trading alone. It is held, unsent (status NEW), for at most
``trading.order_timeout_s``:

- when the platform's adapter says HELLO again (or its link takes messages again), the held leg is sent;
- when the time is up first, the leg is rejected with ``platform X did not come back within Ns``;
- a cancel of the leg (the kill switch, an engine's cancel) cancels it at once, without sending it.

Pure bookkeeping: no sockets and no clock of its own; the server passes times in and acts on what comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HeldLeg:
    leg_id: str
    order_id: str
    platform: str
    since_ns: int
    deadline_ns: int

    @property
    def timeout_s(self) -> float:
        return (self.deadline_ns - self.since_ns) / 1e9


def expiry_reason(held: HeldLeg) -> str:
    return f"platform {held.platform} did not come back within {held.timeout_s:g}s"


def cancel_reason(held: HeldLeg, why: str) -> str:
    return f"cancelled while held for {held.platform} (never sent): {why}"


class HeldLegs:
    """Held legs by leg id, oldest first."""

    def __init__(self) -> None:
        self._legs: dict[str, HeldLeg] = {}

    def hold(self, leg_id: str, order_id: str, platform: str, now_ns: int, timeout_s: float) -> HeldLeg:
        """Hold a leg (again: keeps its first deadline)."""
        held = self._legs.get(leg_id)
        if held is None:
            held = HeldLeg(leg_id, order_id, platform, now_ns, now_ns + int(timeout_s * 1e9))
            self._legs[leg_id] = held
        return held

    def __contains__(self, leg_id: object) -> bool:
        return leg_id in self._legs

    def __len__(self) -> int:
        return len(self._legs)

    def __iter__(self) -> Iterator[HeldLeg]:
        return iter(list(self._legs.values()))

    def get(self, leg_id: str) -> HeldLeg | None:
        return self._legs.get(leg_id)

    def for_platform(self, platform: str) -> list[HeldLeg]:
        """What to send now that ``platform`` is back, oldest first (still held until ``release``)."""
        return [h for h in self._legs.values() if h.platform == platform]

    def release(self, leg_id: str) -> HeldLeg | None:
        """Stop holding a leg (it was sent, cancelled, rejected or finished otherwise)."""
        return self._legs.pop(leg_id, None)

    def expired(self, now_ns: int) -> list[HeldLeg]:
        """Legs whose platform did not come back in time: removed, to be rejected."""
        gone = [h for h in self._legs.values() if now_ns >= h.deadline_ns]
        for held in gone:
            del self._legs[held.leg_id]
        return gone

    def describe(self, now_ns: int) -> list[dict[str, object]]:
        """For status: each held leg, its platform and the seconds left before it is rejected."""
        return [
            {
                "leg_id": h.leg_id,
                "order_id": h.order_id,
                "platform": h.platform,
                "held_s": round((now_ns - h.since_ns) / 1e9, 3),
                "rejected_in_s": round(max(0, h.deadline_ns - now_ns) / 1e9, 3),
            }
            for h in self._legs.values()
        ]
