"""``nexusgw dashboard``: the live terminal view of a running gateway (textual, the ``dashboard`` extra)."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, Any

import typer

from nexus_gw.cli.killswitch import EndpointOpt, ProfileOpt, resolve_endpoint
from nexus_gw.cli.options import ConfigDirOpt
from nexus_gw.errors import UsageError

RefreshOpt = Annotated[float, typer.Option("--refresh", "-s", min=0.2, max=60, help="Seconds between status requests.")]
MISSING = (
    "the dashboard needs the textual package ({error}); install the dashboard extra: "
    "pip install 'nexusgw[dashboard]' (or pip install textual)"
)


def admin_call(endpoint: str, timeout_s: float) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """``request(command, args) -> data`` on the gateway's admin socket: one try per call, the dashboard retries."""
    from nexus_gw.client.admin import admin_request

    def request(command: str, args: dict[str, Any]) -> dict[str, Any]:
        return admin_request(endpoint, command, args, timeout_s=timeout_s, tries=1)

    return request


def dashboard(
    profile: ProfileOpt = None,
    endpoint: EndpointOpt = None,
    config_dir: ConfigDirOpt = None,
    refresh: RefreshOpt = 1.0,
) -> None:
    """Live view of a running gateway over its admin socket (docs/dashboard.md explains each figure).

    Panels: status and uptime; performance (latency, throughput, fill rate, active orders);
    trading today (trades, P&L in USD); platforms (online, last update); open positions;
    active orders; alerts; kill switch progress, pauses, FX and front contracts.

    Keys (each asks for confirmation and a reason before anything is sent):
    k activate the kill switch · u release it · t set the global trading state
    (ACTIVE / REDUCING / HALTED) · r refresh now · q quit.

    A gateway that does not answer is shown as such and asked again every --refresh seconds.
    Endpoint: --endpoint, else $NEXUSGW_ADMIN_ENDPOINT, else the profile's gateway.sockets.admin
    with --profile, else tcp://127.0.0.1:5557."""
    try:
        from nexus_gw.monitor.dashboard.app import Dashboard
    except ImportError as exc:
        if "textual" not in str(exc) and "rich" not in str(exc):
            raise
        raise UsageError(MISSING.format(error=exc)) from exc

    where = resolve_endpoint(endpoint, profile, config_dir)
    app = Dashboard(admin_call(where, timeout_s=min(2.0, max(0.5, refresh))), where, refresh, getpass.getuser())
    app.run()
