"""The risk state is journaled at once when a decision changes it, and at a bounded rate when only prices move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nexus_gw.config.loader import load_reference
from nexus_gw.domain.book import OrderBook
from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.engine import RiskEngine
from nexus_gw.journal import Journal
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.riskgate import STATE_EVENT, UNREALIZED_SAVE_EVERY_S, RiskGate
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.integration

INSTRUMENTS = load_reference(CONFIG_DIR).instruments
TUESDAY_10_CHICAGO = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


def saved_states(risk: RiskGate) -> list[dict[str, object]]:
    return [dict(e.data) for e in risk.ledger.journal.events(STATE_EVENT)]


@pytest.fixture
def risk(tmp_path: Path) -> Iterator[RiskGate]:
    ledger = Ledger(Journal.open(tmp_path / "journal.sqlite3"), INSTRUMENTS, lambda amount, ccy: amount)
    ledger.recover(OrderBook())
    gate = RiskGate(RiskEngine(RiskConfig()), ledger, INSTRUMENTS, lambda ccy, now: 1.0)
    gate.restore()
    yield gate
    ledger.close()


def test_prices_alone_are_saved_at_most_once_per_interval_and_the_last_value_is_not_lost(risk: RiskGate) -> None:
    now = TUESDAY_10_CHICAGO
    risk.save_if_changed(now)
    assert len(saved_states(risk)) == 1
    ctx = risk.engine.ctx
    for step in range(50):  # prices move every pass for a tenth of the interval
        ctx.unrealized_pnl_usd = -10.0 * (step + 1)
        risk.save_if_changed(now + timedelta(seconds=UNREALIZED_SAVE_EVERY_S * step / 500))
    assert len(saved_states(risk)) == 1  # not one write per pass
    risk.save_if_changed(now + timedelta(seconds=UNREALIZED_SAVE_EVERY_S))
    states = saved_states(risk)
    assert len(states) == 2 and states[-1]["unrealized_pnl_usd"] == -500.0  # the latest value, once due


def test_a_decision_is_saved_at_once_even_right_after_a_price_save(risk: RiskGate) -> None:
    now = TUESDAY_10_CHICAGO
    risk.save_if_changed(now)
    risk.engine.ctx.unrealized_pnl_usd = -25.0
    risk.engine.ctx.daily_trades += 1  # a decision-side change beside the price
    risk.save_if_changed(now + timedelta(milliseconds=1))
    states = saved_states(risk)
    assert len(states) == 2 and states[-1]["daily_trades"] == 1 and states[-1]["unrealized_pnl_usd"] == -25.0
    risk.engine.activate_kill_switch("desk", "drill", now)  # and the kill switch a millisecond later: at once too
    risk.save_if_changed(now + timedelta(milliseconds=2))
    assert len(saved_states(risk)) == 3 and saved_states(risk)[-1]["trading_states"] != states[-1]["trading_states"]
