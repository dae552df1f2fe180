"""When the SDK gives up on a silent gateway and reconnects: after ``liveness_s`` of silence, then after
``liveness_s`` plus the one backoff's growing delay while the gateway stays silent, so a gateway that is down
is not hammered with a new connection and HELLO every few seconds. Anything heard resets it. Pure: the
caller passes the time."""

from __future__ import annotations

from nexus_gw.domain.backoff import Backoff


class Liveness:
    def __init__(self, liveness_s: float, now: float, backoff: Backoff | None = None) -> None:
        self.liveness_s = liveness_s
        self.backoff = backoff or Backoff(initial=max(0.1, liveness_s / 4), maximum=30.0)
        self.last_heard = now
        self.pause = 0.0  # extra silence tolerated after a reconnect that has not been answered yet

    def heard(self, now: float) -> None:
        self.last_heard = now
        self.pause = 0.0
        self.backoff.reset()

    def silent_for(self, now: float) -> float:
        return now - self.last_heard

    def reconnect_due(self, now: float) -> bool:
        """True when it is time to reconnect; the next reconnect then waits a longer backoff delay."""
        if now - self.last_heard <= self.liveness_s + self.pause:
            return False
        self.last_heard = now
        self.pause = self.backoff.next_delay()
        return True
