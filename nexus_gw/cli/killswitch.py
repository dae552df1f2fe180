"""``nexusgw killswitch activate|release|status``: the emergency stop."""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt, ProfileOpt

app = typer.Typer(
    help="Emergency stop: refuse every new signal, cancel every open order on every platform, optionally flatten. "
    "`nexusgw killswitch` alone activates it.",
    invoke_without_command=True,
)

ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why; journaled and shown in status.")]


def _request(profile: str, config_dir: Any, command: str, args: dict[str, Any]) -> dict[str, Any]:
    from nexus_gw.client.admin import admin_request
    from nexus_gw.config.loader import load_profile

    loaded = load_profile(profile, config_dir)
    return admin_request(loaded.profile.gateway.sockets.admin, command, {"who": getpass.getuser(), **args})


def _show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    ks = data.get("kill_switch") or {}
    if ks.get("active"):
        typer.echo(
            f"KILL SWITCH ACTIVE since {ks.get('when')} by {ks.get('who')}: {ks.get('reason')}"
            f"{' (flattening)' if ks.get('flatten') else ''}"
        )
    else:
        released = f" (released {ks.get('released_at')} by {ks.get('released_by')})" if ks.get("released_by") else ""
        typer.echo(f"kill switch off{released}")
    for key in ("cancelled_legs", "flatten_orders", "working_orders"):
        if key in data:
            value = data[key]
            typer.echo(f"{key.replace('_', ' ')}: {len(value) if isinstance(value, list) else value}")


@app.callback()
def _default(
    ctx: typer.Context,
    reason: ReasonOpt = "nexusgw killswitch",
    flatten: Annotated[bool, typer.Option("--flatten", help="Also close every position.")] = False,
    profile: ProfileOpt = "dev",
    config_dir: ConfigDirOpt = None,
) -> None:
    """With no subcommand, activate: the emergency stop is one word away."""
    if ctx.invoked_subcommand is None:
        _show(_request(profile, config_dir, "killswitch.activate", {"reason": reason, "flatten": flatten}), False)


@app.command("activate")
def activate(
    reason: ReasonOpt = "manual kill switch",
    flatten: Annotated[bool, typer.Option("--flatten", help="Also close every position on every platform.")] = False,
    profile: ProfileOpt = "dev",
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop trading now: new signals are refused, every open order is cancelled at every platform, and with
    --flatten every position is closed. Stays active across gateway restarts until `killswitch release`."""
    _show(_request(profile, config_dir, "killswitch.activate", {"reason": reason, "flatten": flatten}), as_json)


@app.command("release")
def release(
    reason: ReasonOpt = "manual release",
    profile: ProfileOpt = "dev",
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lift the kill switch; trading resumes (pauses and trading states stay as they are)."""
    _show(_request(profile, config_dir, "killswitch.release", {"reason": reason}), as_json)


@app.command("status")
def status(profile: ProfileOpt = "dev", config_dir: ConfigDirOpt = None, as_json: JsonOpt = False) -> None:
    """Whether the kill switch is active, since when, by whom and why."""
    _show(_request(profile, config_dir, "killswitch.status", {}), as_json)
