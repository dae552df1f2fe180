"""Plan scenario 4: the gateway rolls NQH25 -> NQM25 on the roll date; the engine keeps saying "NQ"."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e

# NQH25 rolls on Monday 2025-03-17; the Globex trade date starts 17:00 Chicago (CDT) the evening before.
ROLL_UTC = "2025-03-16T22:00:00+00:00"


@pytest.fixture
def rolling_stack(tmp_path: Path) -> Iterator[LocalStack]:
    s = LocalStack(
        "dev",
        CONFIG_DIR,
        tmp_path / "run",
        extra_env={
            "NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25",
            "NEXUSGW_GATEWAY__CLOCK__START": "2025-03-16T21:59:40+00:00",
        },
    )
    yield s
    s.stop_all()


def trade_nq(
    gw: NexusGatewayInterface, fills: list[dict[str, Any]], got: threading.Event, side: float
) -> dict[str, Any]:
    got.clear()
    assert gw.send_signal("NQ", signal=side, confidence=0.9, qty=1), gw.last_refusal
    assert got.wait(5)
    return fills[-1]


def test_scenario_4_rollover_switches_new_orders_to_the_next_contract(rolling_stack: LocalStack) -> None:
    stack = rolling_stack
    for name in ("nt8", "sierra", "mt5_global"):  # platforms and adapters first: the gateway's clock starts with it
        stack.start_adapter(name)
    stack.start_gateway()
    before = stack.wait_online(["nt8", "sierra", "mt5_global"])
    assert before["front_contracts"]["NQ"] == "NQH25"
    assert before["clock"] < ROLL_UTC
    fills: list[dict[str, Any]] = []
    ticks: list[dict[str, Any]] = []
    got = threading.Event()
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="unchanged-engine") as gw:
        gw.set_fill_callback(lambda f: (fills.append(f), got.set()))
        gw.set_market_data_callback(ticks.append)
        gw.start_listening()
        stack.wait_quoted(["NQ"])
        old = {leg["platform"]: leg["symbol"] for leg in trade_nq(gw, fills, got, 1.0)["legs"]}
        assert old == {"nt8": "NQ 03-25", "sierra": "NQH25", "mt5_global": "NAS100"}
        after = stack.wait_status(lambda s: s["front_contracts"]["NQ"] == "NQM25", 40, "the NQ roll")
        assert after["clock"] >= ROLL_UTC
        assert after["rolls"][0]["root"] == "NQ" and after["rolls"][0]["from"] == "NQH25"
        time.sleep(0.5)
        ticks_after_roll = len(ticks)
        new = {leg["platform"]: leg["symbol"] for leg in trade_nq(gw, fills, got, -1.0)["legs"]}
        time.sleep(0.5)
    assert new == {"nt8": "NQ 06-25", "sierra": "NQM25", "mt5_global": "NAS100"}
    assert [f["symbol"] for f in fills] == ["NQ", "NQ"]
    assert len(ticks) > ticks_after_roll, "market data of the new contract keeps flowing as NQ"
    assert {t["symbol"] for t in ticks} <= {"NQ", "ES", "WIN", "WDO"}
