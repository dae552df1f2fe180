"""Answers to operator commands on the admin socket (``nexusgw status`` and friends)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from nexus_gw import __version__

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway


def status(gateway: Gateway) -> dict[str, Any]:
    now = time.monotonic()
    platforms = {}
    for name, instance in gateway.profile.platforms.items():
        peer = gateway.peers.platforms.get(name)
        platforms[name] = {
            "driver": instance.driver,
            "enabled": instance.enabled,
            "paper": instance.paper,
            "online": bool(peer and peer.online),
            "link_alive": bool(peer and peer.alive),
            "platform_connected": bool(peer and peer.platform_connected),
            "last_message_age_s": round(now - peer.last_seen, 3) if peer else None,
            "messages": peer.messages if peer else 0,
        }
    working = gateway.desk.book.working()
    rate = gateway.fx_rate()
    fx = (
        {"pair": "USD/BRL", "rate": float(rate.rate), "as_of": rate.as_of.isoformat(), "source": rate.source}
        if not isinstance(rate, str)
        else {"pair": "USD/BRL", "unavailable": rate}
    )
    return {
        "gateway": gateway.profile.gateway.name,
        "version": __version__,
        "profile": gateway.profile.name,
        "pid": gateway.pid,
        "uptime_s": round(now - gateway.started, 3),
        "symbols": list(gateway.profile.symbols),
        "clock": gateway.clock.now().isoformat(),
        "front_contracts": dict(gateway.rolls.fronts),
        "rolls": list(gateway.roll_log),
        "fx": fx,
        "platforms": platforms,
        "nexus_clients": [p.name for p in gateway.peers.nexus.values()],
        "counts": dict(sorted(gateway.counters.items())),
        "active_orders": [
            {
                "order_id": o.order_id,
                "client_id": o.client_id,
                "symbol": o.root,
                "side": o.side.value,
                "status": o.status.value,
                "filled_qty": o.filled_qty,
                "qty": o.total_leg_qty,
            }
            for o in working
        ],
    }


COMMANDS = {"status": status}
