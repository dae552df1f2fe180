"""``nexusgw backup``: copy the journal safely while the gateway runs, verify the copy, keep the newest N."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt, ProfileOpt


def backup(
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    to: Annotated[
        Path | None, typer.Option("--to", help="Directory for the backups (default: <data_dir>/backups).")
    ] = None,
    keep: Annotated[int, typer.Option("--keep", min=1, help="How many backups to keep in that directory.")] = 14,
    as_json: JsonOpt = False,
) -> None:
    """Back up the journal with SQLite's online backup (safe while the gateway writes), check the copy's
    integrity, name it journal-<UTC time>.sqlite3, delete all but the newest --keep, and record it in the data dir
    (last-backup.json) for `nexusgw check`. Exits 1 if the backup fails."""
    from nexus_gw.cli.options import announce_journal, require_profile
    from nexus_gw.config.loader import load_profile
    from nexus_gw.errors import CheckFailed
    from nexus_gw.journal import journal_path
    from nexus_gw.journal.backup import BackupError, record
    from nexus_gw.journal.backup import backup as make_backup

    loaded = load_profile(require_profile(profile, config_dir), config_dir)
    data_dir = loaded.profile.gateway.data_dir.resolve()
    journal = journal_path(data_dir)
    announce_journal(journal, loaded.name)
    try:
        result = make_backup(journal, (to or data_dir / "backups").resolve(), keep=keep)
    except BackupError as exc:
        raise CheckFailed(str(exc)) from None
    record(data_dir, result)
    if as_json:
        typer.echo(json.dumps(result.__dict__, indent=2))
        return
    rows = ", ".join(f"{t} {n}" for t, n in result.rows.items())
    typer.echo(f"backed up to {result.path} ({result.bytes:,} bytes; integrity ok; rows: {rows})")
    for old in result.pruned:
        typer.echo(f"  removed old backup {old}")
