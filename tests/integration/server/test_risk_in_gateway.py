"""Risk controls enforced by the gateway over real sockets: refusals with reasons, daily-loss breaker, approvals."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from nexus_gw.client.admin import admin_request
from nexus_gw.errors import Refused
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration
PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def signal(cid: str, direction: float = 1.0, confidence: float = 0.9, **kw: object) -> m.Signal:
    return m.Signal(client_id=cid, symbol="NQ", signal=direction, confidence=confidence, qty=1, **kw)


def fill_next(platform: RawPeer, price: float) -> m.Order:
    _, order = platform.recv()
    platform.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id=order.leg_id, qty=order.qty, price=price))
    return order


def test_low_confidence_and_poor_market_quality_reach_nexus_as_rejections_with_reasons(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("weak", confidence=0.6))
    _, refused = nexus_peer.recv()
    assert refused.status is OrderStatus.REJECTED and refused.final
    assert refused.reason.startswith("RISK_LOW_CONFIDENCE")
    nexus_peer.send(MsgType.SIGNAL, signal("noisy", mqscore=m.MQScore(composite=0.9, noise=0.8)))
    assert nexus_peer.recv()[1].reason.startswith("RISK_MARKET_QUALITY")


def test_medium_confidence_halves_the_size(nexus_peer: RawPeer, platform_peer_factory: PlatformFactory) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="half", symbol="NQ", signal=1, confidence=0.7, qty=2))
    _, update = nexus_peer.recv()
    assert update.qty == 1 and update.reason.startswith("scaled")
    assert nt8.recv()[1].qty == 1


@pytest.mark.parametrize("gateway_env", [{"NEXUSGW_RISK__LIMITS__MAX_DAILY_LOSS_USD": "150"}], indirect=True)
def test_daily_loss_breach_alerts_critically_and_activates_the_kill_switch(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("open"))
    fill_next(nt8, 21000.0)
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    nexus_peer.send(MsgType.SIGNAL, signal("close", direction=-1))
    fill_next(nt8, 20990.0)  # 10 points x $20 = -$200, over the test limit of $150
    closed = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
    assert closed.realized_pnl_usd == pytest.approx(-200.0)
    time.sleep(0.2)
    status = admin_request(endpoints.admin, "status")
    assert status["risk"]["kill_switch"]["active"]
    codes = {(a["severity"], a["code"]) for a in status["alerts"]}
    assert ("CRITICAL", "DAILY_LOSS_LIMIT") in codes
    nexus_peer.send(MsgType.SIGNAL, signal("after"))
    assert "KILL_SWITCH" in nexus_peer.recv()[1].reason


def test_kill_switch_from_admin_cancels_working_legs_and_only_release_lifts_it(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("resting", order_type="LIMIT", limit_price=1.0))
    nexus_peer.recv()
    _, order = nt8.recv()
    result = admin_request(endpoints.admin, "killswitch.activate", {"reason": "drill", "who": "test"})
    assert result["cancel_requested_legs"] == 1 and result["kill_switch"]["active"]
    msg_type, cancel = nt8.recv()
    assert msg_type is MsgType.CANCEL and cancel.leg_id == order.leg_id
    nt8.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status=OrderStatus.CANCELLED))
    cancelled = nexus_peer.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.final)[-1][1]
    assert cancelled.status is OrderStatus.CANCELLED
    nexus_peer.send(MsgType.SIGNAL, signal("blocked", direction=-1))
    blocked = nexus_peer.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.client_id == "blocked")[-1][1]
    assert blocked.reason.startswith("RISK_KILL_SWITCH")
    assert admin_request(endpoints.admin, "killswitch.status")["kill_switch"]["active"]
    admin_request(endpoints.admin, "killswitch.release", {"reason": "drill over", "who": "test"})
    assert not admin_request(endpoints.admin, "killswitch.status")["kill_switch"]["active"]


def test_unknown_approval_is_refused(running_gateway: object, endpoints: Endpoints) -> None:
    with pytest.raises(Refused, match="apr-404"):
        admin_request(endpoints.admin, "approvals.approve", {"id": "apr-404"})


APPROVALS = {"NEXUSGW_RISK__AUTO_EXECUTE": "false", "NEXUSGW_RISK__APPROVAL_EXPIRY_SECONDS": "1"}


@pytest.mark.parametrize("gateway_env", [APPROVALS], indirect=True)
def test_approval_mode_holds_orders_until_an_operator_approves(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("ask"))
    _, waiting = nexus_peer.recv()
    assert waiting.status is OrderStatus.NEW and not waiting.final
    assert waiting.reason.startswith("AWAITING_APPROVAL: apr-")
    with pytest.raises(TimeoutError):
        nt8.recv(timeout_s=0.3)
    (pending,) = admin_request(endpoints.admin, "approvals.list")["pending"]
    approved = admin_request(endpoints.admin, "approvals.approve", {"id": pending["id"], "who": "desk"})
    assert approved["order_id"] == waiting.order_id
    assert nt8.recv()[0] is MsgType.ORDER


@pytest.mark.parametrize("gateway_env", [APPROVALS], indirect=True)
def test_rejected_and_expired_approvals_reach_nexus_as_rejections(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("no"))
    nexus_peer.recv()
    (pending,) = admin_request(endpoints.admin, "approvals.list")["pending"]
    admin_request(endpoints.admin, "approvals.reject", {"id": pending["id"], "who": "desk", "note": "not today"})
    rejected = nexus_peer.recv()[1]
    assert rejected.final and rejected.status is OrderStatus.REJECTED and "not today" in rejected.reason
    nexus_peer.send(MsgType.SIGNAL, signal("late", direction=-1))
    nexus_peer.recv()
    expired = nexus_peer.recv(timeout_s=4)[1]
    assert expired.final and expired.reason.startswith("APPROVAL_EXPIRED")


def test_brl_value_checks_use_the_unrounded_rate(running_gateway: object, endpoints: Endpoints) -> None:
    from datetime import UTC, datetime

    from nexus_gw.domain.fx import rate_from_wdo

    gateway = running_gateway
    now = datetime.now(UTC)
    gateway.fx.update(rate_from_wdo(5494.0, now, "WDOZ26"))  # type: ignore[attr-defined]
    assert gateway._usd_per_unit("BRL", now) == pytest.approx(1 / 5.494, rel=1e-12)  # type: ignore[attr-defined]
    assert gateway._usd_per_unit("USD", now) == 1.0  # type: ignore[attr-defined]
    assert gateway._usd_per_unit("EUR", now) is None  # type: ignore[attr-defined]
