"""The outbox side of the journal: an order's owner, its final messages written in the transaction that finishes
it, the step that derives them when missing, and the migration of version-1 journals."""

from __future__ import annotations

import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest

from nexus_gw.domain.orders import Execution, Order
from nexus_gw.journal import Journal
from nexus_gw.journal.schema import _V1, SCHEMA_VERSION
from nexus_gw.protocol.constants import OrderStatus
from tests.integration.journal.conftest import FakeNs, make_order
from tests.integration.journal.test_crash_safety import run_and_kill


def finals(order: Order, owner: str | None, revision: int = 0) -> list[tuple[str, str, bytes]]:
    suffix = f"#{revision}" if revision else ""
    rows = [("ORDER_UPDATE", "final" + suffix, f"{order.status.value}".encode())]
    if order.avg_price is not None:
        rows.append(("FILL", suffix, f"{order.filled_qty}@{order.avg_price}".encode()))
    return rows


def test_the_execution_that_finishes_an_order_commits_with_its_final_messages(journal: Journal) -> None:
    journal.finalizer = finals
    journal.record_order(make_order(platforms=("nt8",)), "alpha")
    journal.record_execution("o1.nt8", Execution("x1", 1, 100.0))
    assert journal.pending() == []  # still working: nothing final yet
    journal.record_execution("o1.nt8", Execution("x2", 1, 102.0))
    assert [(d.kind, d.payload, d.owner) for d in journal.pending_for("alpha")] == [
        ("ORDER_UPDATE", b"FILLED", "alpha"),
        ("FILL", b"2.0@101.0", "alpha"),
    ]
    assert journal.pending_for("beta") == []


def test_an_execution_after_the_final_state_queues_a_correction_that_only_its_own_ack_acknowledges(
    journal: Journal,
) -> None:
    journal.finalizer = finals
    order = make_order(platforms=("nt8", "sierra"), qty=1)
    journal.record_order(order, "alpha")
    journal.record_execution("o1.nt8", Execution("x1", 1, 100.0))
    journal.record_leg_status("o1.sierra", OrderStatus.REJECTED, "never received by platform")
    first = [(d.kind, d.key) for d in journal.pending_for("alpha")]
    assert first == [("ORDER_UPDATE", "final"), ("FILL", "")]
    journal.record_execution("o1.sierra", Execution("s1", 1, 101.0))  # the platform had it after all
    assert [(d.kind, d.key, d.payload) for d in journal.pending_for("alpha")][2:] == [
        ("ORDER_UPDATE", "final#1", b"FILLED"),
        ("FILL", "#1", b"2.0@100.5"),
    ]
    journal.ack_order("o1", {"ORDER_UPDATE": "final", "FILL": ""})  # a late ack of the first state
    assert [(d.kind, d.key) for d in journal.pending_for("alpha")] == [("ORDER_UPDATE", "final#1"), ("FILL", "#1")]


def test_a_transaction_that_fails_keeps_neither_the_execution_nor_its_fill(journal: Journal) -> None:
    journal.finalizer = finals
    journal.record_order(make_order(platforms=("nt8",), qty=1), "alpha")
    with pytest.raises(RuntimeError), journal.transaction():
        journal.record_execution("o1.nt8", Execution("x1", 1, 100.0))
        raise RuntimeError("the process died here")
    assert journal.load_order("o1").filled_qty == 0  # type: ignore[union-attr]
    assert journal.pending() == []


def test_an_order_whose_final_messages_could_not_be_built_is_derived_later(journal: Journal) -> None:
    def broken(order: Order, owner: str | None, revision: int) -> list[tuple[str, str, bytes]]:
        raise ValueError("no FX rate")

    journal.finalizer = broken
    journal.record_order(make_order(platforms=("nt8",), qty=1), "alpha")
    assert journal.record_execution("o1.nt8", Execution("x1", 1, 100.0))  # the execution itself is kept
    assert journal.pending() == []
    journal.finalizer = finals
    assert journal.derive_missing_finals() == 1
    assert [d.kind for d in journal.pending()] == ["ORDER_UPDATE", "FILL"]
    assert journal.derive_missing_finals() == 0  # once


def test_the_gateway_own_orders_get_no_final_messages(journal: Journal) -> None:
    journal.finalizer = finals
    journal.record_order(make_order(platforms=("nt8",), qty=1), "")
    journal.record_execution("o1.nt8", Execution("x1", 1, 100.0))
    assert journal.pending() == [] and journal.derive_missing_finals() == 0
    assert journal.owner_of("o1") == ""


