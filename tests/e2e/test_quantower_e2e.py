"""Quantower end to end: gateway and `nexusgw adapter quantower` as processes against the simulated Quantower (the
driver's development companion, as the dev profile runs it), NEXUS through the SDK: a signal on NQ becomes a
Quantower order in its Rithmic spelling (NQZ6) and its fills are aggregated."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e

ENV = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    s = LocalStack("dev", config, tmp_path / "run", extra_env=dict(ENV))
    yield s
    s.stop_all()


def wait_for(what: str, condition: Any, timeout_s: float = 30.0, detail: Any = lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s}s waiting for {what}; {detail()}"
        time.sleep(0.02)


def test_nq_signal_becomes_a_quantower_order_in_rithmic_spelling_and_its_fills_are_aggregated(
    stack: LocalStack,
) -> None:
    stack.start_gateway()
    stack.start_adapter("quantower")  # after its companion, the simulated Quantower
    stack.wait_online(["quantower"], timeout_s=30)
    fills: list[dict[str, Any]] = []
    ticks: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="quantower-e2e") as gw:
        gw.set_fill_callback(fills.append)
        gw.set_market_data_callback(ticks.append)
        gw.set_order_status_callback(updates.append)
        gw.start_listening()
        wait_for("NQ market data", lambda: any(t["symbol"] == "NQ" for t in list(ticks)))
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.9, qty=1)
        assert order_id, gw.last_refusal

        def done() -> dict[str, Any] | None:
            return next((f for f in list(fills) if f["order_id"] == order_id and f["status"] == "FILLED"), None)

        wait_for(
            f"the fill of {order_id}",
            lambda: done() is not None,
            detail=lambda: f"updates {updates}\n" + "\n".join(stack.tail(n) for n in stack.procs),
        )
    fill = done()
    assert fill is not None
    (leg,) = [leg for leg in fill["legs"] if leg["platform"] == "quantower"]
    assert re.fullmatch(r"NQ[HMUZ]\d", leg["symbol"]) and leg["filled_qty"] == 1, leg  # e.g. NQZ6
    port = stack.companion_ports["quantower"]
    simulator_log = stack.log_path(stack.companion_name("quantower")).read_text()
    assert f"simulated Quantower listening on 127.0.0.1:{port}" in simulator_log
    placed = [line for line in simulator_log.splitlines() if "simulated Quantower: placed " in line]
    assert len(placed) == 1 and f"BUY 1 {leg['symbol']} MARKET OPENED" in placed[0], placed
    assert f"Quantower bridge up at 127.0.0.1:{port}" in stack.log_path("quantower").read_text()
