"""The ``nexusgw`` command. ``main`` is the only place that turns exceptions into exit codes:
0 ok, 1 a check failed or the request was refused, 2 bad usage or config.
"""

from __future__ import annotations

import sys

import typer

try:  # typer vendors click from 0.29 on
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer with click installed
    from click.exceptions import ClickException

from nexus_gw import __version__
from nexus_gw.cli import (
    adapter,
    approvals,
    demo,
    fx,
    journal,
    keys,
    killswitch,
    profile,
    rollover,
    serve,
    state,
    status,
    symbols,
)
from nexus_gw.cli import alerts as alerts_cli
from nexus_gw.cli import backup as backup_cli
from nexus_gw.cli import check as check_cli
from nexus_gw.cli import dashboard as dashboard_cli
from nexus_gw.cli import init as init_cmd
from nexus_gw.cli import report as report_cmd
from nexus_gw.cli import supervisor as supervisor_cli
from nexus_gw.errors import NexusGwError

app = typer.Typer(
    name="nexusgw",
    help="Multi-platform trading gateway: one signal from your engine, every platform, one aggregated fill.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("init")(init_cmd.init)
app.command("serve")(serve.serve)
app.command("adapter")(adapter.adapter)
app.command("demo")(demo.demo)
app.command("status")(status.status)
app.command("dashboard")(dashboard_cli.dashboard)
app.command("orders")(journal.orders)
app.command("fills")(journal.fills)
app.command("positions")(journal.positions)
app.command("check")(check_cli.check)
app.command("backup")(backup_cli.backup)
app.command("report")(report_cmd.report)
app.add_typer(profile.app, name="profile")
app.add_typer(symbols.app, name="symbols")
app.add_typer(rollover.app, name="rollover")
app.add_typer(fx.app, name="fx")
app.add_typer(killswitch.app, name="killswitch")
app.add_typer(approvals.app, name="approvals")
app.command("trading-state")(state.trading_state)
app.add_typer(supervisor_cli.app, name="supervisor")
app.add_typer(alerts_cli.app, name="alerts")
app.add_typer(keys.app, name="keys")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nexusgw {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Run `nexusgw COMMAND --help` for each command's options."""


def main(argv: list[str] | None = None) -> int:
    try:
        app(args=argv, standalone_mode=False, prog_name="nexusgw")
    except NexusGwError as exc:
        typer.echo(f"nexusgw: {exc}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("nexusgw: aborted", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except ClickException as exc:  # usage errors: unknown option, missing argument
        exc.show()
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
