"""Options shared by several commands, defined once, and the checks that go with them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from nexus_gw.errors import UsageError

PROFILE_ENV = "NEXUSGW_PROFILE"

ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        envvar=PROFILE_ENV,
        show_envvar=True,
        help="Profile name in the config directory (dev, stage1…stage4) or a path to a YAML file. Required: "
        f"give it here or in ${PROFILE_ENV}.",
    ),
]
ConfigDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        help="Config directory (default: $NEXUSGW_CONFIG_DIR, else ./config, else the one `nexusgw init` wrote, "
        "else the reference config shipped with nexusgw).",
    ),
]


class LogFormat(StrEnum):
    """How a long-running process writes its log lines."""

    json = "json"
    text = "text"


LogFormatOpt = Annotated[
    LogFormat | None,
    typer.Option(
        "--log-format",
        case_sensitive=False,
        help="Log lines as json (one object a line, for collectors) or text (one readable line). Default: "
        "$NEXUSGW_LOG_FORMAT, else text on a terminal and json otherwise (services, supervisor, pipes).",
    ),
]
LogFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--log-file",
        help="Log to this file instead of stderr, rotated by size ($NEXUSGW_LOG_MAX_BYTES, default 20 MB; "
        "$NEXUSGW_LOG_BACKUPS old files, default 10). Default: $NEXUSGW_LOG_FILE, else stderr.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        "-e",
        help="The gateway's admin endpoint (else $NEXUSGW_ADMIN_ENDPOINT, else the profile's gateway.sockets.admin, "
        "else tcp://127.0.0.1:5557).",
    ),
]
AdminProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        envvar=PROFILE_ENV,
        help="Take the admin endpoint from this profile's gateway.sockets.admin (only that key is read; a broken "
        "profile falls back to the default with a warning).",
    ),
]


def require_profile(profile: str | None, config_dir: Path | None = None) -> str:
    """The profile to load; a UsageError naming the choices when none was given (no silent default)."""
    if profile:
        return profile
    known = ""
    try:
        from nexus_gw.config.loader import available_profiles, find_config_dir

        directory = find_config_dir(config_dir)
        known = f" (in {directory}: {', '.join(available_profiles(directory)) or 'none'})"
    except Exception:  # the message below is what matters; the list is a courtesy
        pass
    raise UsageError(
        f"no profile given: pass --profile NAME{known} or set {PROFILE_ENV}, e.g. export {PROFILE_ENV}=stage1"
    )


def announce_journal(path: Path, profile: str | None = None) -> None:
    """Say on stderr which journal a command reads or writes (stdout stays clean for --json and --csv -)."""
    of = f" (profile {profile})" if profile else ""
    typer.echo(f"journal: {path}{of}", err=True)
