"""Which legs a platform report can settle (``undecided_legs``), and the held-leg bookkeeping (issue 9)."""

from __future__ import annotations

from nexus_gw.domain.holding import HeldLegs, expiry_reason
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.domain.reconcile import (
    NEVER_RECEIVED,
    MarkLeg,
    PlatformReport,
    ReportCoverage,
    SentLeg,
    reconcile,
    undecided_legs,
)
from nexus_gw.protocol.constants import OrderStatus, Side

S = OrderStatus


def sent_order(order_id: str = "o1") -> tuple[Order, Leg]:
    order = Order(order_id, f"c-{order_id}", "NQ", Side.BUY, 1.0)
    leg = Leg(f"{order_id}.nt8", "nt8", "NQH6", Side.BUY, 1.0)
    order.add_leg(leg)
    leg.apply_status(S.SENT)
    return order, leg


def test_leg_sent_to_the_reporting_session_after_its_report_is_undecided_and_left_alone() -> None:
    order, leg = sent_order()
    sent = {leg.leg_id: SentLeg("s1", seq=7, epoch="g1")}
    stale = ReportCoverage("s1", epoch="g1", through=6)
    undecided = undecided_legs([leg], sent, set(), stale)
    assert undecided == {leg.leg_id}
    assert reconcile([order], {}, PlatformReport("nt8"), undecided) == []


def test_leg_the_report_covers_is_judged() -> None:
    order, leg = sent_order()
    sent = {leg.leg_id: SentLeg("s1", seq=7, epoch="g1")}
    for coverage in (
        ReportCoverage("s1", epoch="g1", through=7),  # built after the adapter handled it
        ReportCoverage("s2", epoch="g1", through=0),  # a later adapter session
        ReportCoverage("s1", epoch="g0", through=99),  # numbers of another gateway process say nothing here
    ):
        undecided = undecided_legs([leg], sent, set(), coverage)
        assert undecided == set(), coverage
        assert reconcile([order], {}, PlatformReport("nt8"), undecided) == [
            MarkLeg(leg.leg_id, S.REJECTED, NEVER_RECEIVED)
        ]


def test_unacknowledged_and_never_sent_legs_are_undecided() -> None:
    _, leg = sent_order("o1")
    _, held = sent_order("o2")
    coverage = ReportCoverage("s2", "g1", 100)
    assert undecided_legs([leg, held], {}, {leg.leg_id}, coverage, never_sent={held.leg_id}) == {
        leg.leg_id,
        held.leg_id,
    }


def test_held_legs_keep_their_first_deadline_and_expire_with_the_documented_reason() -> None:
    legs = HeldLegs()
    first = legs.hold("o1.nt8", "o1", "nt8", now_ns=0, timeout_s=30)
    assert legs.hold("o1.nt8", "o1", "nt8", now_ns=10**9, timeout_s=30) == first
    assert [h.leg_id for h in legs.for_platform("nt8")] == ["o1.nt8"] and legs.for_platform("sierra") == []
    assert legs.expired(29 * 10**9) == []
    (gone,) = legs.expired(30 * 10**9)
    assert expiry_reason(gone) == "platform nt8 did not come back within 30s"
    assert "o1.nt8" not in legs
