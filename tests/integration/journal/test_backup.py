"""``nexusgw backup`` while the journal's writer writes: every copy opens, passes its integrity check and holds
every order the writer had committed before the backup began; old copies are pruned; the record is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nexus_gw.journal import Journal
from nexus_gw.journal.backup import BackupError, backup, backups_in, last_backup, record, verify

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]

WRITER = textwrap.dedent(
    """
    import sys
    from nexus_gw.domain.orders import Leg, Order
    from nexus_gw.journal import Journal
    from nexus_gw.protocol.constants import OrderStatus, Side

    journal = Journal.open(sys.argv[1])
    i = 0
    while True:
        order = Order(f"o{i}", f"c{i}", "NQ", Side.BUY, 1.0, created_ns=i + 1)
        order.add_leg(Leg(f"o{i}.nt8", "nt8", "NQ", Side.BUY, 1.0))
        journal.record_order(order)
        journal.record_leg_status(f"o{i}.nt8", OrderStatus.ACCEPTED, "", f"P{i}")
        print(i, flush=True)
        i += 1
    """
)


def _orders(path: Path) -> set[str]:
    with Journal.open(path, readonly=True) as copy:
        assert copy.verify() == []  # the journal's own consistency check passes on the copy
        return {o.order_id for o in copy.load_orders(open_only=False)}


def test_backups_taken_while_the_writer_writes_hold_every_committed_order_and_are_pruned(tmp_path: Path) -> None:
    journal = tmp_path / "data" / "journal.sqlite3"
    journal.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(journal)], stdout=subprocess.PIPE, text=True, env=env)
    assert writer.stdout is not None
    try:
        deadline = time.monotonic() + 30
        committed = -1
        while committed < 50:  # the writer is well under way
            assert time.monotonic() < deadline, "the writer did not commit 50 orders within 30 s"
            committed = int(writer.stdout.readline())
        results = []
        start = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
        for n in range(4):
            committed = int(writer.stdout.readline())  # committed before this backup starts
            result = backup(journal, tmp_path / "backups", keep=3, now=start + timedelta(days=n))
            results.append(result)
            orders = _orders(Path(result.path))
            assert {f"o{i}" for i in range(committed + 1)} <= orders
            assert result.rows["orders"] == len(orders) > committed
        assert writer.poll() is None, "the writer kept running through every backup"
    finally:
        writer.kill()
        writer.wait(5)
    kept = backups_in(tmp_path / "backups")
    assert [p.name for p in kept] == [
        "journal-20261202T220000Z.sqlite3",
        "journal-20261203T220000Z.sqlite3",
        "journal-20261204T220000Z.sqlite3",
    ]
    assert results[-1].pruned == [str(tmp_path / "backups" / "journal-20261201T220000Z.sqlite3")]
    assert not [p for p in (tmp_path / "backups").iterdir() if p.name.endswith(".partial")]
    record(tmp_path / "data", results[-1])
    assert last_backup(tmp_path / "data") == (start + timedelta(days=3), results[-1].path)


def test_a_damaged_copy_fails_verification_and_a_missing_journal_is_named(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"no journal at .*nothing to back up"):
        backup(tmp_path / "none.sqlite3", tmp_path / "backups")
    damaged = tmp_path / "damaged.sqlite3"
    import sqlite3

    conn = sqlite3.connect(damaged)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(400)])
    conn.commit()
    conn.close()
    data = bytearray(damaged.read_bytes())
    data[4096 * 2 : 4096 * 2 + 200] = b"\xff" * 200  # clobber a page of the table
    damaged.write_bytes(bytes(data))
    with pytest.raises((BackupError, sqlite3.DatabaseError)):
        verify(damaged)
    assert last_backup(tmp_path) is None
