"""LegBook.in_doubt_decisions: a leg sent whose answer was never read is bound to the MT5 order that is it,
rejected as never received once MT5 lists nothing that could be it, or kept in doubt when it cannot tell."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from nexus_gw.adapters.indoubt import Bind, InDoubt, NotReceived
from nexus_gw.adapters.mt5.book import Leg, LegBook
from nexus_gw.adapters.mt5.legs import comment_for

MAGIC = 7_000
NOW = 1_800_000_000.0
SINCE = NOW - 3 * 86_400
GRACE = 10.0
LEG = "20261206-8ca4a97e44.mt5_global"


def book(*legs: Leg) -> LegBook:
    b = LegBook("mt5_global", MAGIC)
    for leg in legs:
        b.add(leg)
    return b


def doubtful(leg_id: str = LEG, sent_at: float = NOW - 30, side: str = "BUY", qty: float = 50.0) -> Leg:
    return Leg(leg_id, "US500", qty, in_doubt=True, side=side, sent_at=sent_at)


def order(ticket: int, comment: str = "", **kw: Any) -> SimpleNamespace:
    fields = {
        "ticket": ticket,
        "comment": comment,
        "magic": MAGIC,
        "type": 0,  # ORDER_TYPE_BUY
        "symbol": "US500",
        "volume_initial": 50.0,
        "time_setup": int(NOW - 29),
        "state": 4,  # ORDER_STATE_FILLED
    }
    return SimpleNamespace(**{**fields, **kw})


def test_a_leg_mt5_lists_nowhere_is_not_received_once_the_grace_has_passed() -> None:
    assert book(doubtful()).in_doubt_decisions([], NOW, GRACE, SINCE) == [NotReceived(LEG)]


def test_a_leg_younger_than_the_grace_waits_its_order_may_still_be_on_its_way() -> None:
    assert book(doubtful(sent_at=NOW - 3)).in_doubt_decisions([], NOW, GRACE, SINCE) == []


def test_an_order_whose_comment_names_the_leg_binds_it_even_inside_the_grace() -> None:
    young = doubtful(sent_at=NOW - 1)
    found = order(501, comment_for(LEG, "mt5_global"))
    assert book(young).in_doubt_decisions([found], NOW, GRACE, SINCE) == [Bind(LEG, "501")]


def test_a_rewritten_comment_binds_the_one_order_with_the_legs_symbol_side_and_volume() -> None:
    rewritten = order(502, "broker note")
    assert book(doubtful()).in_doubt_decisions([rewritten], NOW, GRACE, SINCE) == [Bind(LEG, "502")]


def test_two_orders_that_could_be_the_leg_keep_it_in_doubt() -> None:
    decisions = book(doubtful()).in_doubt_decisions([order(503), order(504)], NOW, GRACE, SINCE)
    assert len(decisions) == 1 and isinstance(decisions[0], InDoubt)
    assert decisions[0].candidates == ("503", "504")


def test_a_part_volume_order_keeps_the_leg_in_doubt_rather_than_rejecting_it() -> None:
    (decision,) = book(doubtful()).in_doubt_decisions([order(505, volume_initial=20.0)], NOW, GRACE, SINCE)
    assert isinstance(decision, InDoubt) and "only 20 of 50" in decision.reason


def test_orders_of_another_magic_the_other_side_an_older_time_or_a_close_by_are_not_the_leg() -> None:
    others = [
        order(601, magic=MAGIC + 1),  # another program or instance
        order(602, type=1),  # a SELL
        order(603, time_setup=int(NOW - 30 - 3_600)),  # an hour before the send
        order(604, type=8),  # ORDER_TYPE_CLOSE_BY
    ]
    assert book(doubtful()).in_doubt_decisions(others, NOW, GRACE, SINCE) == [NotReceived(LEG)]


def test_an_order_of_another_known_leg_is_no_candidate() -> None:
    other = "20261206-0000000001.mt5_global"
    b = book(doubtful(), Leg(other, "US500", 50.0, ticket=700, side="BUY", sent_at=NOW - 30))
    assert b.in_doubt_decisions([order(700)], NOW, GRACE, SINCE) == [NotReceived(LEG)]


def test_a_sell_leg_matches_a_sell_limit_order() -> None:
    sell = doubtful(side="SELL")
    assert book(sell).in_doubt_decisions([order(801, type=3)], NOW, GRACE, SINCE) == [Bind(LEG, "801")]


def test_bound_finished_and_sure_legs_need_no_decision() -> None:
    bound = Leg(LEG, "US500", 50.0, ticket=900, side="BUY", sent_at=NOW - 30)
    finished = doubtful("x.mt5_global")
    finished.finished = True
    assert book(bound, finished, Leg("y.mt5_global", "US500", 1.0)).in_doubt_decisions([], NOW, GRACE, SINCE) == []


def test_of_two_orders_named_by_the_comment_the_one_that_did_not_end_unfilled_binds() -> None:
    comment = comment_for(LEG, "mt5_global")
    rejected, filled = order(506, comment, state=5), order(507, comment, state=4)  # ORDER_STATE_REJECTED, _FILLED
    for orders in ([rejected, filled], [filled, rejected]):
        assert book(doubtful()).in_doubt_decisions(orders, NOW, GRACE, SINCE) == [Bind(LEG, "507")]


def test_a_finished_leg_no_longer_waits_to_be_settled() -> None:
    leg = doubtful()
    b = book(leg)
    assert b.in_doubt()
    leg.finished = True
    assert not b.in_doubt()
