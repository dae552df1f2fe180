"""The alert rules fire on the figures they describe, after their for_s, and not otherwise."""

from __future__ import annotations

import copy
from typing import Any

from nexus_gw.config.monitoring import AlertsConfig, Rule, Rules
from nexus_gw.monitor.rules import Evaluator, gateway_offline

BASE: dict[str, Any] = {
    "latency": {"signal_to_fill_p95_1m_seconds": 0.02},
    "platforms": {"nt8": {"online": True}, "sierra": {"online": True}},
    "trading": {"daily_pnl_usd": -10.0, "daily_loss_limit_usd": 1000.0, "kill_switch": False},
    "counts": {"orders": 100, "errors": 0, "housekeeping_errors": 0, "reconcile_alerts": 0},
    "fill_rate": 0.97,
    "process": {"resident_memory_bytes": 200 * 2**20},
    "fx": {"usable": True, "required": True},
}


def figures(**changes: Any) -> dict[str, Any]:
    fig = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = fig
        for p in parents:
            node = node[p]
        node[leaf] = value
    return fig


def evaluator(**rules: Rule) -> Evaluator:
    return Evaluator(dict(Rules(**rules)), AlertsConfig().min_orders)


def codes(firings: list[Any]) -> list[str]:
    return sorted(f.code for f in firings)


def test_healthy_figures_raise_nothing() -> None:
    assert evaluator().evaluate(figures(), 0.0) == []


def test_each_plan_rule_fires_on_its_condition_with_the_profile_severity() -> None:
    ev = evaluator(low_fill_rate_pct=Rule(severity="CRITICAL", threshold=95.0))
    assert codes(ev.evaluate(figures(latency__signal_to_fill_p95_1m_seconds=0.25), 0.0)) == ["HIGH_LATENCY_MS"]
    (fill,) = ev.evaluate(figures(fill_rate=0.9), 1.0)
    assert fill.code == "LOW_FILL_RATE_PCT" and fill.severity == "CRITICAL" and "90.0%" in fill.message
    assert codes(ev.evaluate(figures(process__resident_memory_bytes=13 * 2**30), 2.0)) == ["MEMORY_MB"]
    (loss,) = ev.evaluate(figures(trading__daily_pnl_usd=-1000.0, trading__kill_switch=True), 3.0)
    assert loss.code == "DAILY_LOSS_USD" and "kill switch is active" in loss.message
    assert codes(ev.evaluate(figures(counts__reconcile_alerts=1), 4.0)) == ["RECONCILIATION_MISMATCH"]
    assert ev.evaluate(figures(counts__reconcile_alerts=1), 5.0) == []  # only new mismatches count


def test_fill_rate_waits_for_enough_orders() -> None:
    assert evaluator().evaluate(figures(fill_rate=0.5, counts__orders=3), 0.0) == []


def test_platform_offline_fires_only_after_its_threshold_per_platform() -> None:
    ev = evaluator(platform_offline_s=Rule(severity="CRITICAL", threshold=5.0))  # the threshold is the duration
    off = figures(platforms__sierra={"online": False})
    assert ev.evaluate(off, 100.0) == []
    assert ev.evaluate(off, 104.9) == []
    (firing,) = ev.evaluate(off, 105.0)
    assert firing.subject == "sierra" and firing.key == "rule:platform_offline_s:sierra"
    assert ev.evaluate(figures(), 106.0) == []  # back online: the clock restarts
    assert ev.evaluate(off, 107.0) == []


def test_error_rate_counts_errors_of_the_last_hour_only() -> None:
    ev = evaluator()
    assert ev.evaluate(figures(counts__errors=5), 0.0) == []
    assert codes(ev.evaluate(figures(counts__errors=16), 600.0)) == ["ERROR_RATE_PER_H"]
    assert ev.evaluate(figures(counts__errors=16), 4000.0) == []  # the burst is over an hour old


def test_stale_fx_needs_for_s_and_only_when_fx_is_required() -> None:
    ev = evaluator(stale_fx=Rule(severity="WARNING", for_s=60.0))
    assert ev.evaluate(figures(fx={"usable": False, "required": True}), 0.0) == []
    assert codes(ev.evaluate(figures(fx={"usable": False, "required": True}), 60.0)) == ["STALE_FX"]
    assert ev.evaluate(figures(fx={"usable": False, "required": False}), 200.0) == []


def test_a_disabled_rule_never_fires() -> None:
    ev = evaluator(memory_mb=Rule(enabled=False, threshold=1.0))
    assert ev.evaluate(figures(), 0.0) == []


def test_gateway_offline_is_the_watchers_rule() -> None:
    rule = Rules().gateway_offline_s
    assert gateway_offline(rule, 9.9, "tcp://127.0.0.1:5557") is None
    firing = gateway_offline(rule, 10.0, "tcp://127.0.0.1:5557")
    assert firing is not None and firing.code == "GATEWAY_OFFLINE_S" and firing.severity == "CRITICAL"


def test_an_episode_fires_once_then_every_repeat_and_a_cleared_condition_is_resolved() -> None:
    ev = Evaluator(dict(Rules()), repeat_s=900.0)
    hot = figures(process__resident_memory_bytes=13 * 2**30)
    assert codes(ev.evaluate(hot, 0.0)) == ["MEMORY_MB"]
    assert ev.evaluate(hot, 1.0) == [] and ev.evaluate(hot, 899.0) == []
    assert codes(ev.evaluate(hot, 900.0)) == ["MEMORY_MB"]  # still there: reminded
    assert ev.evaluate(figures(), 901.0) == [] and ev.resolved == ["rule:memory_mb:gateway"]
    assert codes(ev.evaluate(hot, 902.0)) == ["MEMORY_MB"]  # a new episode, not a repeat
