"""The C# NinjaTrader stand-ins (``adapters/nt8/harness/``), compiled with Mono's ``mcs`` and run with ``mono``.

- ``harness``: the AddOn's bridge transport and codec in front of a simulated account, with stdin commands that
  misbehave on purpose (the tests and a local stack's companion use it);
- ``addon``: the real ``NexusBridgeAddOn.cs`` on a small simulated NinjaTrader (``harness/addon_host/``).

So the tests drive the real C# against the Python driver. Needs the source tree (an editable install) and Debian's
``mono-mcs`` (``apt-get install mono-mcs``); ``HarnessUnavailable`` says what is missing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[3] / "adapters" / "nt8"
BRIDGE = ("BridgeCodec.cs", "BridgeTransport.cs")
TARGETS = {
    "harness": (*BRIDGE, "harness/Harness.cs"),
    "addon": (
        *BRIDGE,
        "NexusBridgeAddOn.cs",
        "harness/addon_host/NinjaTraderSim.cs",
        "harness/addon_host/AddOnHost.cs",
    ),
}
SOURCES = TARGETS["harness"]
READY = "listening on"


class HarnessUnavailable(Exception):
    """The harness cannot be built here (no mcs/mono, or no source tree)."""


def build(cache_dir: Path, target: str = "harness") -> Path:
    """The compiled ``target`` (``mcs`` runs only when its sources changed); raises ``HarnessUnavailable``."""
    mcs, mono = shutil.which("mcs"), shutil.which("mono")
    if mcs is None or mono is None:
        raise HarnessUnavailable("Mono's C# compiler is not installed: apt-get install -y mono-mcs")
    paths = [SOURCE_DIR / name for name in TARGETS[target]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise HarnessUnavailable(f"the C# sources are not here (an editable install is needed): {missing}")
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()[:16]
    exe = cache_dir / f"nt8-{target}-{digest}.exe"
    if exe.is_file():
        return exe
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = exe.with_suffix(f".{os.getpid()}.tmp")
    result = subprocess.run(
        [mcs, "-langversion:7", "-warnaserror+", "-nowarn:618", f"-out:{partial}", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mcs failed to compile the NT8 {target}:\n{result.stdout}{result.stderr}")
    os.replace(partial, exe)
    return exe


class HarnessProcess:
    """A running harness: its port, its output lines, and its stdin commands (see ``Harness.cs``)."""

    def __init__(self, exe: Path, args: Sequence[str] = (), timeout_s: float = 30.0) -> None:
        mono = shutil.which("mono") or "mono"
        self.proc = subprocess.Popen(
            [mono, str(exe), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self.wait_line(lambda line: READY in line, timeout_s)
        self.port = int(ready.rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_line(self, match: object, timeout_s: float = 10.0, start: int = 0) -> str:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if match(line):  # type: ignore[operator]
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"the NT8 harness did not print the line awaited; output: {self.lines[-20:]}")
                self._cond.wait(min(left, 0.1))

    def command(self, command: str, timeout_s: float = 10.0) -> None:
        assert self.proc.stdin is not None
        with self._cond:
            start = len(self.lines)
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        self.wait_line(lambda line: line == f"done {command}", timeout_s, start)

    def placed(self, leg: str) -> int:
        """How many times the harness placed an order for ``leg`` (NinjaTrader's view: must be at most 1)."""
        with self._cond:
            return sum(1 for line in self.lines if line.startswith(f"placed {leg} "))

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)
