"""Processes of a benchmark run: the gateway (via ``LocalStack``), peers from ``benchmarks.peers``, their CPU and RSS.

CPU time and RSS are read from ``/proc/<pid>`` (Linux): the benchmark measures this machine's processes.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from benchmarks.config import PROFILE, REPO
from nexus_gw.errors import CheckFailed
from nexus_gw.stack import Endpoints, LocalStack, free_port

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU of every thread of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Peer:
    """A ``python -m benchmarks.peers …`` process whose JSON lines are read as they come."""

    def __init__(self, role: str, *args: str, log: Path) -> None:
        cmd = [sys.executable, "-m", "benchmarks.peers", role, *args]
        env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self._log: IO[bytes] = log.open("ab")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env, cwd=REPO, text=True
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.name = f"{role} {' '.join(args[:4])}"
        self.log = log
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def wait(self, event: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                got = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    tail = self.log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(
                        f"{self.name} exited with {self.proc.returncode} before {event}:\n{tail}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name}: no {event} within {timeout_s:.0f}s; see {self.log}") from None
                continue
            if got.get("event") == event:
                return got

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@dataclass
class Gateway:
    """A gateway process on free loopback ports with the generated ``bench`` profile."""

    config_dir: Path
    run_dir: Path
    stack: LocalStack = field(init=False)

    def __post_init__(self) -> None:
        env = {"NEXUSGW_GATEWAY__LOG_LEVEL": "WARNING", "NEXUSGW_LOG_FORMAT": "text"}
        for attempt in range(3):  # a free port can be taken by another process before the gateway binds it
            self.stack = LocalStack(PROFILE, self.config_dir, self.run_dir, extra_env=env)
            try:
                self.stack.start_gateway(timeout_s=60)
                return
            except CheckFailed as exc:
                self.stack.stop_all()
                if "Address already in use" not in str(exc) or attempt == 2:
                    raise

    @property
    def endpoints(self) -> Endpoints:
        return self.stack.endpoints

    @property
    def pid(self) -> int:
        return self.stack.procs["gateway"].pid

    def counters(self) -> dict[str, Any]:
        return dict(self.stack.status(timeout_s=5.0).get("counters", {}))

    def stop(self) -> None:
        self.stack.stop_all()


class Proxy:
    """A ``zmq.proxy`` process (DEALER ⇄ DEALER) between the same producer and consumer processes."""

    def __init__(self, log: Path) -> None:
        self.front = f"tcp://127.0.0.1:{free_port()}"
        self.back = f"tcp://127.0.0.1:{free_port()}"
        self.peer = Peer("proxy", "--front", self.front, "--back", self.back, log=log)
        self.peer.wait("ready", 30)

    @property
    def pid(self) -> int:
        return self.peer.proc.pid

    def stop(self) -> None:
        self.peer.proc.kill()
        self.peer.proc.wait()
        self.peer.stop()


class RssSampler:
    """Samples a process's RSS every ``interval_s`` in a thread: (seconds since start, MB)."""

    def __init__(self, pid: int, interval_s: float = 0.25) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic() - start, rss_mb(self.pid)))
            except OSError:
                return
            self._stop.wait(self.interval_s)

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        self._thread.join(5)
        return self.samples
