"""``python -m nexus_gw``: the ``nexusgw`` command, for when the script is not on PATH."""

from __future__ import annotations

import sys

from nexus_gw.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
