"""Crash points for tests: with ``NEXUSGW_FAILPOINT=name[,name...]`` set, ``failpoint(name)`` ends the process.

The exit is immediate (``os._exit``, code 137 as for ``kill -9``): no cleanup, no flush, as in a real crash.
"""

from __future__ import annotations

import os
import sys

ENV = "NEXUSGW_FAILPOINT"
EXIT_CODE = 137


def failpoint(name: str) -> None:
    """End the process at once if ``name`` is listed in ``$NEXUSGW_FAILPOINT``."""
    if name in {part.strip() for part in os.environ.get(ENV, "").split(",")}:
        sys.stderr.write(f"failpoint {name}: exiting with {EXIT_CODE}\n")
        sys.stderr.flush()
        os._exit(EXIT_CODE)
