"""``nexusgw killswitch activate|release|status``: the emergency stop.

It needs nothing but the gateway's admin endpoint: ``--endpoint``, else ``$NEXUSGW_ADMIN_ENDPOINT`` or
``$NEXUSGW_GATEWAY__SOCKETS__ADMIN``, else (only with ``--profile``) the profile's ``gateway.sockets.admin`` read
tolerantly, else ``tcp://127.0.0.1:5557``. A broken or missing profile never stops it: it warns and uses the default.
"""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5557"
ENDPOINT_ENV = ("NEXUSGW_ADMIN_ENDPOINT", "NEXUSGW_GATEWAY__SOCKETS__ADMIN")

app = typer.Typer(
    help="Emergency stop: refuse every new signal, cancel every open order on every platform (until each "
    "platform confirms), optionally flatten. `nexusgw killswitch` alone activates it.",
    invoke_without_command=True,
)

ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why; journaled and shown in status.")]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        "-e",
        envvar=list(ENDPOINT_ENV),
        help=f"The gateway's admin endpoint (default {DEFAULT_ENDPOINT}, or the profile's with --profile).",
    ),
]
ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="Take the admin endpoint from this profile's gateway.sockets.admin (only that key is read; a broken "
        "profile falls back to the default with a warning).",
    ),
]
WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        "-w",
        min=0,
        help="Wait up to SECONDS until every platform confirmed (exit 0 when complete, 1 when legs still work).",
    ),
]


def _warn(message: str) -> None:
    typer.echo(f"nexusgw killswitch: warning: {message}", err=True)


def admin_from_profile(profile: str, config_dir: Path | None) -> str | None:
    """``gateway.sockets.admin`` from the profile, its ``extends:`` chain and the base file, in that order of
    precedence; files that cannot be read are skipped with a warning. None when no file gives it."""
    from nexus_gw.config.loader import BASE_FILE, find_config_dir
    from nexus_gw.config.yamlsource import read_yaml

    try:
        directory = find_config_dir(config_dir)
    except Exception as exc:
        _warn(f"no config directory ({exc}); using the default admin endpoint")
        return None
    candidates: list[Path] = []
    current: str | None = profile
    for _ in range(10):  # the profile, then what it extends
        if current is None:
            break
        path = Path(current) if current.endswith((".yaml", ".yml")) or "/" in current else None
        path = path or directory / "profiles" / f"{current}.yaml"
        candidates.append(path)
        try:
            data, _ = read_yaml(path)
            parent = data.get("extends")
            current = parent if isinstance(parent, str) else None
        except Exception as exc:
            _warn(f"cannot read profile {path}: {str(exc).splitlines()[0]}")
            current = None
    candidates.append(directory / BASE_FILE)
    for path in candidates:
        try:
            data, _ = read_yaml(path)
            value = data.get("gateway", {}).get("sockets", {}).get("admin")
        except Exception:
            continue
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def resolve_endpoint(endpoint: str | None, profile: str | None, config_dir: Path | None) -> str:
    """Where to send the command; never fails."""
    if endpoint:
        return endpoint
    if profile:
        found = admin_from_profile(profile, config_dir)
        if found:
            return found
        _warn(f"profile {profile} gives no usable gateway.sockets.admin; using {DEFAULT_ENDPOINT}")
    return DEFAULT_ENDPOINT


def _request(endpoint: str, command: str, args: dict[str, Any]) -> dict[str, Any]:
    from nexus_gw.client.admin import admin_request

    return admin_request(endpoint, command, {"who": getpass.getuser(), **args})


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


def _finish(endpoint: str, data: dict[str, Any], as_json: bool, wait_s: float) -> None:
    """Show ``data``; with ``wait_s`` poll status until complete, then exit 0 (complete) or 1 (legs still work)."""
    active = bool((data.get("kill_switch") or {}).get("active"))
    if wait_s > 0 and active and not _progress(data).get("complete"):
        if not as_json:
            _show(data, False)
            typer.echo(f"waiting up to {wait_s:g}s for every platform to confirm…")
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and not _progress(data).get("complete"):
            time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))
            data = _request(endpoint, "killswitch.status", {})
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
    where = resolve_endpoint(endpoint, profile, config_dir)
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
    where = resolve_endpoint(endpoint, profile, config_dir)
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
    where = resolve_endpoint(endpoint, profile, config_dir)
    _finish(where, _request(where, "killswitch.status", {}), as_json, wait)
