"""``nexusgw serve``: run the gateway."""

from __future__ import annotations

import logging
import signal

import typer

from nexus_gw.cli.options import (
    ConfigDirOpt,
    LogFileOpt,
    LogFormatOpt,
    ProfileOpt,
    announce_journal,
    require_profile,
)

log = logging.getLogger("nexus_gw.serve")


def serve(
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    log_format: LogFormatOpt = None,
    log_file: LogFileOpt = None,
) -> None:
    """Run the gateway: bind the platform (5555), NEXUS (5556) and admin (5557) sockets and route.

    Stops cleanly on SIGINT (Ctrl+C) or SIGTERM (supervisorctl stop, systemctl stop).
    """
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.config.loader import load_profile
    from nexus_gw.journal import journal_path
    from nexus_gw.logs import setup_logging
    from nexus_gw.server.gateway import Gateway

    loaded = load_profile(require_profile(profile, config_dir), config_dir, check_settings=validate_driver_settings)
    announce_journal(journal_path(loaded.profile.gateway.data_dir), loaded.name)
    setup_logging(loaded.profile.gateway.log_level, "gateway", log_format, log_file)
    gateway = Gateway(loaded)

    def _stop(signum: int, _frame: object) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        gateway.stop_requested = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    gateway.bind(announce=lambda line: typer.echo(line))
    gateway.run()
    typer.echo("Gateway stopped")
