"""``nexusgw supervisor render``: a supervisord configuration for a profile (see ``nexus_gw/ops/supervisor.py``)."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt

app = typer.Typer(help="Run a profile's processes under supervisord.", no_args_is_help=True)

RequiredProfileOpt = Annotated[
    str, typer.Option("--profile", "-p", help="Profile name in config/profiles (dev, stage1…stage4) or a path.")
]


def _nexusgw_command() -> tuple[str, ...]:
    """This installation's nexusgw: the script beside the interpreter (a venv), on PATH, or ``python -m``."""
    beside = Path(sys.executable).parent / ("nexusgw.exe" if sys.platform == "win32" else "nexusgw")
    if beside.is_file():
        return (str(beside),)
    found = shutil.which("nexusgw")
    return (str(Path(found).resolve()),) if found else (sys.executable, "-m", "nexus_gw.cli.app")


def _ports(values: list[str]) -> dict[str, int]:
    from nexus_gw.errors import UsageError

    ports = {}
    for value in values:
        name, _, port = value.partition("=")
        if not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise UsageError(f"--companion-port {value!r}: expected INSTANCE=PORT, e.g. sierra=11099")
        ports[name] = int(port)
    return ports


def _adapters(loaded: Any, chosen: list[str]) -> tuple[str, ...]:
    """The instances to run here: every enabled one, or those chosen (in the profile's order)."""
    from nexus_gw.adapters.registry import started_by_platform
    from nexus_gw.errors import UsageError

    platforms = loaded.profile.platforms
    enabled = list(loaded.profile.enabled_platforms())
    unknown = [name for name in chosen if name not in enabled]
    if unknown:
        raise UsageError(
            f"--adapter {', '.join(unknown)}: not an enabled platform instance of profile {loaded.name}; "
            f"enabled: {', '.join(enabled)}"
        )
    own = [n for n in enabled if started_by_platform(platforms[n].driver, platforms[n].settings)]
    if refused := [name for name in chosen if name in own]:
        raise UsageError(
            f"--adapter {', '.join(refused)}: the platform starts this adapter itself (e.g. Bookmap runs its addon, "
            "docs/bookmap.md); a supervisor program for it would be a second adapter for the same instance"
        )
    if own:
        typer.echo(f"left out: {', '.join(own)} (started by the platform itself, not by supervisor)", err=True)
    return tuple(name for name in enabled if name not in own and (not chosen or name in chosen))


def _companions(loaded: Any, adapters: tuple[str, ...], overrides: dict[str, int]) -> list[Any]:
    """The development companion of every enabled instance that asks for one, each on its own port."""
    from nexus_gw.adapters.registry import companion, settings_model
    from nexus_gw.errors import UsageError
    from nexus_gw.ops.supervisor import CompanionProgram, assign_ports

    wanted = {}
    for name, instance in loaded.profile.enabled_platforms().items():
        if name not in adapters:
            continue
        spec = companion(instance.driver, instance.settings)
        if spec is not None:
            default = settings_model(instance.driver).model_fields[spec.port_setting].default
            wanted[name] = (spec, int(instance.settings.get(spec.port_setting, default)))
    unknown = set(overrides) - set(wanted)
    if unknown:
        raise UsageError(
            f"--companion-port for {', '.join(sorted(unknown))}: no development companion runs for it in profile "
            f"{loaded.name}; instances with one: {', '.join(wanted) or 'none'}"
        )
    ports = assign_ports({**overrides, **{n: p for n, (_, p) in wanted.items() if n not in overrides}})
    return [
        CompanionProgram(name, spec.module, spec.suffix, ports[name], spec.port_setting, spec.args)
        for name, (spec, _) in wanted.items()
    ]


@app.command("render")
def render(
    profile: RequiredProfileOpt,
    config_dir: ConfigDirOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (default: print).")] = None,
    logs_dir: Annotated[Path | None, typer.Option(help="Program logs (default: DATA_DIR/logs).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Journal and state (default: the profile's).")] = None,
    control: Annotated[
        str | None,
        typer.Option(
            help="supervisorctl's way in: unix:/PATH.sock (default DATA_DIR/supervisor.sock) or inet:127.0.0.1:PORT."
        ),
    ] = None,
    command: Annotated[
        str | None, typer.Option(help="How to run nexusgw (default: this installation's nexusgw).")
    ] = None,
    python: Annotated[str | None, typer.Option(help="Interpreter for companions (default: this one).")] = None,
    companion_port: Annotated[
        list[str] | None,
        typer.Option(help="INSTANCE=PORT for a development companion (default: the instance's setting)."),
    ] = None,
    engine_command: Annotated[
        str | None, typer.Option(help="Your signal engine's command (default: a placeholder).")
    ] = None,
    adapter: Annotated[
        list[str] | None,
        typer.Option(help="Run only this instance's adapter here (repeat; default: every enabled instance)."),
    ] = None,
    as_config_dir: Annotated[
        Path | None,
        typer.Option(help="Config dir written into the file when it differs on the target machine."),
    ] = None,
) -> None:
    """Write a supervisord configuration running the profile's development companions, the gateway, one adapter
    per enabled platform instance and a placeholder for the signal engine, in that order, restarted on exit, with
    rotated logs under --logs-dir. Start it with `supervisord -c FILE`, watch it with `supervisorctl -c FILE status`.
    Driver settings are not checked here (secrets may exist only on the target): run `nexusgw profile validate`
    there.
    """
    from nexus_gw.config.loader import load_profile
    from nexus_gw.ops.supervisor import ENGINE_PLACEHOLDER, Control, Plan
    from nexus_gw.ops.supervisor import render as render_conf

    loaded = load_profile(profile, config_dir)  # driver settings (secrets) may be set on the target only
    adapters = _adapters(loaded, adapter or [])
    data = (data_dir or Path(loaded.profile.gateway.data_dir)).resolve()
    logs = (logs_dir or data / "logs").resolve()
    written_profile = str(Path(profile).resolve()) if profile.endswith((".yaml", ".yml")) or "/" in profile else profile
    plan = Plan(
        profile=written_profile,
        config_dir=str(as_config_dir or loaded.config_dir.resolve()),
        data_dir=str(data),
        logs_dir=str(logs),
        control=Control.parse(control or f"unix:{data / 'supervisor.sock'}"),
        nexusgw=tuple(shlex.split(command)) if command else _nexusgw_command(),
        python=python or sys.executable,
        adapters=adapters,
        companions=tuple(_companions(loaded, adapters, _ports(companion_port or []))),
        engine_command=tuple(shlex.split(engine_command)) if engine_command else ENGINE_PLACEHOLDER,
    )
    text = render_conf(plan)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(
        f"wrote {output} for profile {loaded.name}: {len(plan.adapters)} adapters, {len(plan.companions)} "
        f"companions; journal and state in {data}, logs in {logs}",
        err=True,
    )
    missing = [d for d in (data, logs) if not d.is_dir()]
    if missing:
        typer.echo(
            f"create before starting supervisord: mkdir -p {' '.join(shlex.quote(str(d)) for d in missing)}", err=True
        )
