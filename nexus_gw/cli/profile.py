"""``nexusgw profile validate|show|diff|list``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt

app = typer.Typer(help="Check and inspect profiles.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Profile name (dev, stage1…stage4) or path to a YAML file.")]


@app.command("validate")
def validate(
    name: NameArg,
    config_dir: ConfigDirOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when a driver cannot run here or live trading lacks something.")
    ] = False,
) -> None:
    """Load a profile with everything it extends and the environment overrides; exit 2 naming file,
    line and the allowed values if anything is wrong. Then say which instances cannot run on this machine
    (a driver not in this release, Windows-only, an optional package missing) and what live trading still
    needs (a password variable not set); with --strict those exit 1."""
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.config.loader import load_profile

    loaded = load_profile(name, config_dir, check_settings=validate_driver_settings)
    p = loaded.profile
    from nexus_gw.adapters.mt5.lint import sizing_warnings

    for warning in sizing_warnings(p.enabled_platforms(), p.symbols, _supports(loaded.reference.symbols)):
        typer.echo(warning, err=True)
    typer.echo(
        f"profile {p.name} is valid: symbols {', '.join(p.symbols)}; "
        f"platforms {', '.join(f'{n} ({i.driver})' for n, i in p.enabled_platforms().items())}"
    )
    from nexus_gw.cli.readiness import NOTE, findings

    found = findings(p)
    for finding in found:
        typer.echo(finding.line())
    blocking = [f for f in found if f.kind != NOTE]
    if strict and blocking:
        from nexus_gw.errors import CheckFailed

        raise CheckFailed(f"profile {p.name}: {len(blocking)} instance problem(s) on this machine (listed above)")


@app.command("diff")
def diff(
    left: Annotated[str, typer.Argument(help="Profile to compare from, e.g. stage1.")],
    right: Annotated[str, typer.Argument(help="Profile to compare to, e.g. stage2.")],
    config_dir: ConfigDirOpt = None,
) -> None:
    """What changes from LEFT to RIGHT, key by key, after extends and environment overrides (both validated):
    `key: old -> new`, `+ key` only in RIGHT, `- key` only in LEFT."""
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.cli.readiness import diff as diff_lines
    from nexus_gw.config.loader import load_profile

    a = load_profile(left, config_dir, check_settings=validate_driver_settings).profile.model_dump(mode="json")
    b = load_profile(right, config_dir, check_settings=validate_driver_settings).profile.model_dump(mode="json")
    lines = diff_lines(a, b, show=json.dumps)
    typer.echo(f"profile {left} -> {right}: {len(lines)} differences" if lines else f"{left} and {right} are the same")
    for line in lines:
        typer.echo(line)


def _supports(mapper: Any) -> Any:
    def supports(instance: str, root: str) -> bool:
        try:
            return bool(mapper.supports(instance, root))
        except Exception:  # an instance the symbol map does not know trades nothing there
            return False

    return supports


@app.command("show")
def show(name: NameArg, config_dir: ConfigDirOpt = None, as_json: JsonOpt = False) -> None:
    """Print the effective profile after extends and environment overrides (secrets redacted)."""
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.config.loader import load_profile

    loaded = load_profile(name, config_dir, check_settings=validate_driver_settings)
    data = loaded.profile.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    from io import StringIO

    from ruamel.yaml import YAML

    buffer = StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(data, buffer)
    typer.echo(f"# effective profile {loaded.name} from: {', '.join(str(f) for f in loaded.files)}")
    typer.echo(buffer.getvalue().rstrip())


@app.command("list")
def list_profiles(config_dir: ConfigDirOpt = None) -> None:
    """List the profiles in the config directory."""
    from nexus_gw.config.loader import available_profiles, find_config_dir

    for name in available_profiles(find_config_dir(config_dir)):
        typer.echo(name)
