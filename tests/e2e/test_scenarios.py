"""The plan's scenarios 1 and 2 with real processes: gateway, adapters and engine, real sockets."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def collect(gw: NexusGatewayInterface) -> tuple[list[dict[str, Any]], list[dict[str, Any]], threading.Event]:
    fills: list[dict[str, Any]] = []
    ticks: list[dict[str, Any]] = []
    got = threading.Event()
    gw.set_fill_callback(lambda f: (fills.append(f), got.set()))
    gw.set_market_data_callback(ticks.append)
    return fills, ticks, got


def test_scenario_1_single_platform_flow(stack: LocalStack) -> None:
    stack.start_gateway()
    stack.start_adapter("mt5_global")
    stack.wait_online(["mt5_global"])
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="scenario1") as gw:
        fills, ticks, got = collect(gw)
        gw.start_listening()
        deadline = time.monotonic() + 5
        while not any(t["symbol"] == "NQ" for t in ticks) and time.monotonic() < deadline:
            time.sleep(0.05)
        nq = [t for t in ticks if t["symbol"] == "NQ"]
        assert nq and nq[-1]["platform"] == "mt5_global" and nq[-1]["bid"] < nq[-1]["ask"]
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
        assert order_id and got.wait(5)
    (fill,) = fills
    assert fill["order_id"] == order_id and fill["status"] == "FILLED" and fill["filled_qty"] == 1
    (leg,) = fill["legs"]
    assert leg["platform"] == "mt5_global" and leg["symbol"] == "NAS100"
    assert leg["avg_price"] == fill["avg_price"]
    status = stack.status()
    assert status["counts"]["orders"] == 1 and status["counts"]["fills"] == 1 and status["active_orders"] == []


def test_scenario_2_multi_platform_simultaneous(stack: LocalStack) -> None:
    platforms = ["nt8", "sierra", "mt5_global", "mt5_brazil"]
    stack.start_gateway()
    for name in platforms:
        stack.start_adapter(name)
    stack.wait_online(platforms)
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="scenario2") as gw:
        fills, _, got = collect(gw)
        gw.start_listening()
        stack.wait_quoted(["NQ"])
        buy = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
        assert buy and got.wait(5)
        got.clear()
        sell = gw.send_signal("NQ", signal=-1.0, confidence=0.85, qty=1)
        assert sell and got.wait(5)
    assert [f["side"] for f in fills] == ["BUY", "SELL"]
    for fill in fills:
        legs = {leg["platform"]: leg for leg in fill["legs"]}
        assert set(legs) == {"nt8", "sierra", "mt5_global"}
        assert len({leg["symbol"] for leg in legs.values()}) == 3
        assert legs["mt5_global"]["symbol"] == "NAS100"
        assert legs["mt5_global"]["filled_qty"] == 20 and legs["mt5_global"]["multiplier"] == 20  # lots per NQ
        assert fill["filled_qty"] == 3  # in NQ contracts: 1 + 1 + 20 lots / 20
        weighted = sum(leg["avg_price"] * leg["filled_qty"] / leg["multiplier"] for leg in legs.values()) / 3
        assert fill["avg_price"] == pytest.approx(weighted)
    round_trip_points = fills[1]["avg_price"] - fills[0]["avg_price"]
    assert abs(round_trip_points) < 100, "buy and sell of the same simulated market within a few points"


def test_dozen_line_sdk_script_receives_exactly_one_aggregated_fill(stack: LocalStack) -> None:
    platforms = ["nt8", "sierra", "mt5_global", "mt5_brazil"]
    stack.start_gateway()
    for name in platforms:
        stack.start_adapter(name)
    stack.wait_online(platforms)
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "send_one_signal.py"), str(stack.endpoints.nexus_port)],
        capture_output=True,
        text=True,
        timeout=30,
        env=stack.env(),
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    fill = json.loads(lines[0])
    assert fill["symbol"] == "NQ" and fill["status"] == "FILLED"
    assert sorted(leg["platform"] for leg in fill["legs"]) == ["mt5_global", "nt8", "sierra"]


def test_adapter_killed_and_restarted_reconnects_and_trades(stack: LocalStack) -> None:
    stack.start_gateway()
    for name in ("nt8", "sierra"):  # NinjaTrader's ATI carries no market data: ES quotes come from Sierra
        stack.start_adapter(name)
    stack.wait_online(["nt8", "sierra"])
    stack.kill("nt8")
    stack.wait_status(lambda s: not s["platforms"]["nt8"]["online"], 5, "nt8 offline after kill -9")
    stack.start_adapter("nt8")
    stack.wait_online(["nt8", "sierra"])
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port) as gw:
        fills, _, got = collect(gw)
        gw.start_listening()
        stack.wait_quoted(["ES"])
        assert gw.send_signal("ES", 1, 0.9) and got.wait(10)
    assert {leg["platform"]: leg["symbol"] for leg in fills[0]["legs"]}["nt8"].startswith("ES ")


def test_adapter_survives_gateway_restart_and_says_hello_again(stack: LocalStack) -> None:
    stack.start_gateway()
    stack.start_adapter("sierra")
    stack.wait_online(["sierra"])
    assert stack.stop("gateway") == 0
    stack.start_gateway()
    stack.wait_online(["sierra"], timeout_s=20)
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port) as gw:
        fills, _, got = collect(gw)
        gw.start_listening()
        stack.wait_quoted(["NQ"])
        assert gw.send_signal("NQ", -1, 0.9) and got.wait(5)
    assert fills[0]["legs"][0]["symbol"].startswith("NQ")
