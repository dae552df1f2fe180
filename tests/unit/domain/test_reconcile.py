from __future__ import annotations

from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.reconcile import (
    ALERT_FINISHED_LEG_WORKING,
    ALERT_INVALID_EXECUTION,
    ALERT_MISSING_FILLS,
    ALERT_OVER_FILL,
    ALERT_POSITION_MISMATCH,
    ALERT_UNKNOWN_EXECUTION,
    ALERT_UNKNOWN_ORDER,
    NEVER_RECEIVED,
    Action,
    Alert,
    ApplyExecution,
    MarkLeg,
    PlatformReport,
    ReportedExecution,
    ReportedOrder,
    reconcile,
)
from nexus_gw.protocol.constants import OrderStatus, Side

S = OrderStatus


def order(order_id: str, side: Side = Side.BUY, qty: float = 2.0, root: str = "NQ") -> Order:
    o = Order(order_id, f"c-{order_id}", root, side, qty)
    for platform in ("sierra", "nt8"):
        o.add_leg(Leg(f"{order_id}.{platform}", platform, f"{root}H6", side, qty))
    return o


def leg(o: Order, platform: str = "sierra") -> Leg:
    return o.legs[f"{o.order_id}.{platform}"]


def of_kind(actions: list[Action], kind: type) -> list[Action]:
    return [a for a in actions if isinstance(a, kind)]


def apply(actions: list[Action], orders: list[Order]) -> None:
    """What the gateway does with the actions, through the domain's own methods."""
    legs = {leg.leg_id: leg for o in orders for leg in o.legs.values()}
    for action in actions:
        if isinstance(action, ApplyExecution):
            legs[action.leg_id].apply_execution(action.execution)
        elif isinstance(action, MarkLeg):
            legs[action.leg_id].apply_status(action.status, action.reason, action.platform_order_id)


def test_fills_made_while_down_are_applied_once_and_known_ones_not_again() -> None:
    o = order("o1")
    leg(o).apply_status(S.ACCEPTED)
    leg(o).apply_execution(Execution("f1", 1.0, 100.0))
    report = PlatformReport(
        "sierra",
        executions=(
            ReportedExecution("o1.sierra", "f1", 1.0, 100.0),
            ReportedExecution("o1.sierra", "f2", 1.0, 101.0, ts_ns=7),
            ReportedExecution("o1.sierra", "f2", 1.0, 101.0, ts_ns=7),
        ),
        positions={"NQ": 2.0},
    )
    actions = reconcile([o], {"NQ": 1.0}, report)
    assert actions == [ApplyExecution("o1.sierra", Execution("f2", 1.0, 101.0, 7))]
    apply(actions, [o])
    assert leg(o).status is S.FILLED and leg(o).filled_qty == 2.0


def test_leg_the_platform_never_received_and_never_filled_is_rejected() -> None:
    o = order("o1")
    leg(o).apply_status(S.SENT)
    actions = reconcile([o], {}, PlatformReport("sierra"))
    assert actions == [MarkLeg("o1.sierra", S.REJECTED, NEVER_RECEIVED)]
    apply(actions, [o])
    assert leg(o).status is S.REJECTED and leg(o).reason == NEVER_RECEIVED


def test_journaled_but_unsent_new_leg_is_rejected_not_resent() -> None:
    o = order("o1")
    actions = reconcile([o], {}, PlatformReport("sierra"))
    assert actions == [MarkLeg("o1.sierra", S.REJECTED, NEVER_RECEIVED)]


def test_partially_filled_leg_no_longer_working_is_cancelled_for_the_rest() -> None:
    o = order("o1")
    report = PlatformReport(
        "sierra", executions=(ReportedExecution("o1.sierra", "f1", 0.5, 100.0),), positions={"NQ": 0.5}
    )
    actions = reconcile([o], {}, report)
    (mark,) = of_kind(actions, MarkLeg)
    assert isinstance(mark, MarkLeg) and mark.status is S.CANCELLED and "0.5 of 2.0" in mark.reason
    apply(actions, [o])
    assert leg(o).status is S.CANCELLED and leg(o).filled_qty == 0.5
    assert of_kind(actions, Alert) == []


def test_leg_filled_while_down_needs_no_mark() -> None:
    o = order("o1")
    leg(o).apply_status(S.ACCEPTED)
    report = PlatformReport(
        "sierra", executions=(ReportedExecution("o1.sierra", "f1", 2.0, 100.0),), positions={"NQ": 2.0}
    )
    actions = reconcile([o], {}, report)
    assert of_kind(actions, MarkLeg) == [] and len(of_kind(actions, ApplyExecution)) == 1


def test_accepted_leg_gone_without_fills_is_cancelled() -> None:
    o = order("o1")
    leg(o).apply_status(S.ACCEPTED)
    (mark,) = reconcile([o], {}, PlatformReport("sierra"))
    assert isinstance(mark, MarkLeg) and mark.status is S.CANCELLED


def test_sent_leg_the_platform_works_becomes_accepted_with_its_platform_id() -> None:
    o = order("o1")
    leg(o).apply_status(S.SENT)
    report = PlatformReport("sierra", open_orders=(ReportedOrder("o1.sierra", S.ACCEPTED, 0.0, "SC-77"),))
    actions = reconcile([o], {}, report)
    assert actions == [MarkLeg("o1.sierra", S.ACCEPTED, "working at platform on reconnect", "SC-77")]
    apply(actions, [o])
    assert leg(o).status is S.ACCEPTED and leg(o).platform_order_id == "SC-77"


