"""The figures the gateway publishes for its metrics endpoint, ``status``'s ``metrics`` section and the alert rules.

``build_figures`` reads the running gateway (in the loop's thread) and returns a new plain dict;
``Publisher.maybe_publish`` replaces the published one at most every ``publish_every_s``. Readers in other
threads only ever see a complete dict nobody mutates. Keys: docs/monitoring.md.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from nexus_gw import __version__
from nexus_gw.config.models import Profile
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.fx import FxRate
from nexus_gw.monitor.figures import Recorder, cpu_seconds, memory_bytes
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.outbound import EngineQueues
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.riskgate import RiskGate

#: The counters published as totals (name in ``counts`` → the loop's counter).
COUNTS = (
    "signals",
    "orders",
    "legs_sent",
    "leg_fills",
    "fills",
    "refused",
    "errors",
    "messages_in",
    "messages_out",
    "market_data_ticks",
    "housekeeping_errors",
    "reconcile_alerts",
    "send_failures",
)


class Monitored(Protocol):
    profile: Profile
    peers: PeerTable
    desk: ExecutionDesk
    risk: RiskGate
    ledger: Ledger
    clock: Clock
    outbound: EngineQueues
    counters: Counter[str]
    started: float

    def fx_rate(self, base: str = "USD", quote: str = "BRL") -> FxRate | str: ...


def _per(counters: Counter[str], prefix: str) -> dict[str, int]:
    return {key[len(prefix) :]: n for key, n in sorted(counters.items()) if key.startswith(prefix)}


def _ratio(used: Any, limit: Any) -> float | None:
    if not isinstance(limit, int | float) or not limit or not isinstance(used, int | float):
        return None
    return abs(float(used)) / float(limit)


def _limit_usage(usage: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in ("daily_trades", "total_positions", "orders_in_window", "consecutive_losses"):
        ratio = _ratio(usage.get(name, {}).get("used"), usage.get(name, {}).get("limit"))
        if ratio is not None:
            out[name] = ratio
    pnl = usage.get("daily_pnl_usd", {})
    loss = -float(pnl.get("total") or 0.0)
    ratio = _ratio(max(loss, 0.0), -(pnl.get("limit") or 0.0) if pnl.get("limit") else None)
    if ratio is not None:
        out["daily_loss"] = ratio
    positions = [r for u in usage.get("positions", {}).values() if (r := _ratio(u.get("used"), u.get("limit")))]
    if positions:
        out["position_per_symbol"] = max(positions)
    return out


def _trading_state(snapshot: dict[str, Any]) -> str:
    for entry in snapshot.get("trading_states", []):
        if entry.get("scope") == "global":
            return str(entry.get("state", "ACTIVE"))
    return "ACTIVE"


def build_figures(
    gw: Monitored, recorder: Recorder, alerts: dict[str, Any], now: float | None = None
) -> dict[str, Any]:
    """Every published figure, read from the running gateway (call it in the loop's thread)."""
    now = time.monotonic() if now is None else now
    counters = gw.counters
    platforms: dict[str, dict[str, Any]] = {}
    for name in gw.profile.enabled_platforms():
        peer = gw.peers.platforms.get(name)
        platforms[name] = {
            "online": bool(peer and peer.online),
            "last_message_age_seconds": round(now - peer.last_seen, 3) if peer else None,
            "positions": {},
            "realized_pnl_usd": 0.0,
            "unrealized_pnl_usd": 0.0,
        }
    fx_required = any(
        root in gw.risk.instruments and gw.risk.instruments.get(root).currency != "USD" for root in gw.profile.symbols
    )
    for pos in gw.ledger.snapshot():
        fx_required = fx_required or pos["currency"] != "USD"
        entry = platforms.get(pos["platform"])
        if entry is None:
            continue
        entry["positions"][pos["symbol"]] = float(pos["qty"])
        entry["realized_pnl_usd"] += pos["realized_usd"] or 0.0
        entry["unrealized_pnl_usd"] += pos["unrealized_usd"] or 0.0
    risk = gw.risk.engine.snapshot(gw.clock.now())
    pnl = risk["usage"]["daily_pnl_usd"]
    queues = gw.outbound.snapshot().values()
    rate = gw.fx_rate()
    fills, orders = counters["fills"], counters["orders"]
    return {
        "version": __version__,
        "profile": gw.profile.name,
        "uptime_seconds": round(now - gw.started, 3),
        "process": {"cpu_seconds": round(cpu_seconds(), 3), "resident_memory_bytes": memory_bytes()},
        "connections": {
            "platforms_online": sum(1 for p in platforms.values() if p["online"]),
            "platforms_enabled": len(platforms),
            "engines": len(gw.peers.nexus),
        },
        "engine_queue_depth": sum(int(q["order_waiting"]) + int(q["market_waiting"]) for q in queues),  # type: ignore[call-overload]
        "counts": {name: counters[name] for name in COUNTS},
        "fill_rate": round(fills / orders, 6) if orders else None,
        "rejects": _per(counters, "refused."),
        "market_data_ticks": _per(counters, "market_data_ticks."),
        "latency": recorder.latency(),
        "journal_write_seconds": recorder.journal_write_s.to_dict(),
        "platforms": platforms,
        "trading": {
            "kill_switch": bool(risk["kill_switch"]["active"]),
            "state": _trading_state(risk),
            "daily_pnl_usd": float(pnl["total"]),
            "daily_loss_limit_usd": float(-pnl["limit"]) if pnl.get("limit") else None,
            "limit_usage": _limit_usage(risk["usage"]),
        },
        "fx": {"usable": not isinstance(rate, str), "age_seconds": _fx_age(gw, rate), "required": fx_required},
        "alerts": dict(alerts),
    }


def _fx_age(gw: Monitored, rate: FxRate | str) -> float | None:
    if isinstance(rate, str):
        return None
    return round((gw.clock.now() - rate.as_of).total_seconds(), 3)


class Publisher:
    """Holds the newest published figures; ``current`` is replaced whole, never changed in place."""

    def __init__(self, build: Callable[[], dict[str, Any]], every_s: float) -> None:
        self.build = build
        self.every_s = every_s
        self.current: dict[str, Any] = {}
        self.next_at = 0.0

    def maybe_publish(self, now: float) -> bool:
        if now < self.next_at:
            return False
        self.publish(now)
        return True

    def publish(self, now: float | None = None) -> dict[str, Any]:
        self.next_at = (time.monotonic() if now is None else now) + self.every_s
        figures = self.build()
        figures["published_unix"] = time.time()
        self.current = figures  # one reference swap: readers see the old dict or the new one
        return figures
