"""NinjaTrader's ATI folders on disk: order files written atomically to ``incoming``, information read from
``outgoing``.

NinjaTrader processes an ``oif*.txt`` file as soon as it appears, so a file is written under a name it ignores
and renamed into place (one atomic step). Each file gets a new, increasing name (reusing one risks NinjaTrader
never processing it). NinjaTrader removes a file it processed; a file still there is withdrawn by renaming it
back out of the pattern: if that rename succeeds, NinjaTrader never read it, and never will.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
import uuid
from pathlib import Path


class AtiFolder:
    """``root/incoming`` and ``root/outgoing`` of one NinjaTrader installation."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / "incoming"
        self.outgoing = root / "outgoing"
        self._names = itertools.count(1)

    def ready(self) -> bool:
        """Both folders exist (NinjaTrader creates them; ATI must be enabled for it to read them)."""
        return self.incoming.is_dir() and self.outgoing.is_dir()

    def write(self, lines: list[str]) -> Path:
        """Write one order instruction file atomically; returns its name in ``incoming``. Raises ``OSError``."""
        tmp = self.incoming / f".nexusgw-{uuid.uuid4().hex}.tmp"
        tmp.write_text("".join(f"{line}\r\n" for line in lines), encoding="ascii", newline="")
        final = self.incoming / f"oif{time.time_ns()}{next(self._names):04d}.txt"
        os.replace(tmp, final)
        return final

    def withdraw(self, path: Path) -> bool:
        """Take an unprocessed file back; True if NinjaTrader had not taken it (it never will now)."""
        withdrawn = path.with_name(f".withdrawn-{path.name}")
        try:
            os.replace(path, withdrawn)
        except FileNotFoundError:
            return False
        with contextlib.suppress(OSError):
            withdrawn.unlink()
        return True

    def unread(self) -> dict[Path, str]:
        """Order files still waiting in ``incoming`` (NinjaTrader has not taken them), with their text."""
        found: dict[Path, str] = {}
        for path in self.incoming.glob("oif*.txt"):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                found[path] = path.read_text(encoding="ascii")
        return found

    def read_outgoing(self) -> dict[str, str]:
        """Name → content of every ``*.txt`` in ``outgoing``; a file NinjaTrader holds open is left for next time."""
        found: dict[str, str] = {}
        try:
            entries = list(os.scandir(self.outgoing))
        except OSError:
            return found
        for entry in entries:
            if not entry.name.lower().endswith(".txt"):
                continue
            with contextlib.suppress(OSError, UnicodeDecodeError):
                found[entry.name] = Path(entry.path).read_text(encoding="utf-8-sig")
        return found
