"""A safe copy of the journal while the gateway writes it: SQLite's online backup API, verified, pruned, recorded.

``backup(journal, dest_dir)`` copies ``journal`` page by page with ``sqlite3.Connection.backup`` (which restarts by
itself when the gateway writes meanwhile, and includes what the WAL holds), into a temporary file that is checked
(``PRAGMA integrity_check``, row counts) and only then renamed to ``journal-YYYYMMDDTHHMMSSZ.sqlite3``. Backups beyond
the newest ``keep`` in that directory are deleted. ``record(data_dir, result)`` writes ``last-backup.json`` in the
data dir, which ``nexusgw check`` reads.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

PREFIX: Final = "journal-"
SUFFIX: Final = ".sqlite3"
RECORD: Final = "last-backup.json"
DEFAULT_KEEP: Final = 14
PAGES_PER_STEP: Final = 256
"""Pages copied per step: the gateway's writes interleave between steps instead of waiting for the whole copy."""


class BackupError(Exception):
    """The backup could not be made or did not verify; the message says what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: str
    at: str
    bytes: int
    rows: dict[str, int]
    pruned: list[str]


def backup_name(at: datetime) -> str:
    return f"{PREFIX}{at.astimezone(UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"


def backups_in(directory: Path) -> list[Path]:
    """The backups in ``directory``, oldest first (the names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def backup(journal: Path, dest_dir: Path, *, keep: int = DEFAULT_KEEP, now: datetime | None = None) -> BackupResult:
    if keep < 1:
        raise BackupError(f"keep must be at least 1 (was {keep})")
    if not journal.is_file():
        raise BackupError(f"no journal at {journal}; check --profile / the data dir (nothing to back up)")
    at = now or datetime.now(UTC)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / backup_name(at)
    partial = dest_dir / f".{final.name}.partial"
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=10.0)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target, pages=PAGES_PER_STEP)
            finally:
                target.close()
        finally:
            source.close()
        rows = verify(partial)
        os.replace(partial, final)
    except sqlite3.Error as exc:
        raise BackupError(f"backup of {journal} to {dest_dir} failed: {exc}; check the disk and permissions") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    pruned = [str(p) for p in backups_in(dest_dir)[:-keep]]
    for old in pruned:
        Path(old).unlink(missing_ok=True)
    return BackupResult(str(final), at.isoformat(), final.stat().st_size, rows, pruned)


def verify(path: Path) -> dict[str, int]:
    """Rows per table of the copy at ``path``; BackupError when SQLite finds it damaged."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(f"the copy {path} failed its integrity check: {'; '.join(result[:5])}")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    finally:
        conn.close()


def record(data_dir: Path, result: BackupResult) -> Path:
    """Write ``last-backup.json`` in the data dir (atomically) so the daily check sees the backup."""
    path = data_dir / RECORD
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(result), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def last_backup(data_dir: Path) -> tuple[datetime, str] | None:
    """When and where the last recorded backup was made (None: none recorded, or the file is gone)."""
    try:
        data = json.loads((data_dir / RECORD).read_text(encoding="utf-8"))
        at, where = datetime.fromisoformat(data["at"]), str(data["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (at, where) if Path(where).is_file() else None
