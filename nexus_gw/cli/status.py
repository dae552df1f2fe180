"""``nexusgw status``: ask the running gateway how it is doing."""

from __future__ import annotations

import json
from typing import Any

import typer

from nexus_gw.cli.options import AdminProfileOpt, ConfigDirOpt, EndpointOpt, JsonOpt


def _age(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}s ago"


def render_status(data: dict[str, Any]) -> str:
    platforms = data["platforms"]
    online = sum(1 for p in platforms.values() if p["online"])
    lines = [
        f"Gateway {data['gateway']} {data['version']}  profile {data['profile']}  pid {data['pid']}  "
        f"uptime {data['uptime_s']:.0f}s",
        f"Platforms {online}/{len(platforms)} online   signal engines: {', '.join(data['nexus_clients']) or 'none'}",
    ]
    for name, p in platforms.items():
        mark = "● ONLINE " if p["online"] else "○ OFFLINE"
        lines.append(
            f"  {name:<12} {mark}  driver {p['driver']:<7} last message {_age(p['last_message_age_s'])}"
            f"{'  (paper)' if p['paper'] else ''}"
        )
        for check in p.get("symbols") or []:  # symbols its platform does not have (the adapter refuses them)
            if check.get("known") is False:
                lines.append(f"    ✗ {check['symbol']}: {check['reason']}")
    counts = data["counts"]
    lines.append(
        "Counts: "
        + ", ".join(
            f"{k} {counts.get(k, 0)}"
            for k in ("messages_in", "market_data_ticks", "signals", "orders", "fills", "errors")
        )
    )
    risk = data.get("risk") or {}
    ks = risk.get("kill_switch") or {}
    if ks.get("active"):
        lines.append(f"KILL SWITCH ACTIVE since {ks.get('when')} by {ks.get('who')}: {ks.get('reason')}")
        progress = data.get("kill_switch_progress") or {}
        if progress:
            lines.append("  kill switch complete" if progress.get("complete") else "  kill switch NOT complete yet:")
            lines.extend(f"    {line}" for line in progress.get("lines") or [])
            if not progress.get("journaled", True):
                lines.append(f"    not journaled yet (since {progress.get('unsaved_since')}): free disk space")
    usage = risk.get("usage") or {}
    if usage:
        pnl = usage.get("daily_pnl_usd", {})
        trades = usage.get("daily_trades", {})
        lines.append(
            f"Risk: trades today {trades.get('used')}/{trades.get('limit')}, day P&L "
            f"${pnl.get('total', 0):,.2f} (limit {pnl.get('limit')}), safe mode {risk.get('safe_mode')}"
        )
    for pause in risk.get("pauses") or []:
        lines.append(f"  paused: {pause}")
    for state in risk.get("trading_states") or []:
        lines.append(f"  state: {state}")
    fronts = data.get("front_contracts") or {}
    if fronts:
        lines.append("Front contracts: " + ", ".join(f"{k} {v}" for k, v in fronts.items()))
    active = data["active_orders"]
    lines.append(f"Active orders: {len(active)}")
    for o in active:
        lines.append(f"  {o['order_id']} {o['side']} {o['symbol']} {o['filled_qty']}/{o['qty']} {o['status']}")
    return "\n".join(lines)


def status(
    endpoint: EndpointOpt = None,
    profile: AdminProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show uptime, platforms (online, last message age), message/order/fill counts and active orders.

    Needs only the admin endpoint, never a valid profile. Exits 1 if the gateway does not answer (within about
    a second when nothing listens there)."""
    from nexus_gw.cli.target import request, resolve_target

    data = request(resolve_target(endpoint, profile, config_dir), "status")
    typer.echo(json.dumps(data, indent=2) if as_json else render_status(data))
