"""What the addon script Bookmap starts runs: the ``bookmap`` adapter, connected to the Bookmap that started it.

Bookmap starts ``python nexusgw_addon.py <port>`` (``adapters/bookmap/``). The profile, config directory and
instance name come from the environment, since Bookmap passes only the port: ``NEXUSGW_PROFILE`` (default
``dev``), ``NEXUSGW_CONFIG_DIR`` (default: the installed config), ``NEXUSGW_BOOKMAP_INSTANCE`` (default
``bookmap``). The port overrides the instance's ``settings.port``; then it is ``nexusgw adapter <instance>``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) < 2 or not args[1].isdigit():
        raise SystemExit(
            f"usage: {args[0] if args else 'nexusgw_addon.py'} <port>: Bookmap starts this script with the port of "
            "its socket; run it from Bookmap (docs/bookmap.md), or use `nexusgw adapter bookmap` with settings.port"
        )
    instance = os.environ.get("NEXUSGW_BOOKMAP_INSTANCE", "bookmap")
    os.environ[f"NEXUSGW_PLATFORMS__{instance.upper()}__SETTINGS__PORT"] = args[1]
    os.environ[f"NEXUSGW_PLATFORMS__{instance.upper()}__SETTINGS__FAKE"] = "false"

    from nexus_gw.cli.adapter import adapter

    config_dir = os.environ.get("NEXUSGW_CONFIG_DIR")
    adapter(instance, os.environ.get("NEXUSGW_PROFILE", "dev"), Path(config_dir) if config_dir else None)
