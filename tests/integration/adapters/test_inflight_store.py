"""The write-ahead store on a real SQLite file: records survive a reopen, the first binding stands, a leg closes
when finished or filled in full, and only finished records are pruned after the retention."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nexus_gw.adapters.inflight import RETENTION_S, InFlightStore
from nexus_gw.protocol.constants import OrderType, Side
from nexus_gw.protocol.messages import Order

NOW = 1_780_000_000_000_000_000


def leg(leg_id: str, qty: float = 2.0) -> Order:
    return Order(
        leg_id=leg_id,
        order_id=leg_id.split(".")[0],
        symbol="NQZ26",
        side=Side.SELL,
        qty=qty,
        order_type=OrderType.LIMIT,
        limit_price=21000.25,
    )


def test_a_record_survives_a_reopen_and_a_leg_id_is_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "a" / "inflight.sqlite"
    store = InFlightStore(path, now_ns=NOW)
    assert store.record(leg("o1.x"), now_ns=NOW)
    assert not store.record(leg("o1.x", qty=5.0), now_ns=NOW + 1)
    store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = InFlightStore(path, now_ns=NOW)
    (record,) = again.open_legs()
    assert (record.leg_id, record.side, record.qty, record.order_type) == ("o1.x", "SELL", 2.0, "LIMIT")
    assert record.limit_price == 21000.25 and record.stop_price is None and record.sent_ns == NOW
    assert record.platform_order_id == "" and again.known("o1.x") and not again.known("o2.x")
    again.close()


def test_the_first_binding_stands_and_finished_legs_leave_the_open_list(tmp_path: Path) -> None:
    store = InFlightStore(tmp_path / "inflight.sqlite")
    for leg_id in ("o1.x", "o2.x", "o3.x"):
        store.record(leg(leg_id))
    assert store.bind("o1.x", "P1") and not store.bind("o1.x", "P9") and not store.bind("o2.x", "")
    assert store.get("o1.x").platform_order_id == "P1"  # type: ignore[union-attr]
    assert not store.add_fill("o1.x", "E1", 1.0) and not store.add_fill("o1.x", "E1", 1.0)
    assert store.add_fill("o1.x", "E2", 1.0)
    store.finish("o2.x", "CANCELLED")
    assert [r.leg_id for r in store.open_legs()] == ["o3.x"]
    assert {r.leg_id: r.finished for r in store.all_legs()} == {"o1.x": "FILLED", "o2.x": "CANCELLED", "o3.x": ""}
    store.close()


def test_only_finished_records_older_than_the_retention_are_pruned(tmp_path: Path) -> None:
    path = tmp_path / "inflight.sqlite"
    store = InFlightStore(path)
    store.record(leg("old-open.x"))
    store.record(leg("old-done.x"))
    store.finish("old-done.x", "REJECTED")
    store.close()
    later = InFlightStore(path, now_ns=NOW * 2)  # far beyond RETENTION_S
    assert NOW * 2 - NOW > RETENTION_S * 1_000_000_000
    assert [r.leg_id for r in later.all_legs()] == ["old-open.x"]
    later.close()