def test_accepted_leg_still_working_needs_nothing() -> None:
    o = order("o1")
    leg(o).apply_status(S.ACCEPTED, platform_order_id="SC-1")
    report = PlatformReport("sierra", open_orders=(ReportedOrder("o1.sierra", S.PARTIALLY_FILLED),))
    assert reconcile([o], {}, report) == []


def test_platform_counting_more_filled_than_it_reported_raises_an_alert() -> None:
    o = order("o1")
    leg(o).apply_status(S.ACCEPTED)
    report = PlatformReport(
        "sierra", open_orders=(ReportedOrder("o1.sierra", S.PARTIALLY_FILLED, filled_qty=1.0),), positions={}
    )
    (alert,) = reconcile([o], {}, report)
    assert isinstance(alert, Alert) and alert.kind == ALERT_MISSING_FILLS
    assert (alert.journal_qty, alert.platform_qty) == (0.0, 1.0)


def test_position_mismatch_alert_carries_both_numbers() -> None:
    o = order("o1", side=Side.SELL)
    report = PlatformReport(
        "sierra", executions=(ReportedExecution("o1.sierra", "f1", 2.0, 100.0),), positions={"NQ": -3.0, "ES": 1.0}
    )
    alerts = of_kind(reconcile([o], {"NQ": 0.0}, report), Alert)
    assert [(a.kind, a.root, a.journal_qty, a.platform_qty) for a in alerts if isinstance(a, Alert)] == [
        (ALERT_POSITION_MISMATCH, "ES", 0.0, 1.0),
        (ALERT_POSITION_MISMATCH, "NQ", -2.0, -3.0),
    ]
    assert all("-2" in a.message and "-3" in a.message for a in alerts[1:] if isinstance(a, Alert))


def test_position_explained_by_this_reports_fills_raises_no_alert() -> None:
    o = order("o1", side=Side.SELL)
    report = PlatformReport(
        "sierra", executions=(ReportedExecution("o1.sierra", "f1", 2.0, 100.0),), positions={"NQ": -1.0}
    )
    assert of_kind(reconcile([o], {"NQ": 1.0}, report), Alert) == []


def test_execution_of_an_unknown_leg_is_alerted_not_applied() -> None:
    report = PlatformReport("sierra", executions=(ReportedExecution("zz.sierra", "f1", 1.0, 100.0),))
    (alert,) = reconcile([], {}, report)
    assert isinstance(alert, Alert) and alert.kind == ALERT_UNKNOWN_EXECUTION and alert.leg_id == "zz.sierra"


def test_working_order_unknown_to_the_journal_is_alerted() -> None:
    report = PlatformReport("sierra", open_orders=(ReportedOrder("manual-1", S.ACCEPTED, 0.0, "SC-9"),))
    (alert,) = reconcile([], {}, report)
    assert isinstance(alert, Alert) and alert.kind == ALERT_UNKNOWN_ORDER and "SC-9" in alert.message


def test_over_fill_and_invalid_executions_are_alerted_not_applied() -> None:
    o = order("o1")
    leg(o).apply_status(S.ACCEPTED)
    report = PlatformReport(
        "sierra",
        open_orders=(ReportedOrder("o1.sierra"),),
        executions=(
            ReportedExecution("o1.sierra", "f1", 1.5, 100.0),
            ReportedExecution("o1.sierra", "f2", 1.0, 100.0),
            ReportedExecution("o1.sierra", "f3", 1.0, float("nan")),
            ReportedExecution("o1.sierra", "f4", 0.0, 100.0),
        ),
        positions={"NQ": 1.5},
    )
    actions = reconcile([o], {}, report)
    assert of_kind(actions, ApplyExecution) == [ApplyExecution("o1.sierra", Execution("f1", 1.5, 100.0))]
    kinds = [a.kind for a in actions if isinstance(a, Alert)]
    assert kinds == [ALERT_OVER_FILL, ALERT_INVALID_EXECUTION, ALERT_INVALID_EXECUTION]


def test_finished_leg_still_working_at_the_platform_is_alerted() -> None:
    o = order("o1")
    leg(o).apply_status(S.CANCELLED)
    (alert,) = reconcile([o], {}, PlatformReport("sierra", open_orders=(ReportedOrder("o1.sierra"),)))
    assert isinstance(alert, Alert) and alert.kind == ALERT_FINISHED_LEG_WORKING


def test_late_fill_of_a_cancelled_leg_is_still_applied() -> None:
    o = order("o1")
    leg(o).apply_status(S.CANCELLED)
    report = PlatformReport(
        "sierra", executions=(ReportedExecution("o1.sierra", "f9", 1.0, 100.0),), positions={"NQ": 1.0}
    )
    assert reconcile([o], {}, report) == [ApplyExecution("o1.sierra", Execution("f9", 1.0, 100.0))]


def test_legs_on_other_platforms_are_left_alone() -> None:
    o = order("o1")
    leg(o, "nt8").apply_status(S.SENT)
    leg(o, "sierra").apply_status(S.ACCEPTED)
    actions = reconcile([o], {}, PlatformReport("sierra", open_orders=(ReportedOrder("o1.sierra"),)))
    assert actions == []
    assert leg(o, "nt8").status is S.SENT


def test_actions_come_as_applies_then_marks_then_alerts() -> None:
    filled, lost = order("o1"), order("o2")
    report = PlatformReport(
        "sierra", executions=(ReportedExecution("o1.sierra", "f1", 2.0, 100.0),), positions={"NQ": 5.0}
    )
    actions = reconcile([filled, lost], {}, report)
    assert [type(a) for a in actions] == [ApplyExecution, MarkLeg, Alert]
