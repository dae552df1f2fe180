"""Sierra Chart end to end: gateway and `nexusgw adapter sierra` as processes, the DTC simulator as a process,
NEXUS through the SDK, real sockets throughout, in the binary and JSON encodings."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack

pytestmark = pytest.mark.e2e

ENCODING_ENV = "NEXUSGW_PLATFORMS__SIERRA__SETTINGS__ENCODING"


class Nexus:
    """What a signal engine sees: ticks, order updates and aggregated fills."""

    def __init__(self, gw: NexusGatewayInterface) -> None:
        self.ticks: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.fills: list[dict[str, Any]] = []
        self.filled = threading.Event()
        gw.set_market_data_callback(self.ticks.append)
        gw.set_order_status_callback(self.updates.append)
        gw.set_fill_callback(lambda f: (self.fills.append(f), self.filled.set()))

    def wait_for(self, what: str, condition: Any, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, f"timed out after {timeout_s}s waiting for {what}"
            time.sleep(0.02)

    def sierra_nq_ticks(self) -> list[dict[str, Any]]:
        return [t for t in list(self.ticks) if t["symbol"] == "NQ" and t["platform"] == "sierra"]


def start_sierra_stack(stack: LocalStack, encoding: str, *sim_args: str) -> int:
    stack.extra_env[ENCODING_ENV] = encoding
    port = stack.start_companion("sierra", args=["--encoding", encoding, *sim_args])
    stack.start_gateway()
    stack.start_adapter("sierra")
    stack.wait_online(["sierra"])
    return port


def simulator_orders(stack: LocalStack) -> list[dict[str, Any]]:
    state = json.loads(stack.companion_state_files["sierra"].read_text())
    return list(state["orders"])


@pytest.mark.parametrize("encoding", ["binary", "json"])
def test_nq_signal_trades_the_front_contract_at_sierra_and_one_fill_comes_back(
    stack: LocalStack, encoding: str
) -> None:
    start_sierra_stack(stack, encoding)
    front = stack.status()["front_contracts"]["NQ"]
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name=f"sierra-{encoding}") as gw:
        nexus = Nexus(gw)
        gw.start_listening()
        nexus.wait_for("NQ market data from sierra", lambda: len(nexus.sierra_nq_ticks()) >= 2)
        tick = nexus.sierra_nq_ticks()[-1]
        assert 0 < tick["bid"] < tick["ask"] and tick["last"] > 0
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
        assert order_id and nexus.filled.wait(10)
        time.sleep(0.3)
    (fill,) = nexus.fills
    assert fill["order_id"] == order_id and fill["symbol"] == "NQ" and fill["status"] == "FILLED"
    (leg,) = fill["legs"]
    assert leg["platform"] == "sierra" and leg["symbol"] == front and leg["filled_qty"] == 1
    assert fill["filled_qty"] == 1 and fill["avg_price"] == leg["avg_price"] > 0
    (placed,) = simulator_orders(stack)
    assert placed["symbol"] == front and placed["client_order_id"] == leg["leg_id"] and placed["side"] == 1
    adapter_log = stack.log_path("sierra").read_text()
    assert f"({encoding})" in adapter_log  # the encoding the session logged on with
    granted = "JSON granted" if encoding == "json" else "BINARY granted"
    assert granted in stack.log_path(stack.companion_name("sierra")).read_text()


@pytest.mark.parametrize("encoding", ["binary", "json"])
def test_simulator_killed_mid_order_and_restarted_the_fill_is_counted_once(stack: LocalStack, encoding: str) -> None:
    slow_second_fill = ("--fill-latency", "0.05", "--fill-interval", "4", "--partial-fills", "2")
    port = start_sierra_stack(stack, encoding, *slow_second_fill)
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name=f"kill-{encoding}") as gw:
        nexus = Nexus(gw)
        gw.start_listening()
        nexus.wait_for("NQ market data from sierra", lambda: bool(nexus.sierra_nq_ticks()))
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=2)
        assert order_id
        nexus.wait_for(
            "the first of two executions",
            lambda: any(u["order_id"] == order_id and u["filled_qty"] == 1 for u in list(nexus.updates)),
        )

        stack.kill(stack.companion_name("sierra"))  # kill -9: accepted, half filled, second fill pending
        stack.wait_status(lambda s: not s["platforms"]["sierra"]["online"], 10, "sierra offline after kill -9")
        assert not nexus.fills
        stack.start_companion(
            "sierra", port, stack.companion_state_files["sierra"], args=["--encoding", encoding, *slow_second_fill]
        )
        stack.wait_online(["sierra"])
        assert nexus.filled.wait(15)
        time.sleep(0.5)  # a second FILL would arrive by now
    (fill,) = nexus.fills
    assert fill["order_id"] == order_id and fill["status"] == "FILLED" and fill["filled_qty"] == 2
    (leg,) = fill["legs"]
    assert leg["platform"] == "sierra" and leg["filled_qty"] == 2
    counts = stack.status()["counts"]
    assert counts["leg_fills"] == 2, counts
    assert counts.get("duplicate_fills", 0) >= 1, f"the re-reported execution was not seen: {counts}"
    assert counts.get("bad_fills", 0) == 0
    assert len(simulator_orders(stack)) == 1  # one order at Sierra, never resent
