"""Answers to operator commands on the admin socket (``nexusgw status`` and friends)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nexus_gw import __version__
from nexus_gw.server import killswitch

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway


def status(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
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
        "risk": gateway.risk.engine.snapshot(gateway.clock.now()),
        "alerts": gateway.risk.alerts[-20:],
        "approvals": [p.to_dict() for p in gateway.desk.approvals.pending()],
        "positions": gateway.ledger.snapshot(),
        "clock": gateway.clock.now().isoformat(),
        "front_contracts": dict(gateway.rolls.fronts),
        "rolls": list(gateway.roll_log),
        "fx": fx,
        "platforms": platforms,
        "nexus_clients": [p.name for p in gateway.peers.nexus.values()],
        "engines": gateway.outbound.snapshot(),  # per-engine queues: waiting, sent, conflated/dropped market data
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


def _who(args: dict[str, Any]) -> str:
    return str(args.get("who") or "operator")


def killswitch_activate(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    reason = str(args.get("reason") or "manual kill switch")
    return dict(killswitch.activate(gateway, _who(args), reason, bool(args.get("flatten", False))))


def killswitch_release(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    return dict(killswitch.release(gateway, _who(args), str(args.get("reason") or "manual release")))


def killswitch_status(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    snapshot = gateway.risk.engine.snapshot(gateway.clock.now())
    return {
        "kill_switch": snapshot["kill_switch"],
        "trading_states": snapshot["trading_states"],
        "pauses": snapshot["pauses"],
        "working_orders": len(gateway.desk.book.working()),
    }


def approvals_list(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    return {"pending": [p.to_dict() for p in gateway.desk.approvals.pending()]}


def approvals_approve(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    order = gateway.desk.approve(str(args.get("id", "")), _who(args))
    return {"order_id": order.order_id, "status": order.status.value, "reason": order.reason}


def approvals_reject(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    order = gateway.desk.reject_approval(str(args.get("id", "")), _who(args), str(args.get("note", "")))
    return {"order_id": order.order_id, "status": order.status.value, "reason": order.reason}


def trading_state(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    from nexus_gw.domain.risk.state import Scope, TradingState

    entry = gateway.risk.engine.set_state(
        Scope(str(args.get("scope", "global"))),
        args.get("value") or None,
        TradingState(str(args["state"])),
        _who(args),
        str(args.get("reason") or "set by operator"),
        gateway.clock.now(),
    )
    gateway.risk.save_if_changed(gateway.clock.now())
    return {"state": entry.to_dict() if hasattr(entry, "to_dict") else str(entry)}


COMMANDS: dict[str, Callable[[Gateway, dict[str, Any]], dict[str, Any]]] = {
    "status": status,
    "killswitch.activate": killswitch_activate,
    "killswitch.release": killswitch_release,
    "killswitch.status": killswitch_status,
    "approvals.list": approvals_list,
    "approvals.approve": approvals_approve,
    "approvals.reject": approvals_reject,
    "trading.state": trading_state,
}
