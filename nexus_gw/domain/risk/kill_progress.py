"""What an active kill switch still has to do, decided from the order book alone. Pure: no sockets, no files.

The kill switch is a state the gateway drives to completion, not a one-off broadcast:

- every working leg of every order (but the kill switch's own flatten orders) is *pending cancel* until its
  platform confirms a terminal status (CANCELLED, FILLED, REJECTED, EXPIRED);
- a pending cancel is (re)sent when its platform says HELLO, when the gateway starts with the switch active,
  and periodically while it stays pending (at most once per ``resend_interval_s`` per leg);
- with ``flatten``, each (platform, root) position is closed by one gateway order once no cancel is pending
  there any more (so a late fill of a cancelled leg cannot reopen it); a flatten order that ends without
  closing the position is retried under the next deterministic client id, up to ``MAX_FLATTEN_ATTEMPTS``;
- the switch is *complete* when nothing is pending cancel, no flatten order works and (with flatten) every
  position is flat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from nexus_gw.domain.orders import QTY_EPSILON, Order

#: Client ids of the kill switch's flatten orders start with this.
FLATTEN_PREFIX = "flatten:"
#: Flatten orders tried per (activation, platform, root) before the gateway gives up and only reports.
MAX_FLATTEN_ATTEMPTS = 3


def is_flatten(order: Order) -> bool:
    return order.client_id.startswith(FLATTEN_PREFIX)


def activation_tag(when: datetime | None) -> str:
    """A tag derived from the activation time: the same after a restart, so flatten ids are deterministic."""
    return when.strftime("%Y%m%dT%H%M%S%f") if when is not None else "unknown"


def flatten_tag(activation: str, attempt: int) -> str:
    """The ``tag`` of flatten attempt ``attempt`` (1-based) of one activation."""
    return activation if attempt <= 1 else f"{activation}-{attempt}"


def flatten_client_id(tag: str, platform: str, root: str) -> str:
    """The client id ``ExecutionDesk.flatten`` gives a flatten order (kept in one place)."""
    return f"{FLATTEN_PREFIX}{tag}:{platform}:{root}"


@dataclass(frozen=True, slots=True)
class WorkingLeg:
    """A leg that is not terminal yet, with what the operator needs to find it."""

    leg_id: str
    order_id: str
    client_id: str
    platform: str
    symbol: str
    status: str


def _working_legs(orders: Iterable[Order], flatten: bool) -> list[WorkingLeg]:
    legs = []
    for order in orders:
        if order.is_terminal or is_flatten(order) != flatten:
            continue
        for leg in order.legs.values():
            if not leg.is_terminal:
                legs.append(
                    WorkingLeg(leg.leg_id, order.order_id, order.client_id, leg.platform, leg.symbol, leg.status.value)
                )
    return legs


def legs_to_cancel(orders: Iterable[Order]) -> list[WorkingLeg]:
    """Every working leg the kill switch must see cancelled (its own flatten orders excepted)."""
    return _working_legs(orders, flatten=False)


def flatten_working(orders: Iterable[Order]) -> list[WorkingLeg]:
    """Working legs of the kill switch's flatten orders (tracked until they fill)."""
    return _working_legs(orders, flatten=True)


@dataclass(frozen=True, slots=True)
class FlattenNeed:
    platform: str
    root: str
    qty: float
    """Signed position to close, in the root's units (what ``ExecutionDesk.flatten`` takes)."""


def flatten_needed(
    positions: Mapping[tuple[str, str], float], orders: Iterable[Order], ready_platforms: Iterable[str]
) -> list[FlattenNeed]:
    """Positions (keyed by (platform, root)) to close now: not flat, on a platform that can take an order, with no
    cancel pending and no flatten order working for that platform and root."""
    orders = list(orders)
    busy = {
        (leg.platform, o.root) for o in orders if not o.is_terminal for leg in o.legs.values() if not leg.is_terminal
    }
    ready = set(ready_platforms)
    return [
        FlattenNeed(platform, root, qty)
        for (platform, root), qty in sorted(positions.items())
        if abs(qty) > QTY_EPSILON and platform in ready and (platform, root) not in busy
    ]


