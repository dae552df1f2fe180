"""Run a whole gateway stack as real local processes: the gateway and one adapter per platform.

``nexusgw demo`` and the end-to-end tests use it. Each process is ``python -m nexus_gw.cli.app …`` with
the profile's sockets moved to free loopback ports through ``NEXUSGW_`` environment overrides, so a
stack never collides with a gateway already running on 5555–5557.

An instance whose driver declares a development companion in ``adapters/registry.py`` (a process standing in for
the platform), and whose settings ask for it, trades against that companion: the stack starts it as a process of
its own (``<platform>-<suffix>``) on a free port, with a state file in the run directory, and points the adapter at
it through ``NEXUSGW_PLATFORMS__<PLATFORM>__SETTINGS__<PORT_SETTING>``. The stack knows no platform by name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nexus_gw.adapters.registry import Companion, companion
from nexus_gw.client.admin import admin_request
from nexus_gw.errors import CheckFailed, GatewayUnavailable
from nexus_gw.free_ports import free_port


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
    companion_ports: dict[str, int] = field(default_factory=dict)
    """Platform instance → port of the development companion the stack started for it."""
    companion_state_files: dict[str, Path] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)
    _companions: dict[str, Companion] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
        env.update(
            {
                "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": self.endpoints.platform,
                "NEXUSGW_GATEWAY__SOCKETS__NEXUS": self.endpoints.nexus,
                "NEXUSGW_GATEWAY__SOCKETS__ADMIN": self.endpoints.admin,
                "NEXUSGW_GATEWAY__DATA_DIR": str(self.run_dir / "data"),
                "NEXUSGW_MONITORING__METRICS__PORT": "0",  # any free port: status shows metrics.endpoint
                "NEXUSGW_LOG_FORMAT": "text",  # log files a person reads (demo, tests); extra_env may say json
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        for name, port in self.companion_ports.items():
            env[setting_env(name, self.companion_of(name).port_setting)] = str(port)
        return env

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def _spawn(self, name: str, args: list[str], module: str = "nexus_gw.cli.app") -> subprocess.Popen[bytes]:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        previous = self._logs.pop(name, None)
        if previous is not None:
            previous.close()
        log = self.log_path(name).open("ab")
        cmd = [
            sys.executable,
            "-m",
            module,
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
        """Start the adapter of ``platform``, after its development companion when the profile asks for one."""
        self.start_companions([platform])
        self._spawn(platform, ["adapter", platform])

    # -- development companions (declared by the drivers in adapters/registry.py) -------------------
    def companions(self) -> dict[str, Companion]:
        """Enabled platform instance → the development companion its driver and settings ask for."""
        if self._companions is None:
            from nexus_gw.config.loader import load_profile

            loaded = load_profile(self.profile, self.config_dir)
            self._companions = {}
            for name, instance in loaded.profile.enabled_platforms().items():
                wanted = companion(instance.driver, instance.settings)
                if wanted is not None:
                    self._companions[name] = wanted
        return self._companions

    def companion_of(self, platform: str) -> Companion:
        found = self.companions().get(platform)
        if found is None:
            raise CheckFailed(
                f"platform {platform!r} of profile {self.profile} has no development companion: its driver declares "
                "none in adapters/registry.py, or its settings do not ask for it"
            )
        return found

    def companion_name(self, platform: str) -> str:
        """Process (and log) name of the companion the stack runs for ``platform``."""
        return f"{platform}-{self.companion_of(platform).suffix}"

    def start_companions(self, platforms: Iterable[str]) -> list[str]:
        """Start the companion of every listed instance that asks for one and has none running; return them."""
        started = []
        for platform in platforms:
            if platform not in self.companions():
                continue
            proc = self.procs.get(self.companion_name(platform))
            if proc is None or proc.poll() is not None:
                self.start_companion(
                    platform, self.companion_ports.get(platform), self.companion_state_files.get(platform)
                )
                started.append(platform)
        return started

    def start_companion(
        self,
        platform: str,
        port: int | None = None,
        state_file: Path | None = None,
        *,
        args: Sequence[str] = (),
        timeout_s: float = 15.0,
    ) -> int:
        """Start (or restart) the companion of ``platform`` and point its adapter at it; return its port.

        ``port`` None picks a free port; ``state_file`` (default ``<run_dir>/<process name>-state.json``) keeps
        the companion's orders and fills across restarts; ``args`` go to it as they are (e.g.
        ``["--fill-latency", "3"]``). Returns once it is ready; raises ``CheckFailed`` if it is not.
        """
        spec = self.companion_of(platform)
        name = self.companion_name(platform)
        running = self.procs.get(name)
        if running is not None and running.poll() is None:
            raise CheckFailed(f"{name} is already running; stop or kill it before starting it again")
        port = port or free_port()
        state = state_file or self.run_dir / f"{name}-state.json"
        log_path = self.log_path(name)
        seen = log_path.read_bytes().count(spec.ready_line) if log_path.exists() else 0
        base = ["--platform", platform, "--port", str(port), "--state-file", str(state), *spec.args]
        proc = self._spawn(name, [*base, *args], module=spec.module)
        deadline = time.monotonic() + timeout_s
        while log_path.read_bytes().count(spec.ready_line) <= seen:
            if proc.poll() is not None:
                raise CheckFailed(f"{name} exited with {proc.returncode}; see {log_path}:\n" + self.tail(name))
            if time.monotonic() > deadline:
                raise CheckFailed(f"{name} not ready after {timeout_s:.0f}s:\n" + self.tail(name))
            time.sleep(0.05)
        self.companion_ports[platform] = port
        self.companion_state_files[platform] = state
        return port

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

    def wait_quoted(self, roots: list[str], timeout_s: float = 30.0, fresh_s: float = 2.0) -> dict[str, Any]:
        """Until the gateway holds market data younger than ``fresh_s`` for each root: before that, the risk gate
        refuses entries on those roots as stale."""

        def ready(data: dict[str, Any]) -> bool:
            ages = data["risk"].get("market_data_age_seconds") or {}
            return all(ages.get(root) is not None and ages[root] <= fresh_s for root in roots)

        return self.wait_status(ready, timeout_s, f"fresh market data for {', '.join(roots)}")

    def kill(self, name: str, sig: int | None = None) -> None:
        """Send ``sig`` (default: kill outright, SIGKILL; TerminateProcess on Windows)."""
        proc = self.procs[name]
        if sig is None:
            proc.kill()
        else:
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
        """Stop adapters, then development companions, then the gateway; return each process's exit code."""
        simulators = {self.companion_name(p) for p in self.companion_ports}
        adapters = [n for n in self.procs if n != "gateway" and n not in simulators]
        codes = {}
        for name in [*adapters, *[n for n in self.procs if n in simulators], "gateway"]:
            if name in self.procs:
                codes[name] = self.stop(name)
        return codes

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.log_path(name)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def setting_env(platform: str, setting: str) -> str:
    """The environment override of a driver setting of ``platform`` (e.g. the port of its companion)."""
    return f"NEXUSGW_PLATFORMS__{platform.upper()}__SETTINGS__{setting.upper()}"
