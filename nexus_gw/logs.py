"""Logging set-up shared by every process: one line per event, UTC timestamps, the process role."""

from __future__ import annotations

import logging
import sys
import time


def setup_logging(level: str = "INFO", role: str = "nexusgw") -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(
        f"%(asctime)s.%(msecs)03dZ %(levelname)-7s {role} %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
