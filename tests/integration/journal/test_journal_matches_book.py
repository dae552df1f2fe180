"""Property: for any interleaving of leg reports, the journal answers like the order book and reloads it exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.orders import Execution
from nexus_gw.journal import Journal
from nexus_gw.protocol.constants import Side
from tests.unit.domain.strategies import PLATFORMS, Event, order_plan

pytestmark = pytest.mark.integration


@settings(max_examples=40, deadline=None)
@given(order_plan())
def test_journal_counts_reports_like_the_book_and_reloads_the_same_order(
    plan: tuple[list[float], list[Event]],
) -> None:
    qtys, events = plan
    book = OrderBook()
    specs = [LegSpec(PLATFORMS[i], f"NQ@{PLATFORMS[i]}", qty) for i, qty in enumerate(qtys)]
    order = book.create("o1", "c1", "NQ", Side.BUY, 1.0, specs, created_ns=1)
    leg_ids = list(order.legs)
    with tempfile.TemporaryDirectory() as tmp, Journal.open(Path(tmp) / "journal.sqlite3") as journal:
        journal.record_order(order)
        for index, report in events:
            leg_id = leg_ids[index]
            if isinstance(report, Execution):
                assert journal.record_execution(leg_id, report) is book.apply_fill(leg_id, report)[1]
            else:
                assert journal.record_leg_status(leg_id, report) is book.apply_status(leg_id, report)[1]
        assert journal.load_orders(open_only=False) == [order]
        assert journal.load_orders(open_only=True) == ([] if order.is_terminal else [order])
        assert journal.replay_orders() == [order]
        assert journal.verify() == []
        assert len(journal.query_fills()) == sum(len(leg.executions) for leg in order.legs.values())
