"""nexusgw's Bookmap addon: Bookmap starts this script (``python nexusgw_addon.py <port>``) and it becomes the
``bookmap`` platform adapter of the gateway, trading through Bookmap with the ``bookmap`` package.

Install steps: README.md beside this file and docs/bookmap.md. Settings come from the gateway's profile;
the environment chooses it (NEXUSGW_PROFILE, NEXUSGW_CONFIG_DIR, NEXUSGW_BOOKMAP_INSTANCE).
Nothing may be printed to stdout before the adapter starts logging: keep this file as it is.
"""

import sys

try:
    import bookmap  # noqa: F401  (the package Bookmap's Python API addons are built on)
    from nexus_gw.adapters.bookmap.addon import main
except ImportError as exc:
    sys.exit(
        f"nexusgw Bookmap addon: {exc}. Install the gateway with its Bookmap extra into the Python runtime Bookmap "
        "uses: pip install 'nexusgw[bookmap]' (docs/bookmap.md)"
    )

if __name__ == "__main__":
    main(sys.argv)
