"""Test-only failpoints: make the process die at a named point, to test what a crash there leaves behind.

``NEXUSGW_FAILPOINT=killswitch.after_journal`` (a comma-separated list of names) makes the process exit at once
with code 137, as ``kill -9`` would, when it reaches ``hit("killswitch.after_journal")``: no cleanup, no flush of
anything but stderr. Never set it in production; an unknown name does nothing.
"""

from __future__ import annotations

import os
import sys

ENV = "NEXUSGW_FAILPOINT"
EXIT_CODE = 137


def armed(name: str) -> bool:
    return name in {part.strip() for part in os.environ.get(ENV, "").split(",") if part.strip()}


def hit(name: str) -> None:
    """Exit the process now if failpoint ``name`` is armed."""
    if armed(name):
        sys.stderr.write(f"failpoint {name}: exiting with {EXIT_CODE}\n")
        sys.stderr.flush()
        os._exit(EXIT_CODE)
