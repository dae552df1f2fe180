"""The SDK and the simulated adapters against an in-process gateway, over real sockets."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.runner import AdapterRunner
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.driver import SimDriver
from nexus_gw.client import AsyncNexusGateway, NexusCommunicationAdapter, NexusGatewayInterface
from nexus_gw.errors import GatewayUnavailable
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints, free_port

pytestmark = pytest.mark.integration


class Runners:
    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.items: list[tuple[AdapterRunner, threading.Thread]] = []

    def start(self, name: str, **settings: Any) -> AdapterRunner:
        defaults: dict[str, Any] = {"tick_interval_ms": 50, "fill_latency_ms": 10, "seed": 7}
        driver = SimDriver(name, SimSettings(**{**defaults, **settings}))
        runner = AdapterRunner(name, driver, self.endpoints.platform, heartbeat_interval_s=0.2)
        thread = threading.Thread(target=runner.run, name=f"adapter-{name}", daemon=True)
        thread.start()
        self.items.append((runner, thread))
        return runner

    def stop(self) -> None:
        for runner, thread in self.items:
            runner.stop_event.set()
            thread.join(timeout=5)


@pytest.fixture
def runners(endpoints: Endpoints, running_gateway: Gateway) -> Iterator[Runners]:
    r = Runners(endpoints)
    yield r
    r.stop()


def wait_online(gateway: Gateway, names: list[str], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(n in gateway.peers.platforms and gateway.peers.platforms[n].online for n in names):
            return
        time.sleep(0.05)
    raise AssertionError(f"platforms not online: {names}")


def test_sdk_send_signal_gets_one_fill_with_a_leg_per_nq_platform(
    runners: Runners, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    for name in ("nt8", "sierra", "mt5_global", "mt5_brazil"):
        runners.start(name)
    wait_online(running_gateway, ["nt8", "sierra", "mt5_global", "mt5_brazil"])
    fills: list[dict[str, Any]] = []
    ticks: list[dict[str, Any]] = []
    got_fill = threading.Event()
    gateway = NexusGatewayInterface("127.0.0.1", endpoints.nexus_port)
    gateway.connect()
    gateway.set_fill_callback(lambda f: (fills.append(f), got_fill.set()))
    gateway.set_market_data_callback(ticks.append)
    gateway.start_listening()
    try:
        time.sleep(0.3)
        order_id = gateway.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
        assert order_id
        assert got_fill.wait(5)
        time.sleep(0.3)
    finally:
        gateway.close()
    assert len(fills) == 1
    fill = fills[0]
    assert fill["order_id"] == order_id and fill["status"] == "FILLED"
    assert {leg["platform"] for leg in fill["legs"]} == {"nt8", "sierra", "mt5_global"}
    assert fill["filled_qty"] == 3
    legs_avg = sum(leg["avg_price"] * leg["filled_qty"] / leg["multiplier"] for leg in fill["legs"]) / 3
    assert fill["avg_price"] == pytest.approx(legs_avg)
    assert {t["symbol"] for t in ticks} <= {"NQ", "ES", "WIN", "WDO"}
    assert {"NQ", "WIN"} <= {t["symbol"] for t in ticks}


def test_partial_fills_and_rejects_from_the_simulator(
    runners: Runners, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    runners.start("nt8", fills_per_order=3)
    runners.start("sierra", reject_rate=1.0)
    wait_online(running_gateway, ["nt8", "sierra"])
    updates: list[dict[str, Any]] = []
    fills: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", endpoints.nexus_port) as gw:
        gw.set_order_status_callback(updates.append)
        gw.set_fill_callback(fills.append)
        gw.start_listening()
        assert gw.send_signal("ES", signal=-1, confidence=0.9, qty=3)
        deadline = time.monotonic() + 5
        while not fills and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(fills) == 1
    fill = fills[0]
    legs = {leg["platform"]: leg for leg in fill["legs"]}
    assert legs["nt8"]["filled_qty"] == 3 and legs["nt8"]["status"] == "FILLED"
    assert legs["sierra"]["status"] == "REJECTED" and "simulated reject" in legs["sierra"]["reason"]
    assert fill["status"] == "PARTIALLY_FILLED" and fill["filled_qty"] == 3
    assert any(u["status"] == "PARTIALLY_FILLED" and not u["final"] for u in updates)


def test_platform_disconnect_mid_order_reports_its_fill_after_reconnect(
    runners: Runners, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    runner = runners.start("nt8", disconnect_after_s=1.5, disconnect_for_s=1.0, fill_latency_ms=500, fills_per_order=4)
    wait_online(running_gateway, ["nt8"])
    fills: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", endpoints.nexus_port) as gw:
        gw.set_fill_callback(fills.append)
        gw.set_order_status_callback(updates.append)
        gw.start_listening()
        assert gw.send_signal("NQ", 1, 0.9, qty=4)
        offline_seen = False
        deadline = time.monotonic() + 8
        while not fills and time.monotonic() < deadline:
            offline_seen |= not running_gateway.peers.platforms["nt8"].online
            time.sleep(0.02)
    assert offline_seen, "the simulated platform never went down during the order"
    assert runner.driver.connected
    assert len(fills) == 1 and fills[0]["filled_qty"] == 4 and fills[0]["status"] == "FILLED"
    partial = [u["filled_qty"] for u in updates if u["status"] == "PARTIALLY_FILLED"]
    assert partial and partial == sorted(partial) and max(partial) < 4


def test_refused_signal_returns_none_with_reason(
    runners: Runners, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    with NexusGatewayInterface("127.0.0.1", endpoints.nexus_port) as gw:
        assert gw.send_signal("NQ", 1, 0.9) is None
        assert "NO_ROUTE" in gw.last_refusal
        assert gw.send_signal("NOPE", 1, 0.9) is None
        assert gw.last_refusal.startswith("UNKNOWN_SYMBOL")


def test_connect_to_absent_gateway_raises_clear_error() -> None:
    gw = NexusGatewayInterface("127.0.0.1", free_port(), timeout_s=0.5)
    with pytest.raises(GatewayUnavailable, match="is `nexusgw serve` running"):
        gw.connect()


def test_async_client_and_communication_adapter_trade_through_the_gateway(
    runners: Runners, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    runners.start("mt5_brazil")
    wait_online(running_gateway, ["mt5_brazil"])

    class Pipeline:
        def __init__(self) -> None:
            self.sent = False
            self.fills: list[dict[str, Any]] = []

        def process_market_data(self, data: dict[str, Any]) -> dict[str, Any] | None:
            if data["symbol"] == "WIN" and not self.sent:
                self.sent = True
                return {"symbol": "WIN", "signal": 1.0, "confidence": 0.8, "qty": 2}
            return None

        async def on_fill(self, fill: dict[str, Any]) -> None:
            self.fills.append(fill)

    async def scenario() -> tuple[Pipeline, NexusCommunicationAdapter]:
        pipeline = Pipeline()
        adapter = NexusCommunicationAdapter(pipeline, gateway_host="127.0.0.1", gateway_port=endpoints.nexus_port)
        await adapter.start()
        for _ in range(100):
            if pipeline.fills:
                break
            await asyncio.sleep(0.05)
        await adapter.stop()
        return pipeline, adapter

    pipeline, adapter = asyncio.run(scenario())
    assert len(adapter.signals_sent) == 1
    assert pipeline.fills and pipeline.fills[0]["symbol"] == "WIN"
    assert pipeline.fills[0]["legs"][0]["symbol"].startswith("WIN")

    async def direct() -> str | None:
        client = AsyncNexusGateway("127.0.0.1", endpoints.nexus_port)
        await client.connect()
        try:
            return await client.send_signal("NQ", 1, 0.9)
        finally:
            await client.close()

    assert asyncio.run(direct()) is None  # no NQ platform online: refused, not hung


def test_replayed_tick_file_drives_market_data(
    runners: Runners, running_gateway: Gateway, endpoints: Endpoints, tmp_path: Path
) -> None:
    ticks = tmp_path / "ticks.csv"
    ticks.write_text(
        "time,symbol,bid,ask,last,size\n"
        "2025-03-14T14:30:00.000Z,NQ,20000.00,20000.25,20000.25,1\n"
        "2025-03-14T14:30:00.100Z,NQ,20001.00,20001.25,20001.00,2\n"
        "2025-03-14T14:30:00.200Z,NQ,20002.00,20002.25,20002.25,3\n"
    )
    seen: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", endpoints.nexus_port) as gw:
        gw.set_market_data_callback(seen.append)
        gw.start_listening()
        runners.start("nt8", replay_file=ticks, replay_speed=2.0)
        deadline = time.monotonic() + 5
        while len(seen) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [t["last"] for t in seen[:3]] == [20000.25, 20001.00, 20002.25]
    assert {t["platform"] for t in seen} == {"nt8"}
