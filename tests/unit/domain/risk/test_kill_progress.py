"""What an active kill switch still has to do, from the order book alone."""

from __future__ import annotations

from datetime import UTC, datetime

from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.risk import kill_progress as kp
from nexus_gw.protocol.constants import OrderStatus, Side

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def book_with_orders() -> OrderBook:
    book = OrderBook()
    book.create("o1", "c1", "NQ", Side.BUY, 1, [LegSpec("nt8", "NQH6", 1), LegSpec("sierra", "NQH6.CME", 1)])
    book.create("o2", "c2", "ES", Side.BUY, 1, [LegSpec("nt8", "ESH6", 1)])
    book.apply_status("o2.nt8", OrderStatus.CANCELLED)
    book.create("f1", kp.flatten_client_id("t", "nt8", "WIN"), "WIN", Side.SELL, 1, [LegSpec("nt8", "WINJ26", 1)])
    return book


def test_every_working_leg_but_the_flatten_orders_is_to_be_cancelled() -> None:
    book = book_with_orders()
    assert [leg.leg_id for leg in kp.legs_to_cancel(book.orders.values())] == ["o1.nt8", "o1.sierra"]
    assert [leg.leg_id for leg in kp.flatten_working(book.orders.values())] == ["f1.nt8"]
    book.apply_status("o1.sierra", OrderStatus.REJECTED)
    assert [leg.leg_id for leg in kp.legs_to_cancel(book.orders.values())] == ["o1.nt8"]


def test_tracker_forces_a_platform_resends_after_the_interval_and_forgets_settled_legs() -> None:
    legs = kp.legs_to_cancel(book_with_orders().orders.values())
    tracker = kp.CancelTracker(resend_interval_s=5.0)
    assert tracker.due(legs, 100.0) == legs  # never sent: all due
    for leg in legs:
        tracker.sent(leg, T0, 100.0)
    assert tracker.due(legs, 101.0) == []
    assert [leg.platform for leg in tracker.due(legs, 101.0, platform="sierra", force=True)] == ["sierra"]
    assert tracker.due(legs, 105.0) == legs
    tracker.settle(legs[:1])
    assert set(tracker.first) == {legs[0].leg_id} and set(tracker.last_sent) == {legs[0].leg_id}


def test_flatten_waits_for_pending_cancels_and_offline_platforms() -> None:
    book = book_with_orders()
    positions = {("nt8", "NQ"): 1.0, ("sierra", "NQ"): -2.0, ("nt8", "ES"): 0.0, ("mt5", "NQ"): 3.0}
    # nt8 NQ has a leg pending cancel; sierra's is working too; mt5 is not ready; ES is flat
    assert kp.flatten_needed(positions, book.orders.values(), ["nt8", "sierra"]) == []
    book.apply_status("o1.sierra", OrderStatus.CANCELLED)
    assert kp.flatten_needed(positions, book.orders.values(), ["nt8", "sierra"]) == [
        kp.FlattenNeed("sierra", "NQ", -2.0)
    ]


def test_flatten_ids_are_deterministic_per_activation_and_attempt() -> None:
    tag = kp.activation_tag(T0)
    assert tag == kp.activation_tag(datetime(2026, 3, 2, 14, 30, tzinfo=UTC))
    assert kp.flatten_tag(tag, 1) == tag and kp.flatten_tag(tag, 2) == f"{tag}-2"
    assert kp.flatten_client_id(tag, "nt8", "NQ") == f"flatten:{tag}:nt8:NQ"


def test_progress_names_each_pending_leg_and_completes_only_when_nothing_is_open() -> None:
    book = book_with_orders()
    legs = kp.legs_to_cancel(book.orders.values())
    progress = kp.Progress(True, tuple(legs), {legs[1].leg_id: T0}, (), ())
    assert not progress.complete
    lines = progress.lines()
    assert lines[1].startswith("pending cancel: sierra leg o1.sierra") and T0.isoformat(timespec="seconds") in lines[1]
    assert "not reached yet" in lines[0]
    assert progress.to_dict()["pending_platforms"] == ["nt8", "sierra"]
    assert kp.Progress(True).complete and not kp.Progress(False).complete
    assert not kp.Progress(True, open_positions=(kp.FlattenNeed("nt8", "NQ", 1.0),)).complete
