"""The arguments MT5 filters by: groups (``symbols_get(group="*NAS*,!*EUR*")``: comma-separated wildcards, ``!``
excludes) and dates (a datetime, naive ones read as UTC, or epoch seconds)."""

from __future__ import annotations

from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any


def matches(group: str, name: str) -> bool:
    """True when ``name`` matches one of the included patterns of ``group`` and none of its ``!`` exclusions."""
    patterns = [p.strip() for p in group.split(",") if p.strip()]
    included = [p for p in patterns if not p.startswith("!")]
    excluded = [p[1:] for p in patterns if p.startswith("!")]
    if any(fnmatchcase(name.upper(), p.upper()) for p in excluded):
        return False
    return any(fnmatchcase(name.upper(), p.upper()) for p in included) if included else True


def seconds(value: Any) -> float:
    """A date argument (datetime, naive ones read as UTC, or epoch seconds) as epoch seconds."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return float(value)
