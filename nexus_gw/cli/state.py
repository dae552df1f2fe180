"""``nexusgw trading-state [active|reducing|halted]``: show or set the gateway's trading state.

* active: trade normally.
* reducing: only orders that shrink a position pass.
* halted: no order passes, exits included (cancels always do).

A state is set for everything (the default), one platform instance (``--platform``) or one root (``--symbol``);
the strictest of global, platform and symbol applies. The kill switch is separate and stronger. Like the kill
switch, this needs only the admin endpoint.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import AdminProfileOpt, ConfigDirOpt, EndpointOpt, JsonOpt
from nexus_gw.cli.target import request, resolve_target
from nexus_gw.errors import UsageError


class StateChoice(StrEnum):
    active = "active"
    reducing = "reducing"
    halted = "halted"


def render_states(data: dict[str, Any]) -> str:
    """The kill switch line, then each scope's state; global is ACTIVE unless an entry says otherwise."""
    ks = data.get("kill_switch") or {}
    entries = list(data.get("trading_states") or [])
    lines = []
    if ks.get("active"):
        lines.append(f"KILL SWITCH ACTIVE since {ks.get('when')} by {ks.get('who')}: {ks.get('reason')}")
    if not any(e.get("scope") == "global" for e in entries):
        lines.append("global: ACTIVE")
    for entry in sorted(entries, key=lambda e: (e.get("scope") != "global", e.get("scope"), e.get("value") or "")):
        label = entry["scope"] if entry.get("value") is None else f"{entry['scope']} {entry['value']}"
        lines.append(
            f"{label}: {entry['state']} since {entry.get('since')} by {entry.get('who')}: {entry.get('reason')}"
        )
    for pause in data.get("pauses") or []:
        lines.append(f"paused: {pause}")
    return "\n".join(lines)


def trading_state(
    state: Annotated[
        StateChoice | None,
        typer.Argument(help="active, reducing or halted; without it, show the current states.", show_default=False),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Set it for this platform instance only (e.g. mt5_global).")
    ] = None,
    symbol: Annotated[str | None, typer.Option("--symbol", help="Set it for this root only (e.g. NQ).")] = None,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why; journaled and shown in status.")] = "",
    endpoint: EndpointOpt = None,
    profile: AdminProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or set the trading state: active (trade normally), reducing (only orders that shrink a position) or
    halted (nothing but cancels). Global by default, or per --platform or --symbol; the strictest applies.
    The kill switch (`nexusgw killswitch`) is separate and stronger."""
    target = resolve_target(endpoint, profile, config_dir)
    if state is not None:
        if platform and symbol:
            raise UsageError("give --platform or --symbol, not both: a state applies to one scope")
        scope, value = ("platform", platform) if platform else ("symbol", symbol) if symbol else ("global", None)
        args: dict[str, Any] = {"state": state.value.upper(), "scope": scope, "reason": reason or "set by operator"}
        if value is not None:
            args["value"] = value
        request(target, "trading.state", args)
    elif platform or symbol:
        raise UsageError("--platform and --symbol choose where to set a state; give the state too, e.g. halted")
    data = request(target, "killswitch.status")
    typer.echo(json.dumps(data, indent=2, default=str) if as_json else render_states(data))
