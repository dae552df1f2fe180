"""Per-batch market-data bookkeeping with dictionary operations: each root's last tick, marks that skip quotes
without a trade, and reference quotes made only when an order asks."""

from __future__ import annotations

import pytest

from nexus_gw.journal.references import ReferenceQuote
from nexus_gw.protocol import messages as m
from nexus_gw.server.marketdata import QuoteBoard, latest, marks


def tick(symbol: str, last: float, ts_ns: int) -> m.Tick:
    return m.Tick(symbol, last - 0.25 if last else 9.0, last + 0.25 if last else 9.5, last, 1.0, ts_ns)


def test_latest_keeps_each_roots_last_tick() -> None:
    batch = [tick("NQ", 1.0, 1), tick("ES", 2.0, 2), tick("NQ", 3.0, 3)]
    assert {root: t.ts_ns for root, t in latest(batch).items()} == {"NQ": 3, "ES": 2}


def test_a_quote_without_a_trade_leaves_the_mark_at_the_roots_last_trade_in_the_batch() -> None:
    batch = [tick("NQ", 1.0, 1), tick("NQ", 3.0, 2), tick("ES", 0.0, 3), tick("NQ", 0.0, 4), tick("CL", 0.0, 5)]
    prices = {root: t.last for root, t in latest(batch).items()}
    assert marks(batch, prices) == {"NQ": 3.0, "ES": 0.0, "CL": 0.0}
    assert marks(batch[:2], {"NQ": 3.0}) == {"NQ": 3.0}


def test_the_quote_board_gives_each_roots_last_quote_as_a_reference_quote() -> None:
    board = QuoteBoard()
    board.update("nt8", latest([tick("NQ", 1.0, 1), tick("NQ", 2.0, 2)]), received_ns=100)
    board.update("sierra", latest([tick("ES", 5.0, 3)]), received_ns=200)
    assert board["NQ"] == ReferenceQuote("nt8", 1.75, 2.25, 2.0, 100)
    assert board.get("ES") == ReferenceQuote("sierra", 4.75, 5.25, 5.0, 200)
    assert board.get("CL") is None and set(board) == {"NQ", "ES"} and len(board) == 2
    board["NQ"] = ReferenceQuote("mt5", 1.0, 2.0, 1.5, 300)  # set as a quote, read back as one
    assert board["NQ"] == ReferenceQuote("mt5", 1.0, 2.0, 1.5, 300)
    with pytest.raises(KeyError):
        board["CL"]
