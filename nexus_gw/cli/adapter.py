"""``nexusgw adapter NAME``: run one platform instance's adapter."""

from __future__ import annotations

import logging
import signal
from typing import Annotated

import typer

from nexus_gw.cli.options import ConfigDirOpt, LogFileOpt, LogFormatOpt, ProfileOpt, require_profile

log = logging.getLogger("nexus_gw.adapter")


def adapter(
    name: Annotated[str, typer.Argument(help="Platform instance from the profile: nt8, sierra, mt5_global…")],
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    log_format: LogFormatOpt = None,
    log_file: LogFileOpt = None,
) -> None:
    """Run the adapter for platform instance NAME: it connects to the platform with the instance's driver
    and to the gateway's platform socket, and reconnects to either on its own."""
    from nexus_gw.adapters.registry import build_driver, validate_driver_settings
    from nexus_gw.adapters.runner import AdapterRunner
    from nexus_gw.config.loader import load_profile
    from nexus_gw.errors import UsageError
    from nexus_gw.logs import setup_logging
    from nexus_gw.security.curve import client_curve

    loaded = load_profile(require_profile(profile, config_dir), config_dir, check_settings=validate_driver_settings)
    instances = loaded.profile.enabled_platforms()
    canonical = loaded.reference.symbols.canonical_platform(name) if name not in instances else name
    instance = instances.get(canonical)
    if instance is None:
        raise UsageError(
            f"platform {name!r} is not an enabled platform of profile {loaded.name}; enabled: {', '.join(instances)}"
        )
    setup_logging(loaded.profile.gateway.log_level, f"adapter[{canonical}]", log_format, log_file)
    driver = build_driver(instance.driver, canonical, instance.settings, paper=instance.paper)
    gw = loaded.profile.gateway
    security = gw.security
    curve = client_curve(
        security.client_secret_key,
        security.server_public_key,
        loaded.config_dir,
        role=f"adapter {canonical}",
        required=security.curve,
    )
    state_dir = gw.data_dir / "adapters" / canonical  # the write-ahead of sent legs (adapters/inflight.py)
    runner = AdapterRunner(
        canonical,
        driver,
        gw.sockets.platform,
        gw.heartbeat_interval_s,
        gw.heartbeat_liveness,
        state_dir=state_dir,
        curve=curve,
    )

    def _stop(signum: int, _frame: object) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        runner.stop_event.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "SIGBREAK"):  # Windows: Ctrl+Break, and how service wrappers may ask a console process to stop
        signal.signal(signal.SIGBREAK, _stop)
    log.info(
        "adapter %s (driver %s) -> gateway %s%s",
        canonical,
        instance.driver,
        gw.sockets.platform,
        f" (CURVE, client key {curve.keys.public.decode()})" if curve else "",
    )
    runner.run()
