"""The in-doubt matcher: a leg whose answer was never read is bound only to the one platform order that can be it."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.indoubt import Bind, Candidate, DoubtfulLeg, InDoubt, NotReceived, resolve

SENT = 1_780_000_000.0
LEG = DoubtfulLeg("o1.sierra", "NQZ26", "BUY", 2.0, SENT)


def candidate(
    oid: str = "S1", symbol: str = "NQZ26", side: str = "BUY", qty: float = 2.0, time: float | None = SENT + 1
) -> Candidate:
    return Candidate(oid, symbol, side, qty, time)


def test_the_one_order_of_the_legs_symbol_side_and_quantity_after_the_send_binds_the_leg() -> None:
    others = [candidate("S0", symbol="ESZ26"), candidate("S2", side="SELL"), candidate("S3", time=SENT - 3600)]
    assert resolve([LEG], [candidate(), *others], complete=True) == [Bind("o1.sierra", "S1")]


def test_a_history_fill_stamped_in_whole_seconds_just_before_the_send_still_matches_within_the_skew() -> None:
    assert resolve([LEG], [candidate(time=SENT - 0.9)], complete=True, skew_s=2.0) == [Bind("o1.sierra", "S1")]
    assert resolve([LEG], [candidate(time=SENT - 5)], complete=True, skew_s=2.0) == [NotReceived("o1.sierra")]


def test_two_equal_candidates_leave_the_leg_in_doubt_never_guessed() -> None:
    (decision,) = resolve([LEG], [candidate("S1"), candidate("S2")], complete=True)
    assert isinstance(decision, InDoubt) and decision.candidates == ("S1", "S2")


def test_two_equal_legs_and_one_candidate_leave_both_in_doubt() -> None:
    twin = DoubtfulLeg("o2.sierra", "NQZ26", "BUY", 2.0, SENT)
    decisions = resolve([LEG, twin], [candidate("S1")], complete=True)
    assert [type(d) for d in decisions] == [InDoubt, InDoubt]
    assert "o2.sierra" in decisions[0].reason  # type: ignore[union-attr]


def test_a_partial_quantity_may_be_the_leg_but_is_not_bound() -> None:
    (decision,) = resolve([LEG], [candidate(qty=1.0)], complete=True)
    assert isinstance(decision, InDoubt) and decision.candidates == ("S1",)


def test_a_larger_order_is_not_the_leg() -> None:
    assert resolve([LEG], [candidate(qty=3.0)], complete=True) == [NotReceived("o1.sierra")]


def test_not_received_only_from_a_complete_report_whose_history_covers_the_send() -> None:
    assert resolve([LEG], [], complete=True) == [NotReceived("o1.sierra")]
    assert resolve([LEG], [], complete=True, history_since=SENT - 3600) == [NotReceived("o1.sierra")]
    (short,) = resolve([LEG], [], complete=True, history_since=SENT + 10)
    assert isinstance(short, InDoubt) and "history" in short.reason


@pytest.mark.parametrize("candidates", [[], [candidate()]])
def test_an_incomplete_report_settles_nothing(candidates: list[Candidate]) -> None:
    (decision,) = resolve([LEG], candidates, complete=False)
    assert isinstance(decision, InDoubt) and "incomplete" in decision.reason


def test_a_candidate_without_a_time_can_be_any_leg() -> None:
    assert resolve([LEG], [candidate(time=None)], complete=True) == [Bind("o1.sierra", "S1")]
