"""Answers to operator commands on the admin socket (``nexusgw status`` and friends).

``handle_frames`` turns any request — well-formed or not — into the frames of one ``STATUS`` reply: a
malformed request, an unknown command or a bad argument answers ``ok: false`` with a message saying what to
send; it never raises and never logs a traceback for the requester's mistakes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from nexus_gw import __version__
from nexus_gw.config.models import Profile
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.fx import FxRate
from nexus_gw.errors import NexusGwError, ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import PROTOCOL_VERSION, MsgType
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.killswitch import KillSwitch
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.outbound import EngineQueues
from nexus_gw.server.peers import PeerTable, PlatformPeer
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.rolling import Rolls

log = logging.getLogger(__name__)


class Gateway(Protocol):
    """What the admin commands read and act on (the running gateway provides it)."""

    profile: Profile
    peers: PeerTable
    desk: ExecutionDesk
    risk: RiskGate
    ledger: Ledger
    clock: Clock
    rolls: Rolls
    outbound: EngineQueues
    counters: Counter[str]
    dispatch: Dispatch
    kill_switch: KillSwitch
    admin_decoder: codec.Decoder
    pid: int
    started: float

    def fx_rate(self, base: str = "USD", quote: str = "BRL") -> FxRate | str: ...


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
            "symbols": symbol_checks(peer),
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
        "kill_switch_progress": gateway.kill_switch.report(),
        "alerts": gateway.risk.alert_log.newest(20),
        "approvals": [p.to_dict() for p in gateway.desk.approvals.pending()],
        "positions": gateway.ledger.snapshot(),
        "clock": gateway.clock.now().isoformat(),
        "front_contracts": dict(gateway.rolls.watcher.fronts),
        "rolls": list(gateway.rolls.log),
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
                "filled_qty": float(o.filled_qty),
                "qty": float(o.total_leg_qty),
            }
            for o in working
        ],
        "held_legs": gateway.dispatch.held.describe(time.time_ns()),  # legs waiting for their platform to return
        "metrics": monitoring.status() if (monitoring := getattr(gateway, "monitoring", None)) else {},
    }


def symbol_checks(peer: PlatformPeer | None) -> list[dict[str, Any]]:
    """Each symbol the platform streams for the gateway, and whether the platform knows it (None: not verified)."""
    if peer is None:
        return []
    return [
        {
            "symbol": symbol,
            "root": root,
            "known": check.known if (check := peer.symbol_checks.get(symbol)) else None,
            "reason": check.reason if check else "",
        }
        for symbol, root in sorted(peer.symbols.items())
    ]


def _who(args: dict[str, Any]) -> str:
    return str(args.get("who") or "operator")


def killswitch_activate(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    reason = str(args.get("reason") or "manual kill switch")
    return dict(gateway.kill_switch.activate(_who(args), reason, bool(args.get("flatten", False))))


def killswitch_release(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    return dict(gateway.kill_switch.release(_who(args), str(args.get("reason") or "manual release")))


def killswitch_status(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    snapshot = gateway.risk.engine.snapshot(gateway.clock.now())
    return {
        "kill_switch": snapshot["kill_switch"],
        "trading_states": snapshot["trading_states"],
        "pauses": snapshot["pauses"],
        "working_orders": len(gateway.desk.book.working()),
        "progress": gateway.kill_switch.report(),
    }


def approvals_list(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    return {"pending": [p.to_dict() for p in gateway.desk.approvals.pending()]}


def approvals_approve(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    order = gateway.desk.approvals.approve(str(args.get("id", "")), _who(args))
    return {"order_id": order.order_id, "status": order.status.value, "reason": order.reason}


def approvals_reject(gateway: Gateway, args: dict[str, Any]) -> dict[str, Any]:
    order = gateway.desk.approvals.reject(str(args.get("id", "")), _who(args), str(args.get("note", "")))
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


# The arguments each command reads: name -> (accepted types, required). Other keys are ignored.
_STR = (str, type(None))  # an optional text may be sent as null
_ID = (str,)
ARGS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "status": {},
    "killswitch.activate": {"who": (_STR, False), "reason": (_STR, False), "flatten": ((bool, type(None)), False)},
    "killswitch.release": {"who": (_STR, False), "reason": (_STR, False)},
    "killswitch.status": {},
    "approvals.list": {},
    "approvals.approve": {"id": (_ID, True), "who": (_STR, False)},
    "approvals.reject": {"id": (_ID, True), "who": (_STR, False), "note": (_STR, False)},
    "trading.state": {
        "state": (_ID, True),
        "scope": (_STR, False),
        "value": (_STR, False),
        "who": (_STR, False),
        "reason": (_STR, False),
    },
}

_TYPE_NAMES = {str: "a string", bool: "true or false", type(None): "null"}


def check_args(command: str, args: dict[str, Any]) -> None:
    """Raise ValueError naming the first argument that is missing or of the wrong type."""
    for name, (types, required) in ARGS.get(command, {}).items():
        if name not in args:
            if required:
                raise ValueError(f"argument {name!r} is required")
            continue
        value = args[name]
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            wanted = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
            raise ValueError(f"argument {name!r} must be {wanted}, got {type(value).__name__}")


def _usage() -> str:
    return (
        f"send frames [b'', b'ADMIN/{PROTOCOL_VERSION}', msgpack {{command: str, args: map}}] "
        "(a REQ socket adds the empty frame itself)"
    )


def answer(gateway: Gateway, header: bytes, payload: bytes) -> m.Status:
    """The STATUS reply to one ADMIN request."""
    try:
        _, msg = gateway.admin_decoder.decode(header, payload)
    except ProtocolError as exc:
        return m.Status(ok=False, message=f"{exc.code}: {exc}; {_usage()}")
    assert isinstance(msg, m.Admin)
    handler = COMMANDS.get(msg.command)
    if handler is None:
        known = ", ".join(sorted(COMMANDS))
        return m.Status(ok=False, message=f"unknown command {msg.command[:100]!r}; known: {known}")
    try:
        check_args(msg.command, msg.args)
        return m.Status(ok=True, data=handler(gateway, dict(msg.args)))
    except (NexusGwError, ValueError, KeyError, TypeError) as exc:
        return m.Status(ok=False, message=f"{msg.command}: {exc}")
    except Exception as exc:  # a bug of ours: the operator still gets an answer
        log.exception("admin command %s failed", msg.command)
        return m.Status(ok=False, message=f"{msg.command}: internal error {type(exc).__name__}: {exc}")


def handle_frames(gateway: Gateway, frames: list[bytes]) -> list[bytes]:
    """The frames of the reply to whatever arrived on the admin socket (identity first)."""
    identity = frames[0]
    if len(frames) == 4 and frames[1] == b"":
        reply = answer(gateway, frames[2], frames[3])
    else:
        gateway.counters["errors"] += 1
        log.warning("admin: malformed request of %d frames from %r", len(frames) - 1, identity[:64])
        reply = m.Status(ok=False, message=f"BAD_FRAME: got {len(frames) - 1} frames; {_usage()}")
    if not reply.ok:
        gateway.counters["admin_errors"] += 1
    try:
        header, body = codec.encode(MsgType.STATUS, reply)
    except (TypeError, ValueError, OverflowError) as exc:  # data our handler built that MessagePack cannot carry
        log.error("admin: reply could not be encoded: %s", exc)
        header, body = codec.encode(MsgType.STATUS, m.Status(ok=False, message=f"reply not encodable: {exc}"))
    envelope = [identity, b""] if len(frames) > 1 and frames[1] == b"" else [identity]
    return [*envelope, header, body]
