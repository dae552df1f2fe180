"""The daily checklist, evaluated from facts: each item pass, warn or fail, with the reason and what to do.

Pure: ``evaluate(facts, when)`` reads a :class:`Facts` gathered elsewhere (``nexusgw check`` asks the gateway, reads
the profile, the journal, the disk and the backup record) and touches nothing. Which items run when:

============  =====================================================================================
``morning``   every item (before the open: the whole plan's morning list)
``session``   gateway, platforms, symbols, fx, disk, alerts (cheap, safe to run every few minutes)
``close``     gateway, platforms, disk, backup, alerts (after the close, once the backup ran)
============  =====================================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Literal

Status = Literal["pass", "warn", "fail"]

DISK_FAIL_BYTES: Final = 1_000_000_000
DISK_WARN_BYTES: Final = 5_000_000_000
BACKUP_MAX_AGE: Final = timedelta(hours=26)
"""A backup taken after yesterday's close is still fresh the next morning."""
ROLL_WARN: Final = timedelta(days=7)


@dataclass(frozen=True)
class Item:
    name: str
    status: Status
    reason: str
    action: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"item": self.name, "status": self.status, "reason": self.reason, "action": self.action}


@dataclass(frozen=True)
class Facts:
    """What the checklist looks at. ``gateway`` is the gateway's ``status`` answer, None when it did not answer."""

    now: datetime
    profile: str
    gateway: Mapping[str, Any] | None
    gateway_error: str = ""
    platforms: tuple[str, ...] = ()
    """The profile's enabled platform instances."""
    limits: Mapping[str, Any] = field(default_factory=dict)
    fx_needed: bool = False
    fx_max_age: timedelta = timedelta(hours=72)
    fronts: Mapping[str, str] = field(default_factory=dict)
    """Root → the front contract for ``now`` by the contract calendar."""
    rolls: Mapping[str, datetime] = field(default_factory=dict)
    """Root → when its current front contract rolls to the next."""
    data_dir: str = ""
    disk_free: int | None = None
    backup_at: datetime | None = None
    backup_path: str = ""
    alerts: tuple[Mapping[str, Any], ...] = ()
    """Alerts (severity, code, message, at) since the last check."""
    last_check: datetime | None = None


def _gateway(f: Facts) -> Item:
    if f.gateway is None:
        return Item("gateway", "fail", f"the gateway does not answer: {f.gateway_error}", _START)
    return Item("gateway", "pass", f"up {float(f.gateway.get('uptime_s', 0)):.0f}s, profile {f.gateway.get('profile')}")


_START: Final = "start it (supervisorctl start nexusgw:gateway, or systemctl start nexusgw-gateway) and check its log"


def _platforms(f: Facts) -> Item:
    if f.gateway is None:
        return Item("platforms", "fail", "unknown: the gateway is down", _START)
    seen = f.gateway.get("platforms") or {}
    down = [name for name in f.platforms if not (seen.get(name) or {}).get("online")]
    if down:
        return Item(
            "platforms",
            "fail",
            f"offline: {', '.join(down)}",
            "check each adapter's log and its platform (terminal running, logged in, DTC server on)",
        )
    return Item("platforms", "pass", f"all {len(f.platforms)} online: {', '.join(f.platforms)}")


def _symbols(f: Facts) -> Item:
    if f.gateway is None:
        return Item("symbols", "fail", "unknown: the gateway is down", _START)
    unknown: list[str] = []
    unverified: list[str] = []
    for name in f.platforms:
        for check in ((f.gateway.get("platforms") or {}).get(name) or {}).get("symbols") or []:
            if check.get("known") is False:
                unknown.append(f"{name} {check.get('symbol')}: {check.get('reason')}")
            elif check.get("known") is None:
                unverified.append(f"{name} {check.get('symbol')}")
    if unknown:
        return Item("symbols", "fail", "; ".join(unknown), "change the named setting, then restart the adapter")
    if unverified:
        return Item("symbols", "warn", f"not verified with the platform: {', '.join(unverified)}", "")
    return Item("symbols", "pass", "every subscribed symbol is known to its platform")


def _risk(f: Facts) -> Item:
    problems = []
    for key in ("max_position_per_symbol", "max_total_positions", "max_daily_trades", "max_daily_loss_usd"):
        value = f.limits.get(key)
        if value is None or value <= 0:
            problems.append(f"{key} is {value!r}")
    loss = f.limits.get("max_daily_loss_usd")
    if isinstance(loss, int | float) and loss >= 1_000_000:
        problems.append(f"max_daily_loss_usd {loss:g} is absurd")
    if problems:
        return Item("risk limits", "fail", "; ".join(problems), f"set risk.limits in profile {f.profile}")
    shown = ", ".join(f"{k} {f.limits.get(k)}" for k in ("max_position_per_symbol", "max_daily_loss_usd"))
    return Item("risk limits", "pass", shown)


