"""A supervisord configuration for one profile: what runs, in which order, how it restarts and where it logs.

Pure rendering: the caller (``nexusgw supervisor render``) loads the profile and says which adapters and
development companions it needs; this module turns that into the text of a complete supervisord.conf::

    companions  priority 10  development stand-ins for a platform (DTC simulator, MetaTrader5 double)
    gateway     priority 20  nexusgw serve
    adapters    priority 30  one program per enabled platform instance: nexusgw adapter NAME
    engine      priority 40  the signal engine's own command: a placeholder, autostart=false

supervisord starts lower priorities first and stops them last. Every program restarts when it exits
(``autorestart``), must stay up ``startsecs`` to count as started, gets ``startretries`` tries before it is FATAL,
is stopped with SIGTERM and killed with its whole process group after ``stopwaitsecs``. Output goes to
``<logs_dir>/<program>.log``, rotated at ``LOG_MAX_BYTES`` with ``LOG_BACKUPS`` old files kept.
"""

from __future__ import annotations

import ipaddress
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from nexus_gw.errors import UsageError

PRIORITY_COMPANIONS = 10
PRIORITY_GATEWAY = 20
PRIORITY_ADAPTERS = 30
PRIORITY_ENGINE = 40
LOG_MAX_BYTES = "50MB"
LOG_BACKUPS = 10
MAX_UNIX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS; keep room for both
ENGINE_PLACEHOLDER = (
    "/bin/sh",
    "-c",
    'echo "nexusgw: program engine is a placeholder: put your signal engine command in this file, or render it '
    'with --engine-command" >&2; exit 78',
)


@dataclass(frozen=True)
class CompanionProgram:
    """A development companion of one platform instance (see ``adapters/registry.py`` ``Companion``)."""

    platform: str
    module: str
    suffix: str
    port: int
    port_setting: str
    args: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.platform}-{self.suffix}"


@dataclass(frozen=True)
class Control:
    """How supervisorctl reaches supervisord: a unix socket (default) or a loopback TCP port."""

    unix_path: str | None = None
    inet: tuple[str, int] | None = None

    @classmethod
    def parse(cls, text: str) -> Control:
        """``unix:/path/to.sock`` or ``inet:127.0.0.1:9001``."""
        kind, _, rest = text.partition(":")
        if kind == "unix" and rest.startswith("/"):
            if len(rest.encode()) > MAX_UNIX_SOCKET_PATH:
                raise UsageError(
                    f"control socket path {rest} is {len(rest.encode())} bytes, over the {MAX_UNIX_SOCKET_PATH} a "
                    "unix socket allows; pass a shorter --control unix:/PATH (e.g. under /run or /tmp)"
                )
            return cls(unix_path=rest)
        if kind == "inet":
            host, _, port = rest.rpartition(":")
            try:
                loopback = ipaddress.ip_address(host).is_loopback
                number = int(port)
            except ValueError:
                loopback, number = False, 0
            if not loopback or not 0 < number < 65536:
                raise UsageError(
                    f"--control {text}: supervisord's control port has neither encryption nor keys here, so it "
                    "binds only a loopback address: use inet:127.0.0.1:PORT, or unix:/PATH"
                )
            return cls(inet=(host, number))
        raise UsageError(f"--control {text!r}: expected unix:/absolute/path.sock or inet:127.0.0.1:PORT")

    @property
    def serverurl(self) -> str:
        if self.inet is not None:
            return f"http://{self.inet[0]}:{self.inet[1]}"
        return f"unix://{self.unix_path}"


@dataclass(frozen=True)
class Plan:
    """Everything the configuration says, decided by the caller."""

    profile: str
    config_dir: str
    data_dir: str
    logs_dir: str
    control: Control
    nexusgw: tuple[str, ...]
    """How to run the nexusgw command: ``("/opt/nexusgw/bin/nexusgw",)`` or ``(python, "-m", "nexus_gw.cli.app")``."""
    python: str
    """The interpreter that runs the companions (``python -m <module>``)."""
    adapters: tuple[str, ...]
    companions: tuple[CompanionProgram, ...] = ()
    engine_command: tuple[str, ...] = ENGINE_PLACEHOLDER
    environment: Mapping[str, str] = field(default_factory=dict)
    """Extra variables for every program (placed in supervisord's own environment)."""


def assign_ports(wanted: Mapping[str, int]) -> dict[str, int]:
    """Instance → companion port: each keeps its own unless an earlier one took it, then the next free number."""
    taken: set[int] = set()
    ports: dict[str, int] = {}
    for name, port in wanted.items():
        while port in taken:
            port += 1
        taken.add(port)
        ports[name] = port
    return ports


def setting_env(platform: str, setting: str) -> str:
    """The environment override of a driver setting (as ``nexus_gw.stack.setting_env``)."""
    return f"NEXUSGW_PLATFORMS__{platform.upper()}__SETTINGS__{setting.upper()}"


def _esc(value: str) -> str:
    """supervisord expands ``%(name)s`` in values: a literal percent sign is written twice."""
    return value.replace("%", "%%")


def _command(args: Iterable[str]) -> str:
    return _esc(shlex.join(args))


