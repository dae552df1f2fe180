"""``nexusgw killswitch activate|release|status``: the emergency stop.

It needs nothing but the gateway's admin endpoint (``cli/target.py`` says how it is found): a broken or missing
profile never stops it, and with the gateway down it says so within about a second.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import AdminProfileOpt as ProfileOpt
from nexus_gw.cli.options import ConfigDirOpt, EndpointOpt, JsonOpt
from nexus_gw.cli.target import AdminTarget, request, resolve_target

app = typer.Typer(
    help="Emergency stop: refuse every new signal, cancel every open order on every platform (until each "
    "platform confirms), optionally flatten. `nexusgw killswitch` alone activates it.",
    invoke_without_command=True,
)

ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why; journaled and shown in status.")]
WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        "-w",
        min=0,
        help="Wait up to SECONDS until every platform confirmed (exit 0 when complete, 1 when legs still work).",
    ),
]


def resolve_endpoint(endpoint: str | None, profile: str | None, config_dir: Path | None) -> str:
    """Where to send the command; never fails."""
    return resolve_target(endpoint, profile, config_dir).endpoint


def _request(target: AdminTarget, command: str, args: dict[str, Any]) -> dict[str, Any]:
    return request(target, command, args)


def _progress(data: dict[str, Any]) -> dict[str, Any]:
    progress = data.get("progress")
    return progress if isinstance(progress, dict) else {}


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
    progress = _progress(data)
    pending = progress.get("pending_cancel") or []
    if "cancel_requested_legs" in data:
        platforms = data.get("cancel_requested_platforms") or []
        typer.echo(
            f"cancel requested for {data['cancel_requested_legs']} legs on {len(platforms)} platforms"
            f"{' (' + ', '.join(platforms) + ')' if platforms else ''}; {len(pending)} still working"
            f"{':' if pending else ''}"
        )
    elif ks.get("active"):
        typer.echo(f"{len(pending)} legs still working{':' if pending else ''}")
    for line in progress.get("lines") or []:
        typer.echo(f"  {line}")
    if data.get("flatten_orders"):
        typer.echo(f"flatten orders sent: {', '.join(data['flatten_orders'])}")
    if ks.get("active") and progress:
        if progress.get("complete"):
            at = f" (since {progress['completed_at']})" if progress.get("completed_at") else ""
            typer.echo(f"kill switch complete{at}: every platform confirmed, nothing working")
        else:
            typer.echo("kill switch NOT complete yet: the gateway keeps re-sending the cancels")
    if progress and not progress.get("journaled", True):
        typer.echo(
            f"WARNING: the kill switch is not journaled yet (since {progress.get('unsaved_since')}): it acts, but a "
            "gateway restart before the disk is fixed would forget it"
        )
    if "working_orders" in data and not ks.get("active"):
        typer.echo(f"working orders: {data['working_orders']}")


def _finish(target: AdminTarget, data: dict[str, Any], as_json: bool, wait_s: float) -> None:
    """Show ``data``; with ``wait_s`` poll status until complete, then exit 0 (complete) or 1 (legs still work)."""
    active = bool((data.get("kill_switch") or {}).get("active"))
    if wait_s > 0 and active and not _progress(data).get("complete"):
        if not as_json:
            _show(data, False)
            typer.echo(f"waiting up to {wait_s:g}s for every platform to confirm…")
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and not _progress(data).get("complete"):
            time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))
            data = _request(target, "killswitch.status", {})
    _show(data, as_json)
    if wait_s > 0 and active and not _progress(data).get("complete"):
        from nexus_gw.errors import CheckFailed

        pending = _progress(data).get("pending_cancel") or []
        raise CheckFailed(
            f"kill switch not complete after {wait_s:g}s: {len(pending)} legs still working on "
            f"{', '.join(sorted({p['platform'] for p in pending})) or 'no platform (flatten pending)'}; the gateway "
            "keeps re-sending the cancels (nexusgw killswitch status shows where)"
        )


def _activate(
    reason: str,
    flatten: bool,
    endpoint: str | None,
    profile: str | None,
    config_dir: Path | None,
    wait_s: float,
    j: bool,
) -> None:
    where = resolve_target(endpoint, profile, config_dir)
    _finish(where, _request(where, "killswitch.activate", {"reason": reason, "flatten": flatten}), j, wait_s)


@app.callback()
def _default(
    ctx: typer.Context,
    reason: ReasonOpt = "nexusgw killswitch",
    flatten: Annotated[bool, typer.Option("--flatten", help="Also close every position.")] = False,
    endpoint: EndpointOpt = None,
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    wait: WaitOpt = 0.0,
) -> None:
    """With no subcommand, activate: the emergency stop is one word away."""
    if ctx.invoked_subcommand is None:
        _activate(reason, flatten, endpoint, profile, config_dir, wait, False)


@app.command("activate")
def activate(
    reason: ReasonOpt = "manual kill switch",
    flatten: Annotated[bool, typer.Option("--flatten", help="Also close every position on every platform.")] = False,
    endpoint: EndpointOpt = None,
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    wait: WaitOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Stop trading now: new signals are refused, every open order is cancelled at every platform (re-sent until
    each platform confirms, also after an adapter or gateway restart), and with --flatten every position is
    closed. Stays active across gateway restarts until `killswitch release`."""
    _activate(reason, flatten, endpoint, profile, config_dir, wait, as_json)


@app.command("release")
def release(
    reason: ReasonOpt = "manual release",
    endpoint: EndpointOpt = None,
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lift the kill switch; trading resumes (pauses and trading states stay as they are)."""
    where = resolve_target(endpoint, profile, config_dir)
    _show(_request(where, "killswitch.release", {"reason": reason}), as_json)


@app.command("status")
def status(
    endpoint: EndpointOpt = None,
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    wait: WaitOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Whether the kill switch is active, since when, by whom and why; which legs still work where, and whether
    it is complete (with --wait: exit 0 once complete, 1 if legs still work after SECONDS)."""
    where = resolve_target(endpoint, profile, config_dir)
    _finish(where, _request(where, "killswitch.status", {}), as_json, wait)
