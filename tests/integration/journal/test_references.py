"""Schema 3: an order's signal-time quote on its row; older journals migrate, their orders have none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nexus_gw.journal import Journal, JournalError
from nexus_gw.journal.references import ReferenceQuote
from nexus_gw.journal.schema import _V1, _V2, SCHEMA_VERSION
from tests.integration.journal.conftest import T0, FakeNs, make_order

pytestmark = pytest.mark.integration


def _version_2_journal(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in (*_V1, *_V2):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute(
        "INSERT INTO orders (order_id, client_id, root, side, qty, order_type, created_ns, status, is_open,"
        " recorded_ns, updated_ns, owner) VALUES ('old', 'c-old', 'NQ', 'BUY', 1, 'MARKET', ?, 'SENT', 1, 1, 1, 'a')",
        (T0,),
    )
    conn.close()


def test_a_version_2_journal_migrates_and_its_orders_have_no_reference(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    _version_2_journal(path)
    with pytest.raises(JournalError, match="older than 3; start `nexusgw serve` once"):
        Journal.open(path, readonly=True)  # a reader never migrates, and says how to
    with Journal.open(path, now_ns=FakeNs()) as journal:
        assert journal.schema_version == SCHEMA_VERSION == 3
        assert journal.load_order("old") is not None and journal.order_references() == {}
        quote = ReferenceQuote("sierra", 16250.25, 16250.75, 16250.5, T0 - 5)
        assert journal.record_order(make_order("new"), "a", quote)
        assert journal.order_references() == {"new": quote}
        assert journal.record_order(make_order("plain", created_ns=T0 + 1), "a")  # no quote known: none kept
        assert set(journal.order_references()) == {"new"}


def test_the_arrival_price_is_the_mid_else_the_last() -> None:
    assert ReferenceQuote("p", 100.0, 100.5, 99.0, 1).price == 100.25
    assert ReferenceQuote("p", 0.0, 100.5, 99.0, 1).price == 99.0
    assert ReferenceQuote("p", 0.0, 0.0, 0.0, 1).price is None
