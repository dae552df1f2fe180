"""MT5 end to end: gateway and `nexusgw adapter mt5_global|mt5_brazil` as processes, each against the MetaTrader5
double's rpyc server (the driver's development companion, `backend: remote`), NEXUS through the SDK.

The shipped dev profile keeps its MT5 instances on the simulated driver; this test runs a copy of it whose MT5
instances use `driver: mt5`."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack

pytestmark = pytest.mark.e2e
rpyc = pytest.importorskip("rpyc")

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
MT5_INSTANCES = """  mt5_global:
    driver: mt5
    settings: {backend: remote, double: true, server: GlobalCFD-Demo, market: cfd, poll_interval_s: 0.02}
    sizing:
      NQ: {multiplier: 20, volume_step: 0.01, max_volume: 200}
      ES: {multiplier: 50, volume_step: 0.01, max_volume: 500}
  mt5_brazil:
    driver: mt5
    settings: {backend: remote, double: true, server: CorretoraExemplo-DEMO, market: exchange, poll_interval_s: 0.02}
"""


@pytest.fixture
def mt5_stack(tmp_path: Path) -> Iterator[LocalStack]:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    dev = config / "profiles" / "dev.yaml"
    text = dev.read_text()
    start, end = text.index("  mt5_global:\n"), text.index("\nrisk:")
    dev.write_text(text[:start] + MT5_INSTANCES + text[end:])
    s = LocalStack("dev", config, tmp_path / "run", extra_env={"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"})
    yield s
    s.stop_all()


def wait_for(what: str, condition: Any, timeout_s: float = 30.0, detail: Any = lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s}s waiting for {what}; {detail()}"
        time.sleep(0.02)


def test_nq_fills_on_mt5_global_as_20_nas100_lots_and_win_on_mt5_brazil_as_the_front_contract(
    mt5_stack: LocalStack,
) -> None:
    stack = mt5_stack
    stack.start_gateway()
    for name in ("mt5_global", "mt5_brazil"):
        stack.start_adapter(name)  # after its companion, the double's rpyc server
    stack.wait_online(["mt5_global", "mt5_brazil"], timeout_s=30)
    front_win = stack.status()["front_contracts"]["WIN"]
    fills: list[dict[str, Any]] = []
    got = threading.Event()
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="mt5-e2e") as gw:
        updates: list[dict[str, Any]] = []
        gw.set_fill_callback(lambda f: (fills.append(f), got.set()))
        ticks: list[dict[str, Any]] = []
        gw.set_order_status_callback(updates.append)
        gw.set_market_data_callback(ticks.append)
        gw.start_listening()
        # the gateway refuses a signal on a symbol without fresh market data: wait for both feeds first
        wait_for("NQ and WIN market data from MT5", lambda: {t["symbol"] for t in list(ticks)} >= {"NQ", "WIN"})
        nq = gw.send_signal("NQ", signal=1.0, confidence=0.9, qty=1)
        win = gw.send_signal("WIN", signal=-1.0, confidence=0.9, qty=1)
        wait_for(
            "both fills",
            lambda: {f["order_id"] for f in fills if f["status"] == "FILLED"} >= {nq, win},
            detail=lambda: (
                f"orders {nq}, {win}; fills {fills}; updates {updates}\n"
                + "\n".join(stack.tail(n) for n in ("mt5_global", "mt5_brazil", "gateway"))
            ),
        )
    by_order = {f["order_id"]: f for f in fills if f["status"] == "FILLED"}
    (nq_leg,) = by_order[nq]["legs"]
    assert (nq_leg["platform"], nq_leg["symbol"], nq_leg["filled_qty"]) == ("mt5_global", "NAS100", 20)
    (win_leg,) = by_order[win]["legs"]
    assert (win_leg["platform"], win_leg["symbol"], win_leg["filled_qty"]) == ("mt5_brazil", front_win, 1)
    positions = {}
    for name in ("mt5_global", "mt5_brazil"):
        conn = rpyc.classic.connect("127.0.0.1", stack.companion_ports[name])
        try:
            positions[name] = [(p.symbol, p.type, p.volume) for p in conn.modules.MetaTrader5.positions_get()]
        finally:
            conn.close()
    assert positions == {"mt5_global": [("NAS100", 0, 20.0)], "mt5_brazil": [(front_win, 1, 1.0)]}