@dataclass
class CancelTracker:
    """When each pending leg was first asked to cancel (wall clock, for status) and last sent (monotonic)."""

    resend_interval_s: float = 5.0
    first: dict[str, datetime] = field(default_factory=dict)
    last_sent: dict[str, float] = field(default_factory=dict)

    def due(
        self, legs: Iterable[WorkingLeg], now: float, platform: str | None = None, force: bool = False
    ) -> list[WorkingLeg]:
        """Legs whose cancel should go out now: all of ``platform``'s (or every platform's) with ``force``,
        otherwise those never sent or last sent at least ``resend_interval_s`` ago."""
        chosen = []
        for leg in legs:
            if platform is not None and leg.platform != platform:
                continue
            last = self.last_sent.get(leg.leg_id)
            if force or last is None or now - last >= self.resend_interval_s:
                chosen.append(leg)
        return chosen

    def requested(self, leg: WorkingLeg, wall: datetime) -> None:
        """The cancel is asked for (even when the platform is offline): status shows "since" from here."""
        self.first.setdefault(leg.leg_id, wall)

    def sent(self, leg: WorkingLeg, wall: datetime, now: float) -> None:
        self.requested(leg, wall)
        self.last_sent[leg.leg_id] = now

    def settle(self, still_working: Iterable[WorkingLeg]) -> None:
        """Forget legs that are no longer working."""
        keep = {leg.leg_id for leg in still_working}
        for table in (self.first, self.last_sent):
            for leg_id in [k for k in table if k not in keep]:
                del table[leg_id]

    def clear(self) -> None:
        self.first.clear()
        self.last_sent.clear()


@dataclass(frozen=True)
class Progress:
    """Where an active kill switch stands, for status and the CLI."""

    active: bool
    pending: tuple[WorkingLeg, ...] = ()
    since: Mapping[str, datetime] = field(default_factory=dict)
    flattening: tuple[WorkingLeg, ...] = ()
    open_positions: tuple[FlattenNeed, ...] = ()
    """With flatten: positions not flat yet (whether or not an order works on them)."""

    @property
    def complete(self) -> bool:
        return self.active and not self.pending and not self.flattening and not self.open_positions

    def lines(self) -> list[str]:
        """One line per thing still open, e.g. ``pending cancel: sierra leg X since …``."""
        out = []
        for leg in self.pending:
            since = self.since.get(leg.leg_id)
            when = since.isoformat(timespec="seconds") if since else "activation (platform not reached yet)"
            out.append(f"pending cancel: {leg.platform} leg {leg.leg_id} ({leg.symbol}, {leg.status}) since {when}")
        for leg in self.flattening:
            out.append(f"flattening: {leg.platform} leg {leg.leg_id} ({leg.symbol}, {leg.status})")
        for need in self.open_positions:
            out.append(f"position not flat: {need.platform} {need.root} {need.qty:+g}")
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "active": self.active,
            "complete": self.complete,
            "pending_cancel": [
                {
                    "leg_id": leg.leg_id,
                    "order_id": leg.order_id,
                    "client_id": leg.client_id,
                    "platform": leg.platform,
                    "symbol": leg.symbol,
                    "status": leg.status,
                    "since": self.since[leg.leg_id].isoformat() if leg.leg_id in self.since else None,
                }
                for leg in self.pending
            ],
            "pending_platforms": sorted({leg.platform for leg in self.pending}),
            "flattening": [
                {"leg_id": leg.leg_id, "order_id": leg.order_id, "platform": leg.platform, "status": leg.status}
                for leg in self.flattening
            ],
            "open_positions": [{"platform": n.platform, "root": n.root, "qty": n.qty} for n in self.open_positions],
            "lines": self.lines(),
        }
