"""``nexusgw dashboard``: the live terminal view of a running gateway (textual, the ``dashboard`` extra)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import AdminProfileOpt, ConfigDirOpt, EndpointOpt
from nexus_gw.cli.target import AdminTarget, request, resolve_target
from nexus_gw.errors import UsageError

RefreshOpt = Annotated[float, typer.Option("--refresh", "-s", min=0.2, max=60, help="Seconds between status requests.")]
MISSING = (
    "the dashboard needs the textual package ({error}); install the dashboard extra: "
    "pip install 'nexusgw[dashboard]' (or pip install textual)"
)


def admin_call(target: AdminTarget) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """``request(command, args) -> data`` on the gateway's admin socket, as every admin command sends it (client
    keys, who); one try per call: the dashboard asks again at its own pace and never repeats a command."""

    def call(command: str, args: dict[str, Any]) -> dict[str, Any]:
        return request(target, command, args, tries=1)

    return call


def dashboard(
    endpoint: EndpointOpt = None,
    profile: AdminProfileOpt = None,
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
    (--profile or $NEXUSGW_PROFILE), else tcp://127.0.0.1:5557."""
    try:
        from nexus_gw.monitor.dashboard.app import Dashboard
    except ImportError as exc:
        if "textual" not in str(exc) and "rich" not in str(exc):
            raise
        raise UsageError(MISSING.format(error=exc)) from exc

    target = resolve_target(endpoint, profile, config_dir)
    Dashboard(admin_call(target), target.endpoint, refresh).run()