def _env(values: Mapping[str, str]) -> str:
    for key, value in values.items():
        if '"' in value or "\n" in value:
            raise UsageError(
                f"environment value of {key} contains a double quote or newline; supervisord cannot hold it"
            )
    return ",".join(f'{key}="{_esc(value)}"' for key, value in values.items())


def _join(directory: str, name: str) -> str:
    return str(PurePath(directory) / name)


def _program(
    plan: Plan,
    name: str,
    args: Sequence[str],
    priority: int,
    *,
    autostart: bool = True,
    startsecs: int = 3,
    stopwaitsecs: int = 15,
    environment: Mapping[str, str] | None = None,
    comment: str = "",
) -> list[str]:
    lines = [f"; {comment}"] if comment else []
    lines += [
        f"[program:{name}]",
        f"command={_command(args)}",
        f"priority={priority}",
        f"autostart={'true' if autostart else 'false'}",
        "autorestart=true",
        f"startsecs={startsecs}",
        "startretries=10",
        "stopsignal=TERM",
        f"stopwaitsecs={stopwaitsecs}",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={_esc(_join(plan.logs_dir, name + '.log'))}",
        f"stdout_logfile_maxbytes={LOG_MAX_BYTES}",
        f"stdout_logfile_backups={LOG_BACKUPS}",
    ]
    if environment:
        lines.append(f"environment={_env(environment)}")
    return [*lines, ""]


def _profile_args(plan: Plan) -> list[str]:
    return ["--profile", plan.profile, "--config-dir", plan.config_dir]


def program_names(plan: Plan) -> list[str]:
    """The names supervisorctl shows, in start order: ``companions:…``, ``gateway``, ``adapters:…``, ``engine``."""
    return [
        *(f"companions:{c.name}" for c in plan.companions),
        "gateway",
        *(f"adapters:{a}" for a in plan.adapters),
        "engine",
    ]


def render(plan: Plan) -> str:
    """The text of supervisord.conf for ``plan``."""
    control = plan.control
    environment = {"NEXUSGW_GATEWAY__DATA_DIR": plan.data_dir, "PYTHONUNBUFFERED": "1", **plan.environment}
    out = [
        f"; supervisord configuration for nexusgw profile {plan.profile}, written by `nexusgw supervisor render`.",
        ";   start:   supervisord -c THIS_FILE",
        ";   control: supervisorctl -c THIS_FILE status | restart gateway | restart adapters:* | start engine",
        f"; Programs, in start order: {', '.join(program_names(plan))}.",
        f"; Logs: {plan.logs_dir}/<program>.log, rotated at {LOG_MAX_BYTES}, {LOG_BACKUPS} kept.",
        "",
        "[supervisord]",
        f"logfile={_esc(_join(plan.logs_dir, 'supervisord.log'))}",
        f"logfile_maxbytes={LOG_MAX_BYTES}",
        f"logfile_backups={LOG_BACKUPS}",
        "loglevel=info",
        f"pidfile={_esc(_join(plan.data_dir, 'supervisord.pid'))}",
        f"childlogdir={_esc(plan.logs_dir)}",
        f"environment={_env(environment)}",
        "",
    ]
    if control.inet is not None:
        out += ["[inet_http_server]", f"port={control.inet[0]}:{control.inet[1]}", ""]
    else:
        out += ["[unix_http_server]", f"file={_esc(control.unix_path or '')}", "chmod=0700", ""]
    out += [
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl={control.serverurl}",
        "",
    ]
    for c in plan.companions:
        state = _join(_join(plan.data_dir, "companions"), f"{c.name}-state.json")
        args = [plan.python, "-m", c.module, "--platform", c.platform, "--port", str(c.port), "--state-file", state]
        comment = f"development companion of {c.platform}: the adapter reaches it on port {c.port}"
        out += _program(
            plan, c.name, [*args, *c.args, *_profile_args(plan)], PRIORITY_COMPANIONS, startsecs=2, comment=comment
        )
    if plan.companions:
        out += ["[group:companions]", f"programs={','.join(c.name for c in plan.companions)}"]
        out += [f"priority={PRIORITY_COMPANIONS}", ""]
    gateway = [*plan.nexusgw, "serve", *_profile_args(plan)]
    out += _program(plan, "gateway", gateway, PRIORITY_GATEWAY, stopwaitsecs=30, comment="the gateway")
    ports = {c.platform: c for c in plan.companions}
    for name in plan.adapters:
        env = {setting_env(name, ports[name].port_setting): str(ports[name].port)} if name in ports else None
        args = [*plan.nexusgw, "adapter", name, *_profile_args(plan)]
        out += _program(plan, name, args, PRIORITY_ADAPTERS, environment=env, comment=f"adapter of {name}")
    if plan.adapters:
        out += ["[group:adapters]", f"programs={','.join(plan.adapters)}", f"priority={PRIORITY_ADAPTERS}", ""]
    comment = (
        "the signal engine: a placeholder until you put your engine's command here (it connects to the gateway's "
        "NEXUS socket); started by hand with `supervisorctl start engine`, or set autostart=true"
    )
    out += _program(plan, "engine", plan.engine_command, PRIORITY_ENGINE, autostart=False, comment=comment)
    return "\n".join(out).rstrip("\n") + "\n"