def _fx(f: Facts) -> Item:
    fx = (f.gateway or {}).get("fx") or {}
    bad = "fail" if f.fx_needed else "warn"
    if f.gateway is None:
        return Item("fx", bad, "unknown: the gateway is down", _START)
    if "unavailable" in fx or "as_of" not in fx:
        return Item("fx", bad, f"no USD/BRL rate: {fx.get('unavailable', 'none')}", "nexusgw fx set, or stream WDO")
    age = f.now - datetime.fromisoformat(str(fx["as_of"]))
    if age > f.fx_max_age:
        return Item("fx", bad, f"USD/BRL {fx.get('rate')} is {age} old (max {f.fx_max_age})", "nexusgw fx set")
    return Item("fx", "pass", f"USD/BRL {fx.get('rate')} from {fx.get('source')}, {age} old")


def _contracts(f: Facts) -> Item:
    seen = (f.gateway or {}).get("front_contracts") or {}
    wrong = [
        f"{root} {seen[root]} (today {code})" for root, code in f.fronts.items() if root in seen and seen[root] != code
    ]
    due = [f"{root} {at:%a %d %b %H:%M} UTC" for root, at in f.rolls.items() if f.now <= at <= f.now + ROLL_WARN]
    if wrong:
        return Item(
            "contracts", "fail", f"the gateway trades {', '.join(wrong)}", "restart the gateway; check its clock"
        )
    fronts = ", ".join(f"{r} {c}" for r, c in f.fronts.items()) or "no expiring roots"
    if due:
        return Item("contracts", "warn", f"fronts {fronts}; rolls due this week: {', '.join(due)}", "nexusgw rollover")
    return Item("contracts", "pass", f"fronts {fronts}; no roll this week")


def _disk(f: Facts) -> Item:
    if f.disk_free is None:
        return Item("disk", "fail", f"cannot read free space of {f.data_dir}", "create the data dir")
    free = f"{f.disk_free / 1e9:.1f} GB free at {f.data_dir}"
    if f.disk_free < DISK_FAIL_BYTES:
        return Item("disk", "fail", free, "free space now: the journal stops orders when it cannot write")
    if f.disk_free < DISK_WARN_BYTES:
        return Item("disk", "warn", free, "free some space (old logs, old backups)")
    return Item("disk", "pass", free)


def _backup(f: Facts) -> Item:
    if f.backup_at is None:
        return Item("backup", "fail", "no journal backup recorded", "nexusgw backup (and schedule it after the close)")
    age = f.now - f.backup_at
    if age > BACKUP_MAX_AGE:
        return Item("backup", "fail", f"last backup {f.backup_path} is {age} old", "nexusgw backup")
    return Item("backup", "pass", f"{f.backup_path}, {age} old")


def _alerts(f: Facts) -> Item:
    since = f"since {f.last_check:%Y-%m-%d %H:%M} UTC" if f.last_check else "(first check)"
    critical = [a for a in f.alerts if a.get("severity") == "CRITICAL"]
    shown = "; ".join(f"{a.get('severity')} {a.get('code')}: {a.get('message')}" for a in f.alerts[-5:])
    if critical:
        return Item("alerts", "fail", f"{len(critical)} critical of {len(f.alerts)} alerts {since}: {shown}", _LOG)
    if f.alerts:
        return Item("alerts", "warn", f"{len(f.alerts)} alerts {since}: {shown}", _LOG)
    return Item("alerts", "pass", f"no alerts {since}")


_LOG: Final = "read them (nexusgw status; the gateway log) and act before trading"

ITEMS: Final[dict[str, Callable[[Facts], Item]]] = {
    "gateway": _gateway,
    "platforms": _platforms,
    "symbols": _symbols,
    "risk": _risk,
    "fx": _fx,
    "contracts": _contracts,
    "disk": _disk,
    "backup": _backup,
    "alerts": _alerts,
}
WHEN: Final[dict[str, tuple[str, ...]]] = {
    "morning": tuple(ITEMS),
    "session": ("gateway", "platforms", "symbols", "fx", "disk", "alerts"),
    "close": ("gateway", "platforms", "disk", "backup", "alerts"),
}


def evaluate(facts: Facts, when: str = "morning") -> list[Item]:
    """The items of ``when`` (morning, session, close), in order."""
    return [ITEMS[name](facts) for name in WHEN[when]]


def failed(items: list[Item]) -> bool:
    return any(item.status == "fail" for item in items)
