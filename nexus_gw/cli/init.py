"""``nexusgw init [DIR]``: write an editable copy of the shipped reference configuration."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from nexus_gw.errors import Refused


def reference_files(source: Path) -> list[Path]:
    """The reference configuration's files, relative to its directory (YAML only: no caches, no stray files)."""
    return sorted(p.relative_to(source) for p in source.rglob("*.yaml") if p.is_file())


def init(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write it (default: $NEXUSGW_CONFIG_DIR, else the user config directory, which every "
            "command finds from any working directory).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that are already there.")] = False,
) -> None:
    """Copy the reference configuration (gateway.yaml, instruments, symbols, profiles dev and stage1…stage4)
    into DIR for editing. Refuses to overwrite an existing file unless --force."""
    from nexus_gw.config.paths import CONFIG_DIR_ENV, base_data_dir, packaged_config_dir, user_config_dir

    source = packaged_config_dir()
    target = directory or (Path(os.environ[CONFIG_DIR_ENV]) if os.environ.get(CONFIG_DIR_ENV) else user_config_dir())
    target = target.expanduser().absolute()
    files = reference_files(source)
    existing = [f for f in files if (target / f).exists()]
    if existing and not force:
        shown = ", ".join(str(f) for f in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise Refused(
            f"{target} already has {shown}; nothing written. Edit those files, pick another directory, or pass "
            "--force to overwrite them with the reference versions"
        )
    for rel in files:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)
    typer.echo(f"wrote {len(files)} files to {target} (from {source})")
    if target == (Path.cwd() / "config").absolute():
        typer.echo(f"nexusgw commands run from {Path.cwd()} find it as ./config")
    elif target == user_config_dir().absolute():
        typer.echo("every nexusgw command finds it from any directory (unless --config-dir or ./config says else)")
    elif target != Path(os.environ.get(CONFIG_DIR_ENV, "")).expanduser().absolute():
        typer.echo(f"use it with: export {CONFIG_DIR_ENV}={target}   (or --config-dir {target})")
    typer.echo(f"journals and state go under {base_data_dir()} (gateway.data_dir; relative paths are under it)")
    typer.echo("next: nexusgw profile validate stage1   (then set NEXUSGW_PROFILE, e.g. export NEXUSGW_PROFILE=stage1)")
