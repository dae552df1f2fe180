"""Run a whole gateway stack as real local processes: the gateway and one adapter per platform.

``nexusgw demo`` and the end-to-end tests use it. Each process is ``python -m nexus_gw.cli.app …`` with
the profile's sockets moved to free loopback ports through ``NEXUSGW_`` environment overrides, so a
stack never collides with a gateway already running on 5555–5557.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nexus_gw.client.admin import admin_request
from nexus_gw.errors import CheckFailed, GatewayUnavailable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Endpoints:
    platform: str
    nexus: str
    admin: str

    @classmethod
    def free(cls) -> Endpoints:
        return cls(*(f"tcp://127.0.0.1:{free_port()}" for _ in range(3)))

    @property
    def nexus_port(self) -> int:
        return int(self.nexus.rsplit(":", 1)[1])


@dataclass
class LocalStack:
    profile: str
    config_dir: Path
    run_dir: Path
    endpoints: Endpoints = field(default_factory=Endpoints.free)
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
        env.update(
            {
                "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": self.endpoints.platform,
                "NEXUSGW_GATEWAY__SOCKETS__NEXUS": self.endpoints.nexus,
                "NEXUSGW_GATEWAY__SOCKETS__ADMIN": self.endpoints.admin,
                "NEXUSGW_GATEWAY__DATA_DIR": str(self.run_dir / "data"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path(name).open("ab")
        cmd = [
            sys.executable,
            "-m",
            "nexus_gw.cli.app",
            *args,
            "--profile",
            self.profile,
            "--config-dir",
            str(self.config_dir),
        ]
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env())
        self.procs[name] = proc
        self._logs[name] = log
        return proc

    def start_gateway(self, timeout_s: float = 15.0) -> None:
        self._spawn("gateway", ["serve"])
        self.wait_status(lambda s: True, timeout_s, "gateway answering on its admin socket")

    def start_adapter(self, platform: str) -> None:
        self._spawn(platform, ["adapter", platform])

    def status(self, timeout_s: float = 1.0) -> dict[str, Any]:
        return admin_request(self.endpoints.admin, "status", timeout_s=timeout_s, tries=1)

    def wait_status(self, ready: Any, timeout_s: float, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        last_error = ""
        while time.monotonic() < deadline:
            gateway = self.procs.get("gateway")
            if gateway is not None and gateway.poll() is not None:
                raise CheckFailed(
                    f"gateway exited with {gateway.returncode}; see {self.log_path('gateway')}:\n"
                    + self.tail("gateway")
                )
            try:
                data = self.status()
                if ready(data):
                    return data
            except GatewayUnavailable as exc:
                last_error = str(exc)
            time.sleep(0.1)
        raise CheckFailed(f"timed out after {timeout_s:.0f}s waiting for {what}; {last_error}\n" + self.tail("gateway"))

    def wait_online(self, platforms: list[str], timeout_s: float = 20.0) -> dict[str, Any]:
        def ready(data: dict[str, Any]) -> bool:
            return all(data["platforms"][p]["online"] for p in platforms)

        return self.wait_status(ready, timeout_s, f"platforms online: {', '.join(platforms)}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        proc.send_signal(sig)
        proc.wait(timeout=10)

    def stop(self, name: str, timeout_s: float = 10.0) -> int | None:
        proc = self.procs.get(name)
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log = self._logs.pop(name, None)
        if log is not None:
            log.close()
        return proc.returncode

    def stop_all(self) -> dict[str, int | None]:
        codes = {}
        for name in [n for n in self.procs if n != "gateway"] + ["gateway"]:
            if name in self.procs:
                codes[name] = self.stop(name)
        return codes

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.log_path(name)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
