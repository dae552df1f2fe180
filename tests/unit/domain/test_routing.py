from __future__ import annotations

from nexus_gw.domain.routing import PlatformView, plan_route
from nexus_gw.protocol.constants import OrderType

ALL = frozenset(OrderType)


def view(name: str, online: bool = True, trades: bool = True, types: frozenset[OrderType] = ALL) -> PlatformView:
    return PlatformView(name, online, trades, types)


def test_every_online_platform_that_trades_the_root_gets_a_leg() -> None:
    plan = plan_route(
        "NQ", OrderType.MARKET, [view("nt8"), view("sierra"), view("mt5_brazil", trades=False)], "reroute"
    )
    assert plan.platforms == ("nt8", "sierra")
    assert not plan.refused


def test_offline_platform_is_skipped_and_reported_with_route_to_rest() -> None:
    plan = plan_route("NQ", OrderType.MARKET, [view("nt8"), view("sierra", online=False)], "reroute")
    assert plan.platforms == ("nt8",)
    assert plan.skipped == ("sierra",)


def test_offline_platform_refuses_the_order_with_refuse_policy() -> None:
    plan = plan_route("NQ", OrderType.MARKET, [view("nt8"), view("sierra", online=False)], "pause")
    assert plan.refused
    assert "sierra offline" in plan.refusal


def test_platform_without_the_order_type_gets_no_leg() -> None:
    plan = plan_route("NQ", OrderType.STOP, [view("nt8"), view("mt5", types=frozenset({OrderType.MARKET}))], "reroute")
    assert plan.platforms == ("nt8",)


def test_no_platform_trading_the_root_is_a_refusal_naming_the_root() -> None:
    plan = plan_route("WIN", OrderType.MARKET, [view("nt8", trades=False)], "reroute")
    assert plan.refusal == "no configured platform trades WIN"


def test_all_candidates_offline_is_a_refusal_that_names_them() -> None:
    plan = plan_route("NQ", OrderType.LIMIT, [view("nt8", online=False)], "reroute")
    assert plan.refused and "offline: nt8" in plan.refusal
