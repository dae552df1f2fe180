"""The day's realized loss survives a gateway restart within the same trading day (journal and risk state)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nexus_gw.config.loader import load_reference
from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.orders import Execution
from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.engine import RiskEngine
from nexus_gw.journal import Journal
from nexus_gw.protocol.constants import Side
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.riskgate import RiskGate
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.integration

INSTRUMENTS = load_reference(CONFIG_DIR).instruments
TUESDAY_10_CHICAGO = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
TUESDAY_16_CHICAGO = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
TUESDAY_18_CHICAGO = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)  # Wednesday's trading day


def usd(amount: object, currency: str) -> object:
    raise AssertionError("NQ is in USD; no conversion expected")


def gate(path: Path) -> RiskGate:
    ledger = Ledger(Journal.open(path), INSTRUMENTS, usd)
    ledger.recover(OrderBook())
    risk = RiskGate(RiskEngine(RiskConfig()), ledger, INSTRUMENTS, lambda ccy, now: 1.0)
    risk.restore()
    return risk


def trade(risk: RiskGate, book: OrderBook, when: datetime, *orders: tuple[str, Side, float]) -> None:
    """Orders of 1 NQ on nt8, each filled at its price at ``when`` (the platform's execution time)."""
    ts_ns = int(when.timestamp()) * 1_000_000_000
    for oid, side, price in orders:
        order = book.create(oid, oid, "NQ", side, 1, [LegSpec("nt8", "NQH6", 1)])
        risk.ledger.order_created(order)
        risk.ledger.execution(order, order.legs[f"{oid}.nt8"], Execution("x", 1, price, ts_ns))


def test_a_restart_keeps_the_days_realized_loss_and_a_new_day_starts_at_zero(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    first = gate(path)
    book = OrderBook()
    # Earlier days' P&L (+100) must not count; Tuesday's -300 must.
    monday = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    trade(first, book, monday, ("a", Side.BUY, 20000.0), ("b", Side.SELL, 20005.0))
    first.pnl(monday)
    first.pnl(TUESDAY_10_CHICAGO)
    trade(first, book, TUESDAY_10_CHICAGO, ("c", Side.BUY, 20000.0), ("d", Side.SELL, 19985.0))
    first.pnl(TUESDAY_10_CHICAGO)
    assert first.engine.ctx.realized_pnl_usd == -300.0  # (19985 - 20000) x $20, under the 500 limit
    first.save_if_changed(TUESDAY_10_CHICAGO)
    first.ledger.close()

    again = gate(path)  # the gateway restarts the same afternoon
    again.pnl(TUESDAY_16_CHICAGO)
    assert again.engine.ctx.realized_pnl_usd == -300.0  # not forgotten: the daily loss limit still counts it
    again.pnl(TUESDAY_18_CHICAGO)
    assert again.engine.ctx.trading_day.isoformat() == "2026-03-04"  # type: ignore[union-attr]
    assert again.engine.ctx.realized_pnl_usd == 0.0
    again.ledger.close()


def test_a_loss_just_past_the_boundary_counts_for_the_new_day(tmp_path: Path) -> None:
    risk = gate(tmp_path / "journal.sqlite3")
    book = OrderBook()
    risk.pnl(TUESDAY_16_CHICAGO)
    just_after = datetime(2026, 3, 3, 23, 5, tzinfo=UTC)  # 17:05 Chicago: Wednesday's trading day
    trade(risk, book, just_after, ("e", Side.BUY, 20000.0), ("f", Side.SELL, 19990.0))
    risk.pnl(just_after)  # the first look at the new day comes after its first loss
    assert risk.engine.ctx.trading_day.isoformat() == "2026-03-04"  # type: ignore[union-attr]
    assert risk.engine.ctx.realized_pnl_usd == -200.0
    risk.ledger.close()
