"""``nexusgw check``: the plan's daily checklist, every item a program can verify; exit 1 if any fails.

Facts are gathered here (the gateway's status over the admin socket, the profile, the contract calendar, the disk,
the backup record, the journal's alerts) and judged by the pure ``nexus_gw.monitor.checklist``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt, ProfileOpt
from nexus_gw.errors import NexusGwError
from nexus_gw.monitor.checklist import WHEN, Facts, Item, evaluate, failed

log = logging.getLogger(__name__)

LAST_CHECK = "last-check.json"
_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


def check(
    when: Annotated[
        str, typer.Option("--when", help="morning (every item), session (live items) or close (incl. the backup).")
    ] = "morning",
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the daily checklist: gateway up, platforms connected, symbols known to each platform, risk limits set,
    FX rate fresh, front contracts right and rolls due this week, disk space, journal backed up, alerts since the
    last check. Prints each item PASS/WARN/FAIL with the reason and what to do; exits 1 if any item fails (for cron
    and the systemd timer)."""
    from nexus_gw.errors import CheckFailed, UsageError

    if when not in WHEN:
        raise UsageError(f"--when {when!r}: use one of {', '.join(WHEN)}")
    from nexus_gw.cli.options import require_profile

    facts, data_dir = gather(require_profile(profile, config_dir), config_dir)
    items = evaluate(facts, when)
    _remember(data_dir, facts.now)
    if as_json:
        report = {"when": when, "profile": facts.profile, "ok": not failed(items)}
        typer.echo(json.dumps({**report, "items": [i.to_dict() for i in items]}, indent=2))
    else:
        typer.echo(render(items, when, facts.profile))
    if failed(items):
        names = ", ".join(i.name for i in items if i.status == "fail")
        raise CheckFailed(f"daily check ({when}) failed: {names}; see the actions above")


def render(items: list[Item], when: str, profile: str) -> str:
    lines = [f"Daily check ({when}), profile {profile}:"]
    for item in items:
        lines.append(f"  {_MARK[item.status]}  {item.name:<12} {item.reason}")
        if item.action and item.status != "pass":
            lines.append(f"        {'':<12} → {item.action}")
    lines.append("FAILED" if failed(items) else "OK")
    return "\n".join(lines)


def gather(profile: str, config_dir: Path | None) -> tuple[Facts, Path]:
    from nexus_gw.cli.keys import profile_admin_options
    from nexus_gw.client.admin import admin_request
    from nexus_gw.config.loader import load_profile
    from nexus_gw.domain.contracts import front_contract
    from nexus_gw.journal.backup import last_backup

    loaded = load_profile(profile, config_dir)
    prof = loaded.profile
    data_dir = prof.gateway.data_dir.resolve()
    status: dict[str, Any] | None = None
    error = ""
    try:
        status = admin_request(
            prof.gateway.sockets.admin, "status", timeout_s=2.0, tries=1, **profile_admin_options(loaded)
        )
    except NexusGwError as exc:
        error = str(exc)
    now = datetime.now(UTC)
    clock = datetime.fromisoformat(str(status["clock"])) if status and status.get("clock") else now
    instruments = loaded.reference.instruments
    fronts: dict[str, str] = {}
    rolls: dict[str, datetime] = {}
    for root in prof.symbols:
        instrument = instruments.get(root)
        if instrument.is_expiring:
            contract = front_contract(instrument, clock)
            fronts[root], rolls[root] = contract.code, contract.roll_at
    last = _last_check(data_dir)
    backup = last_backup(data_dir)
    facts = Facts(
        now=now,
        profile=prof.name,
        gateway=status,
        gateway_error=error,
        platforms=tuple(prof.enabled_platforms()),
        limits=prof.risk.limits.model_dump(),
        fx_needed=any(instruments.get(r).currency != "USD" for r in prof.symbols),
        fx_max_age=prof.fx.max_age,
        fronts=fronts,
        rolls={r: at for r, at in rolls.items()},
        data_dir=str(data_dir),
        disk_free=_free(data_dir),
        backup_at=backup[0] if backup else None,
        backup_path=backup[1] if backup else "",
        alerts=tuple(_alerts(data_dir, status, last)),
        last_check=last,
    )
    return facts, data_dir


def _free(path: Path) -> int | None:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return None


def _alerts(data_dir: Path, status: dict[str, Any] | None, since: datetime | None) -> list[dict[str, Any]]:
    """Alerts since ``since``: the journal's (every one recorded), else the running gateway's newest."""
    from nexus_gw.journal import Journal, journal_path
    from nexus_gw.monitor.alerts import ALERT_EVENT

    path = journal_path(data_dir)
    if path.is_file():
        try:
            with Journal.open(path, readonly=True) as journal:
                return [dict(e.data) for e in journal.events(ALERT_EVENT, since=since)]
        except (sqlite3.Error, OSError, NexusGwError) as exc:  # the journal item of a person; the gateway's view here
            log.warning("cannot read alerts from %s (%s); using the gateway's newest", path, exc)
    recent = (status or {}).get("alerts") or []
    return [a for a in recent if since is None or datetime.fromisoformat(str(a.get("at"))) >= since]


def _last_check(data_dir: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads((data_dir / LAST_CHECK).read_text(encoding="utf-8"))["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remember(data_dir: Path, at: datetime) -> None:
    with contextlib.suppress(OSError):  # a data dir that does not exist yet: the disk item says so
        (data_dir / LAST_CHECK).write_text(json.dumps({"at": at.isoformat()}), encoding="utf-8")
