"""Offline platforms: pause (default) or reroute; never-reported platforms count as offline."""

from __future__ import annotations

from nexus_gw.domain.risk import Action, AlertCode, ReasonCode, RiskEngine, Severity, Side
from tests.unit.domain.risk.helpers import T0, config, engine, intent


def _one_offline(policy: str = "pause") -> RiskEngine:
    eng = engine(config(connection={"offline_platform": policy}))
    eng.on_platform_status("sim_b", False, T0)
    return eng


def test_pause_policy_rejects_entries_while_a_target_platform_is_offline() -> None:
    decision = _one_offline().check(intent(1), T0)
    assert decision.reason is ReasonCode.PLATFORM_OFFLINE
    assert "sim_b" in decision.message and "offline_platform: reroute" in decision.message


def test_pause_policy_sends_exits_to_the_connected_platforms() -> None:
    decision = _one_offline().check(intent(1, Side.SELL, position=1), T0)
    assert decision.action is Action.ACCEPT and decision.platforms == ("sim_a",)


def test_pause_policy_cuts_a_reversal_to_its_closing_part_on_connected_platforms() -> None:
    decision = _one_offline().check(intent(3, Side.SELL, position=1), T0)
    assert (decision.action, decision.qty, decision.platforms) == (Action.SCALE, 1, ("sim_a",))


def test_reroute_policy_sends_entries_to_the_connected_platforms_and_says_so() -> None:
    decision = _one_offline("reroute").check(intent(2), T0)
    assert (decision.action, decision.qty, decision.platforms) == (Action.ACCEPT, 2, ("sim_a",))
    assert decision.adjustments[0].reason is ReasonCode.PLATFORM_OFFLINE
    assert "sim_b offline" in decision.message


def test_no_connected_platform_rejects_every_order() -> None:
    eng = _one_offline("reroute")
    eng.on_platform_status("sim_a", False, T0)
    assert eng.check(intent(1, Side.SELL, position=1), T0).reason is ReasonCode.PLATFORM_OFFLINE


def test_platform_never_reported_counts_as_offline() -> None:
    decision = engine().check(intent(1, platforms=("sim_a", "mt5_global")), T0)
    assert decision.reason is ReasonCode.PLATFORM_OFFLINE


def test_disconnect_and_reconnect_raise_one_alert_each() -> None:
    eng = engine()
    alerts = eng.on_platform_status("sim_a", False, T0)
    assert [(a.severity, a.code) for a in alerts] == [(Severity.CRITICAL, AlertCode.PLATFORM_OFFLINE)]
    assert eng.on_platform_status("sim_a", False, T0) == []
    assert [a.code for a in eng.on_platform_status("sim_a", True, T0)] == [AlertCode.PLATFORM_ONLINE]


def test_disconnect_under_reroute_is_a_warning() -> None:
    eng = engine(config(connection={"offline_platform": "reroute"}))
    assert eng.on_platform_status("sim_a", False, T0)[0].severity is Severity.WARNING
