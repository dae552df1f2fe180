"""Which platforms get a leg of an order: pure selection, no sockets.

A platform gets a leg when it is enabled, online, trades the root, and supports the order type.
With the ``pause`` offline policy (``risk.connection.offline_platform``), an offline platform that would
have traded the root refuses the order.
"""

from __future__ import annotations

from dataclasses import dataclass

from nexus_gw.domain.types import OrderType


@dataclass(frozen=True)
class PlatformView:
    name: str
    online: bool
    trades_root: bool
    order_types: frozenset[OrderType]


@dataclass(frozen=True)
class RoutePlan:
    platforms: tuple[str, ...]
    skipped: tuple[str, ...]
    refusal: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def plan_route(root: str, order_type: OrderType, platforms: list[PlatformView], offline_policy: str) -> RoutePlan:
    candidates = [p for p in platforms if p.trades_root]
    if not candidates:
        return RoutePlan((), (), f"no configured platform trades {root}")
    offline = [p.name for p in candidates if not p.online]
    if offline and offline_policy == "pause":
        return RoutePlan(
            (),
            tuple(offline),
            f"{', '.join(offline)} offline and risk.connection.offline_platform is pause; wait for it or set reroute",
        )
    online = [p for p in candidates if p.online]
    unsupported = [p.name for p in online if order_type not in p.order_types]
    chosen = tuple(p.name for p in online if order_type in p.order_types)
    skipped = tuple(offline + unsupported)
    if not chosen:
        parts = []
        if offline:
            parts.append(f"offline: {', '.join(offline)}")
        if unsupported:
            parts.append(f"no {order_type.value} orders: {', '.join(unsupported)}")
        return RoutePlan(
            (),
            skipped,
            f"no online platform can take a {order_type.value} order for {root} ({'; '.join(parts)})",
        )
    return RoutePlan(chosen, skipped)
