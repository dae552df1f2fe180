"""The DTC simulator's state file: orders, fills and positions that survive a restart of the simulator.

A real Sierra Chart still lists an order and its fills after it restarts; with a state file the simulator does
too, which is what lets tests kill it mid-order and check that the fill is counted once. Every save writes a
temporary file, flushes it to disk and renames it over the old one, so a simulator killed at any moment leaves
either the previous or the new state, never a torn one.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


class StateFileError(Exception):
    """The state file cannot be read or written; the message names the file and what to do."""


class SimStateFile:
    """Load and atomically save the simulator's exchange state as JSON at ``path``. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def load(self) -> dict[str, Any] | None:
        """The saved state, or ``None`` when the file does not exist yet."""
        if not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StateFileError(
                f"cannot read the DTC simulator state file {self.path} ({exc}); delete it to start with an empty "
                "exchange"
            ) from exc
        if not isinstance(data, dict):
            raise StateFileError(
                f"the DTC simulator state file {self.path} does not hold a JSON object; delete it to start empty"
            )
        return data

    def save(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        """Replace the file with ``snapshot()`` (write, fsync, rename).

        The snapshot is taken under this file's lock, so when several threads save at once the last write
        always holds the newest state.
        """
        with self._lock:
            state = snapshot()
            tmp = self.path.with_name(self.path.name + ".tmp")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with tmp.open("w", encoding="utf-8") as out:
                    json.dump(state, out, separators=(",", ":"))
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path)
            except OSError as exc:
                raise StateFileError(
                    f"cannot write the DTC simulator state file {self.path} ({exc}); check the directory exists "
                    "and is writable"
                ) from exc
