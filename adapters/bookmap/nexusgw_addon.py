"""nexusgw's Bookmap addon: Bookmap starts this script (``python nexusgw_addon.py <port>``) and it becomes the
``bookmap`` platform adapter of the gateway (``nexusgw adapter bookmap``), trading through the Bookmap that
started it with the ``bookmap`` package.

Bookmap passes only the port, which overrides the instance's ``settings.port``; the environment names the rest:
``NEXUSGW_PROFILE`` (default ``dev``), ``NEXUSGW_CONFIG_DIR`` (default ``./config``), ``NEXUSGW_BOOKMAP_INSTANCE``
(default ``bookmap``). Install steps: README.md beside this file and docs/bookmap.md. Nothing may be printed to
stdout before the adapter's logging starts.
"""

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    try:
        import bookmap  # noqa: F401  (the package Bookmap's Python API addons are built on)

        from nexus_gw.cli.adapter import adapter
    except ImportError as exc:
        sys.exit(
            f"nexusgw Bookmap addon: {exc}. Install the gateway with its Bookmap extra into the Python runtime "
            "Bookmap uses: python -m pip install 'nexusgw[bookmap]' (docs/bookmap.md)"
        )
    if len(argv) < 2 or not argv[1].isdigit():
        sys.exit(
            "usage: nexusgw_addon.py <port>: Bookmap starts this script with the port of its socket; run it from "
            "Bookmap (docs/bookmap.md), or use `nexusgw adapter bookmap` with settings.port"
        )
    instance = os.environ.get("NEXUSGW_BOOKMAP_INSTANCE", "bookmap")
    prefix = f"NEXUSGW_PLATFORMS__{instance.upper()}__SETTINGS__"
    os.environ[prefix + "PORT"] = argv[1]
    os.environ[prefix + "FAKE"] = "false"
    config_dir = os.environ.get("NEXUSGW_CONFIG_DIR")
    adapter(instance, os.environ.get("NEXUSGW_PROFILE", "dev"), Path(config_dir) if config_dir else None)


if __name__ == "__main__":
    main(sys.argv)
