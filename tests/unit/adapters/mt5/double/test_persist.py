"""With a state file, a new double (a restarted adapter process) finds the same account, orders and deals."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_gw.adapters.mt5.double import create
from tests.unit.adapters.mt5.double.conftest import OPEN, market, pending, started


def test_a_restarted_double_sees_the_same_terminal(tmp_path: Path) -> None:
    state = tmp_path / "mt5_brazil.json"
    b3 = started("brazil", state_path=state)
    filled = market(b3, "WINZ26", b3.ORDER_TYPE_BUY, 2.0)
    bid = b3.symbol_info("WINZ26").bid
    placed = pending(b3, "WINZ26", b3.ORDER_TYPE_BUY_LIMIT, 1.0, bid - 500)
    b3.shutdown()
    again = started("brazil", state_path=state)
    assert [p.volume for p in again.positions_get()] == [2.0]
    assert [o.ticket for o in again.orders_get()] == [placed.order]
    assert [d.order for d in again.history_deals_get(ticket=filled.order)] == [filled.order]
    assert market(again, "WINZ26", again.ORDER_TYPE_SELL, 2.0).order > placed.order  # tickets keep counting


def test_a_state_file_of_another_broker_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "mt5.json"
    started("global", state_path=state).shutdown()
    with pytest.raises(ValueError, match="for broker 'global'"):
        create("brazil", start=OPEN, state_path=state)