def test_an_unfilled_order_gets_a_final_update_and_no_fill(journal: Journal) -> None:
    journal.finalizer = finals
    journal.record_order(make_order(platforms=("nt8",), qty=1), "alpha")
    journal.record_leg_status("o1.nt8", OrderStatus.CANCELLED)
    assert [(d.kind, d.payload) for d in journal.pending()] == [("ORDER_UPDATE", b"CANCELLED")]
    assert journal.ack_order("o1", {"ORDER_UPDATE": "final"}) == 1 and journal.pending() == []


def test_a_version_1_journal_is_migrated_and_its_lost_fill_becomes_due(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _V1:
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for order_id, client_id in (("lost", "c-lost"), ("sent", "c-sent"), ("roll", "roll:NQ:M6:nt8")):
        conn.execute(
            "INSERT INTO orders (order_id, client_id, root, side, qty, order_type, created_ns, status, is_open,"
            " filled_qty, avg_price, recorded_ns, updated_ns) VALUES (?, ?, 'NQ', 'BUY', 1, 'MARKET', 1,"
            " 'FILLED', 0, 1, 100.0, 1, 1)",
            (order_id, client_id),
        )
        conn.execute(
            "INSERT INTO legs (leg_id, order_id, position, platform, symbol, side, qty, initial_status, status,"
            " updated_ns) VALUES (?, ?, 0, 'nt8', 'NQ@nt8', 'BUY', 1, 'SENT', 'FILLED', 1)",
            (f"{order_id}.nt8", order_id),
        )
        conn.execute(
            "INSERT INTO executions (seq, leg_id, fill_id, qty, price, ts_ns, recorded_ns)"
            " VALUES ((SELECT COUNT(*) + 1 FROM executions), ?, 'x', 1, 100.0, 1, 1)",
            (f"{order_id}.nt8",),
        )
    conn.execute("INSERT INTO outbox (order_id, kind, payload, created_ns) VALUES ('sent', 'FILL', x'00', 1)")
    conn.close()
    with Journal.open(path, now_ns=FakeNs()) as journal:
        assert journal.schema_version == SCHEMA_VERSION
        assert journal.owner_of("lost") is None and journal.owner_of("roll") == ""
        journal.finalizer = finals
        assert journal.derive_missing_finals() == 1  # only the order that lost its FILL
        assert [(d.order_id, d.kind) for d in journal.pending_for("anyone")] == [
            ("sent", "FILL"),
            ("lost", "ORDER_UPDATE"),
            ("lost", "FILL"),
        ]
        assert journal.verify() == []


FILLING_WRITER = textwrap.dedent(
    """
    import sys

    from nexus_gw.domain.orders import Execution, Leg, Order
    from nexus_gw.journal import Journal
    from nexus_gw.protocol.constants import Side

    journal = Journal.open(sys.argv[1])
    journal.finalizer = lambda order, owner, revision: [("ORDER_UPDATE", "final", b"u"), ("FILL", "", b"f")]
    i = 0
    while True:
        order = Order(f"o{i}", f"c{i}", "NQ", Side.BUY, 1.0, created_ns=i + 1)
        order.add_leg(Leg(f"o{i}.a", "a", "NQ", Side.BUY, 2.0))
        journal.record_order(order, "alpha")
        journal.record_execution(f"o{i}.a", Execution("x1", 1.0, 100.0))
        journal.record_execution(f"o{i}.a", Execution("x2", 1.0, 100.0))  # finishes the order
        print(f"filled o{i}", flush=True)
        i += 1
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("kill_after", [1, 25])
def test_a_writer_killed_right_after_the_finishing_execution_has_its_fill_queued(
    tmp_path: Path, kill_after: int
) -> None:
    path = tmp_path / "journal.sqlite3"
    printed = run_and_kill(FILLING_WRITER, path, kill_after)
    with Journal.open(path) as journal:
        filled = {o.order_id for o in journal.load_orders(open_only=False) if o.status is OrderStatus.FILLED}
        queued = {d.order_id for d in journal.pending() if d.kind == "FILL"}
    assert {line.split()[1] for line in printed} <= filled
    assert filled == queued  # no finished order without its FILL, however the process died
