"""The SDK acknowledges a FILL only after the application's callback returned: a callback that raises (or an
engine that dies first) gets the fill again from the gateway, in the blocking client and the pipeline adapter."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nexus_gw.adapters.runner import AdapterRunner
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.driver import SimDriver
from nexus_gw.client import NexusCommunicationAdapter, NexusGatewayInterface
from nexus_gw.journal import Journal, journal_path
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints

pytestmark = pytest.mark.integration


@pytest.fixture
def sierra(endpoints: Endpoints, running_gateway: Gateway) -> Iterator[None]:
    settings = SimSettings(tick_interval_ms=50, fill_latency_ms=10, seed=7)
    runner = AdapterRunner("sierra", SimDriver("sierra", settings), endpoints.platform, heartbeat_interval_s=0.2)
    thread = threading.Thread(target=runner.run, name="adapter-sierra", daemon=True)
    thread.start()
    until(lambda: "sierra" in running_gateway.peers.platforms and running_gateway.peers.platforms["sierra"].online)
    yield
    runner.stop_event.set()
    thread.join(timeout=5)


def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def unacked_fills(gateway: Gateway) -> list[str]:
    with Journal.open(journal_path(gateway.data_dir), readonly=True) as journal:
        return [d.order_id for d in journal.pending() if d.kind == "FILL"]


def test_blocking_client_does_not_acknowledge_a_fill_whose_callback_raised(
    sierra: None, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    calls: list[dict[str, Any]] = []

    def crashing(fill: dict[str, Any]) -> None:
        calls.append(fill)
        raise RuntimeError("the engine fell over while booking the fill")

    client = NexusGatewayInterface("127.0.0.1", endpoints.nexus_port, name="booker")
    client.connect()
    client.set_fill_callback(crashing)
    client.start_listening()
    try:
        order_id = client.send_signal("ES", signal=1.0, confidence=0.9, qty=1)
        assert order_id
        until(lambda: len(calls) == 1)
        time.sleep(0.3)  # give a (wrong) acknowledgement time to arrive before looking
        assert unacked_fills(running_gateway) == [order_id]
    finally:
        client.close()

    booked: list[dict[str, Any]] = []
    again = NexusGatewayInterface("127.0.0.1", endpoints.nexus_port, name="booker")  # the engine restarted
    again.set_fill_callback(booked.append)
    again.start_listening()
    again.connect()
    try:
        until(lambda: [f["order_id"] for f in booked] == [order_id])
        until(lambda: unacked_fills(running_gateway) == [])
    finally:
        again.close()


def test_pipeline_adapter_acknowledges_a_fill_only_after_on_fill_returned(
    sierra: None, running_gateway: Gateway, endpoints: Endpoints
) -> None:
    class Pipeline:
        def __init__(self, fail: bool) -> None:
            self.fail = fail
            self.fills: list[dict[str, Any]] = []

        def process_market_data(self, data: dict[str, Any]) -> None:
            return None

        async def on_fill(self, fill: dict[str, Any]) -> None:
            self.fills.append(fill)
            if self.fail:
                raise RuntimeError("booking failed")

    async def run(pipeline: Pipeline, signal: bool) -> str | None:
        adapter = NexusCommunicationAdapter(pipeline, gateway_port=endpoints.nexus_port, name="piper")
        await adapter.start()
        try:
            order_id = await adapter.gateway.send_signal("ES", 1.0, 0.9, qty=1) if signal else None
            deadline = time.monotonic() + 10
            while not pipeline.fills and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # time for an acknowledgement to reach the gateway
            return order_id
        finally:
            await adapter.stop()

    failing = Pipeline(fail=True)
    order_id = asyncio.run(run(failing, signal=True))
    assert order_id and [f["order_id"] for f in failing.fills] == [order_id]
    assert unacked_fills(running_gateway) == [order_id]
    working = Pipeline(fail=False)
    asyncio.run(run(working, signal=False))  # restarted: the fill comes again
    assert [f["order_id"] for f in working.fills] == [order_id]
    until(lambda: unacked_fills(running_gateway) == [])
