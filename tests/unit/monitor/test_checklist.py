"""The daily checklist judged from facts: each item's pass/warn/fail, its reason and action, and --when."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nexus_gw.monitor.checklist import WHEN, Facts, evaluate, failed

NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def status(**platforms: Any) -> dict[str, Any]:
    return {
        "profile": "stage3",
        "uptime_s": 3600.0,
        "clock": NOW.isoformat(),
        "front_contracts": {"NQ": "NQZ26"},
        "fx": {"pair": "USD/BRL", "rate": 5.4, "as_of": (NOW - timedelta(hours=1)).isoformat(), "source": "wdo"},
        "platforms": platforms
        or {"sierra": {"online": True, "symbols": [{"symbol": "NQZ26_FUT_CME", "root": "NQ", "known": True}]}},
    }


GOOD = Facts(
    now=NOW,
    profile="stage3",
    gateway=status(),
    platforms=("sierra",),
    limits={
        "max_position_per_symbol": 2,
        "max_total_positions": 6,
        "max_daily_trades": 20,
        "max_daily_loss_usd": 1000.0,
    },
    fx_needed=True,
    fronts={"NQ": "NQZ26"},
    rolls={"NQ": NOW + timedelta(days=30)},
    data_dir="/var/lib/nexusgw",
    disk_free=50_000_000_000,
    backup_at=NOW - timedelta(hours=14),
    backup_path="/var/lib/nexusgw/backups/journal-20261206T230000Z.sqlite3",
    last_check=NOW - timedelta(hours=1),
)


def by_name(facts: Facts, when: str = "morning") -> dict[str, Any]:
    return {item.name: item for item in evaluate(facts, when)}


def test_a_healthy_morning_passes_every_item() -> None:
    items = evaluate(GOOD, "morning")
    assert [i.name for i in items] == [
        "gateway", "platforms", "symbols", "risk limits", "fx", "contracts", "disk", "backup", "alerts",
    ]  # fmt: skip
    assert {i.status for i in items} == {"pass"} and not failed(items)


def test_when_selects_the_items() -> None:
    assert [i.name for i in evaluate(GOOD, "session")] == ["gateway", "platforms", "symbols", "fx", "disk", "alerts"]
    assert "backup" in [i.name for i in evaluate(GOOD, "close")]
    assert set(WHEN) == {"morning", "session", "close"}


def test_a_gateway_that_does_not_answer_fails_every_item_that_needs_it_with_how_to_start_it() -> None:
    items = by_name(replace(GOOD, gateway=None, gateway_error="not answering on tcp://127.0.0.1:5557"))
    assert items["gateway"].status == "fail" and "not answering" in items["gateway"].reason
    assert "supervisorctl start" in items["gateway"].action
    assert items["platforms"].status == items["symbols"].status == items["fx"].status == "fail"
    assert items["risk limits"].status == "pass"  # from the profile, not the gateway


def test_an_offline_platform_and_a_symbol_the_platform_lacks_fail_naming_them() -> None:
    facts = replace(
        GOOD,
        platforms=("sierra", "mt5_global"),
        gateway=status(
            sierra={
                "online": True,
                "symbols": [
                    {"symbol": "NQZ26", "root": "NQ", "known": False, "reason": "set ...symbol_template: sierra"}
                ],
            },
            mt5_global={"online": False, "symbols": []},
        ),
    )
    items = by_name(facts)
    assert items["platforms"].status == "fail" and items["platforms"].reason == "offline: mt5_global"
    assert (
        items["symbols"].status == "fail" and "sierra NQZ26: set ...symbol_template: sierra" in items["symbols"].reason
    )


def test_unverified_symbols_warn() -> None:
    facts = replace(GOOD, gateway=status(sierra={"online": True, "symbols": [{"symbol": "NQZ26", "known": None}]}))
    assert by_name(facts)["symbols"].status == "warn"


@pytest.mark.parametrize(
    ("limits", "why"),
    [({"max_position_per_symbol": 0}, "max_position_per_symbol is 0"), ({"max_daily_loss_usd": 5e6}, "absurd")],
)
def test_risk_limits_that_are_unset_or_absurd_fail(limits: dict[str, Any], why: str) -> None:
    item = by_name(replace(GOOD, limits={**GOOD.limits, **limits}))["risk limits"]
    assert item.status == "fail" and why in item.reason and "risk.limits" in item.action


def test_a_stale_or_missing_fx_rate_fails_when_brl_is_traded_and_warns_otherwise() -> None:
    stale = status()
    stale["fx"] = {**stale["fx"], "as_of": (NOW - timedelta(days=4)).isoformat()}
    assert by_name(replace(GOOD, gateway=stale))["fx"].status == "fail"
    assert by_name(replace(GOOD, gateway=stale, fx_needed=False))["fx"].status == "warn"
    missing = {**status(), "fx": {"pair": "USD/BRL", "unavailable": "no rate yet"}}
    assert "no rate yet" in by_name(replace(GOOD, gateway=missing))["fx"].reason


def test_a_wrong_front_contract_fails_and_a_roll_this_week_warns() -> None:
    wrong = {**status(), "front_contracts": {"NQ": "NQU26"}}
    item = by_name(replace(GOOD, gateway=wrong))["contracts"]
    assert item.status == "fail" and "NQ NQU26 (today NQZ26)" in item.reason
    soon = by_name(replace(GOOD, rolls={"NQ": NOW + timedelta(days=3)}))["contracts"]
    assert soon.status == "warn" and "rolls due this week: NQ" in soon.reason


def test_disk_backup_and_alerts() -> None:
    assert by_name(replace(GOOD, disk_free=500_000_000))["disk"].status == "fail"
    assert by_name(replace(GOOD, disk_free=3_000_000_000))["disk"].status == "warn"
    assert by_name(replace(GOOD, backup_at=None))["backup"].status == "fail"
    assert by_name(replace(GOOD, backup_at=NOW - timedelta(days=2)))["backup"].status == "fail"
    warning = {"severity": "WARNING", "code": "STUCK_ORDER", "message": "o1 stuck"}
    critical = {"severity": "CRITICAL", "code": "RECONCILE", "message": "position mismatch"}
    assert by_name(replace(GOOD, alerts=(warning,)))["alerts"].status == "warn"
    item = by_name(replace(GOOD, alerts=(warning, critical)))["alerts"]
    assert item.status == "fail" and "RECONCILE: position mismatch" in item.reason
