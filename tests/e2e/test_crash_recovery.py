"""kill -9 of the gateway while legs are open: every fill reaches NEXUS exactly once, no leg is sent twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.journal import Journal, journal_path
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e


@pytest.fixture
def slow_fill_stack(tmp_path: Path) -> Iterator[LocalStack]:
    env = {
        "NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25",
        "NEXUSGW_PLATFORMS__NT8__SETTINGS__FILL_LATENCY_MS": "2500",
        "NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__FILL_LATENCY_MS": "2500",
    }
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    yield s
    s.stop_all()


def test_gateway_kill_9_with_open_legs_then_restart_delivers_each_fill_once(slow_fill_stack: LocalStack) -> None:
    stack = slow_fill_stack
    stack.start_gateway()
    for name in ("nt8", "mt5_global"):
        stack.start_adapter(name)
    stack.wait_online(["nt8", "mt5_global"])
    fills: list[dict[str, Any]] = []
    got = threading.Event()
    gw = NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="survivor", liveness_s=1.0)
    gw.connect()
    gw.set_fill_callback(lambda f: (fills.append(f), got.set()))
    gw.start_listening()
    try:
        time.sleep(0.5)
        order_id = gw.send_signal("NQ", 1.0, 0.9, qty=1)
        assert order_id, gw.last_refusal
        time.sleep(0.5)  # both legs are at the platforms, fills due in ~2 s
        stack.kill("gateway")
        time.sleep(3.0)  # the simulated platforms fill while the gateway is dead
        stack.start_gateway()
        stack.wait_online(["nt8", "mt5_global"])
        assert got.wait(10), "the fill never reached NEXUS"
        time.sleep(1.5)  # room for any duplicate to show up
    finally:
        gw.close()
    assert len(fills) == 1
    fill = fills[0]
    assert fill["order_id"] == order_id and fill["filled_qty"] == 2 and fill["status"] == "FILLED"
    for name in ("nt8", "mt5_global"):
        submissions = [
            line for line in stack.log_path(name).read_text().splitlines() if f"order {order_id}.{name}:" in line
        ]
        assert len(submissions) == 1, f"{name} received the leg {len(submissions)} times"
    with Journal.open(journal_path(stack.run_dir / "data"), readonly=True) as journal:
        legs = sorted(f.leg_id for f in journal.query_fills())
        assert legs == sorted([f"{order_id}.nt8", f"{order_id}.mt5_global"])
        assert [d for d in journal.pending() if d.kind == "FILL"] == []
