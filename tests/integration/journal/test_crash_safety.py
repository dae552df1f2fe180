"""Crash safety: a child process writes to the journal and is killed with SIGKILL mid-stream.

The child prints a line only after each write method has returned (committed). After the kill, every printed
record must be in the reopened journal, every order must have all its legs, and the stored state must match a
replay of the history.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nexus_gw.domain.orders import Leg, Order
from nexus_gw.journal import Journal
from nexus_gw.protocol.constants import OrderStatus, Side

pytestmark = [pytest.mark.integration, pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")]

REPO = Path(__file__).resolve().parents[3]
LEGS = 6

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime

    from nexus_gw.domain.orders import Execution, Leg, Order
    from nexus_gw.journal import Journal
    from nexus_gw.protocol.constants import OrderStatus, Side

    journal = Journal.open(sys.argv[1])
    legs = int(sys.argv[2])
    i = 0
    while True:
        order = Order(f"o{i}", f"c{i}", "NQ", Side.BUY, 1.0, created_ns=i + 1)
        for p in range(legs):
            order.add_leg(Leg(f"o{i}.p{p}", f"p{p}", "NQ", Side.BUY, 2.0))
        journal.record_order(order)
        print(f"order o{i}", flush=True)
        for p in range(legs):
            journal.record_leg_status(f"o{i}.p{p}", OrderStatus.ACCEPTED, "", f"P{i}-{p}")
            print(f"status o{i}.p{p}", flush=True)
            journal.record_execution(f"o{i}.p{p}", Execution(f"f{i}-{p}", 1.0, 100.0 + p))
            print(f"fill o{i}.p{p} f{i}-{p}", flush=True)
        delivery = journal.enqueue(f"o{i}", "FILL", b"report-" + str(i).encode())
        print(f"delivery {delivery} o{i}", flush=True)
        journal.record_event("progress", {"order": i}, datetime.now(UTC))
        print(f"event o{i}", flush=True)
        i += 1
    """
)

STUCK_IN_ORDER = textwrap.dedent(
    """
    import sys, time
    from nexus_gw.domain.orders import Leg, Order
    from nexus_gw.journal import Journal, writing
    from nexus_gw.protocol.constants import Side

    journal = Journal.open(sys.argv[1])
    first = Order("done", "c-done", "NQ", Side.BUY, 1.0, created_ns=1)
    first.add_leg(Leg("done.a", "a", "NQ", Side.BUY, 1.0))
    journal.record_order(first)
    print("committed done", flush=True)

    insert_leg = writing.insert_leg
    def slow_insert(conn, order_id, position, leg, now):
        insert_leg(conn, order_id, position, leg, now)
        if position == 1:
            print("inside transaction", flush=True)
            time.sleep(60)
    writing.insert_leg = slow_insert

    half = Order("half", "c-half", "NQ", Side.BUY, 1.0, created_ns=2)
    for p in "abcd":
        half.add_leg(Leg(f"half.{p}", p, "NQ", Side.BUY, 1.0))
    journal.record_order(half)
    print("committed half", flush=True)
    """
)


def run_and_kill(script: str, path: Path, after_lines: int | str, *args: str) -> list[str]:
    """Start ``script``; SIGKILL it after ``after_lines`` lines (or the line starting with that text)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line.strip())
            done = lines[-1].startswith(after_lines) if isinstance(after_lines, str) else len(lines) >= after_lines
            if done:
                break
        assert proc.poll() is None, f"writer ended before the kill: {proc.stderr.read() if proc.stderr else ''}"
        proc.send_signal(signal.SIGKILL)
    finally:
        rest, _ = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    # Lines still in the pipe were printed after their commit too.
    return lines + [line.strip() for line in rest.splitlines() if line.strip()]


@pytest.mark.parametrize("kill_after", [3, 41, 157])
def test_killed_writer_loses_no_committed_record_and_leaves_a_consistent_journal(
    tmp_path: Path, kill_after: int
) -> None:
    path = tmp_path / "journal.sqlite3"
    printed = run_and_kill(WRITER, path, kill_after, str(LEGS))

    with Journal.open(path, readonly=True) as reader:  # the CLI may read before the gateway restarts
        orders = {o.order_id: o for o in reader.load_orders(open_only=False)}
    with Journal.open(path) as journal:
        assert journal.verify() == []
        fills = {(f.leg_id, f.fill_id) for f in journal.query_fills()}
        pending = {d.order_id for d in journal.pending()}
        progress = {e.data["order"] for e in journal.events("progress")}

    for order in orders.values():
        assert len(order.legs) == LEGS, f"{order.order_id} was journaled without all its legs"
    for line in printed:
        kind, *rest = line.split()
        if kind == "order":
            assert rest[0] in orders
        elif kind == "status":
            order_id = rest[0].split(".")[0]
            leg = orders[order_id].legs[rest[0]]
            assert leg.status is not OrderStatus.NEW and leg.platform_order_id
        elif kind == "fill":
            assert (rest[0], rest[1]) in fills
        elif kind == "delivery":
            assert rest[1] in pending
        elif kind == "event":
            assert int(rest[0][1:]) in progress
    committed_fills = sum(1 for line in printed if line.startswith("fill"))
    assert len(fills) in (committed_fills, committed_fills + 1)  # at most the one in flight also made it


def test_order_killed_between_its_legs_is_absent_not_half_written(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    printed = run_and_kill(STUCK_IN_ORDER, path, "inside transaction")
    assert printed == ["committed done", "inside transaction"]
    with Journal.open(path) as journal:
        assert [o.order_id for o in journal.load_orders(open_only=False)] == ["done"]
        assert journal.order_for_client("c-half") is None
        assert journal.verify() == []
        # The journal is usable again: the order can be recorded in full now.
        half = Order("half", "c-half", "NQ", Side.BUY, 1.0)
        half.add_leg(Leg("half.a", "a", "NQ", Side.BUY, 1.0))
        assert journal.record_order(half)
