"""``nexusgw approvals``: the queue of signals waiting for an operator when ``risk.auto_execute`` is false."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from nexus_gw.cli.options import AdminProfileOpt as ProfileOpt
from nexus_gw.cli.options import ConfigDirOpt, EndpointOpt, JsonOpt
from nexus_gw.cli.target import request, resolve_target

app = typer.Typer(
    help="Approve or reject signals waiting in the approval queue (auto_execute: false). Needs only the admin "
    "endpoint, like `nexusgw killswitch`.",
    no_args_is_help=True,
)

IdArg = Annotated[str, typer.Argument(help="Approval id, e.g. apr-1 (see `nexusgw approvals list`).")]


@app.command("list")
def list_pending(
    endpoint: EndpointOpt = None, profile: ProfileOpt = None, config_dir: ConfigDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Signals that passed the risk checks and wait for approval, with when they expire."""
    data = request(resolve_target(endpoint, profile, config_dir), "approvals.list")
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    pending = data["pending"]
    if not pending:
        typer.echo("no signals waiting for approval")
    for item in pending:
        typer.echo("  ".join(f"{k}={v}" for k, v in item.items()))


@app.command("approve")
def approve(
    approval_id: IdArg, endpoint: EndpointOpt = None, profile: ProfileOpt = None, config_dir: ConfigDirOpt = None
) -> None:
    """Send a waiting order (it is checked against the limits again first)."""
    data = request(resolve_target(endpoint, profile, config_dir), "approvals.approve", {"id": approval_id}, tries=1)
    typer.echo(f"{approval_id}: order {data['order_id']} {data['status']} {data['reason']}")


@app.command("reject")
def reject(
    approval_id: IdArg,
    note: Annotated[str, typer.Option("--note", help="Why; sent to NEXUS with the rejection.")] = "",
    endpoint: EndpointOpt = None,
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
) -> None:
    """Refuse a waiting order; NEXUS gets it as rejected with the note."""
    target = resolve_target(endpoint, profile, config_dir)
    data = request(target, "approvals.reject", {"id": approval_id, "note": note}, tries=1)
    typer.echo(f"{approval_id}: order {data['order_id']} {data['status']} {data['reason']}")
