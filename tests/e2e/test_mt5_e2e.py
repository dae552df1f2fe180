"""MT5 end to end: gateway and `nexusgw adapter mt5_global|mt5_brazil` as processes against the MetaTrader5
double, NEXUS through the SDK. The shipped dev profile runs both instances on the remote backend against the
double's rpyc server (the driver's development companion); a copy of it runs mt5_global on the local backend,
the adapter process importing the double as its ``MetaTrader5`` module."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rpyc

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e

LOCAL_GLOBAL = """  mt5_global:
    driver: mt5
    settings: {backend: local, server: GlobalCFD-Demo, market: cfd, poll_interval_s: 0.02}
    sizing:
      NQ: {multiplier: 20, volume_step: 0.01, max_volume: 200}
      ES: {multiplier: 50, volume_step: 0.01, max_volume: 500}
"""
# What a Windows PC has as `import MetaTrader5`: here the double, its markets open at any hour.
SHIM = """import sys
from nexus_gw.adapters.mt5.double import create
_terminal = create("global", realtime=True)
_terminal._double.set_market_open(True)
sys.modules[__name__] = _terminal
"""
ENV = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}


@pytest.fixture
def dev_stack(tmp_path: Path) -> Iterator[LocalStack]:
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=dict(ENV))
    yield s
    s.stop_all()


@pytest.fixture
def local_backend_stack(tmp_path: Path) -> Iterator[LocalStack]:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    dev = config / "profiles" / "dev.yaml"
    text = dev.read_text()
    start, end = text.index("  mt5_global:"), text.index("  mt5_brazil:")
    dev.write_text(text[:start] + LOCAL_GLOBAL + text[end:])
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "MetaTrader5.py").write_text(SHIM)
    path = os.pathsep.join(p for p in (str(shim), os.environ.get("PYTHONPATH", "")) if p)
    s = LocalStack("dev", config, tmp_path / "run", extra_env={**ENV, "PYTHONPATH": path})
    yield s
    s.stop_all()


def wait_for(what: str, condition: Any, timeout_s: float = 30.0, detail: Any = lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s}s waiting for {what}; {detail()}"
        time.sleep(0.02)


class Engine:
    """The NEXUS side: fills, updates and ticks as the SDK delivers them."""

    def __init__(self, gw: NexusGatewayInterface) -> None:
        self.gw = gw
        self.fills: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.ticks: list[dict[str, Any]] = []
        gw.set_fill_callback(self.fills.append)
        gw.set_order_status_callback(self.updates.append)
        gw.set_market_data_callback(self.ticks.append)
        gw.start_listening()

    def wait_ticks(self, roots: set[str]) -> None:
        # the gateway refuses a signal on a symbol without fresh market data: wait for the feeds first
        wait_for(f"{roots} market data", lambda: {t["symbol"] for t in list(self.ticks)} >= roots)

    def filled(self, order_id: str, stack: LocalStack) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            return next((f for f in list(self.fills) if f["order_id"] == order_id and f["status"] == "FILLED"), None)

        wait_for(
            f"the fill of {order_id}",
            lambda: done() is not None,
            detail=lambda: f"updates {self.updates}\n" + "\n".join(stack.tail(n) for n in stack.procs),
        )
        found = done()
        assert found is not None
        return found


def terminal(stack: LocalStack, platform: str) -> Any:
    """The MetaTrader5 module of ``platform``'s double, as a second program beside the terminal sees it."""
    conn = rpyc.classic.connect("127.0.0.1", stack.companion_ports[platform])
    return conn


def test_nq_fills_on_mt5_global_as_20_nas100_lots_and_win_on_mt5_brazil_as_the_front_contract_with_usd_pnl(
    dev_stack: LocalStack,
) -> None:
    stack = dev_stack
    stack.start_gateway()
    for name in ("mt5_global", "mt5_brazil"):
        stack.start_adapter(name)  # after its companion, the double's rpyc server
    stack.wait_online(["mt5_global", "mt5_brazil"], timeout_s=30)
    front_win = stack.status()["front_contracts"]["WIN"]
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="mt5-e2e") as gw:
        engine = Engine(gw)
        engine.wait_ticks({"NQ", "WIN", "WDO"})
        nq = gw.send_signal("NQ", signal=1.0, confidence=0.9, qty=1)
        opened = gw.send_signal("WIN", signal=-1.0, confidence=0.9, qty=1)
        assert nq and opened, gw.last_refusal
        (nq_leg,) = engine.filled(nq, stack)["legs"]
        assert (nq_leg["platform"], nq_leg["symbol"], nq_leg["filled_qty"]) == ("mt5_global", "NAS100", 20)
        (win_leg,) = engine.filled(opened, stack)["legs"]
        assert (win_leg["platform"], win_leg["symbol"], win_leg["filled_qty"]) == ("mt5_brazil", front_win, 1)
        positions = {}
        for name in ("mt5_global", "mt5_brazil"):
            conn = terminal(stack, name)
            try:
                positions[name] = [(p.symbol, p.type, p.volume) for p in conn.modules.MetaTrader5.positions_get()]
                if name == "mt5_brazil":  # the market rallies 500 points against the short
                    bid = float(conn.modules.MetaTrader5.symbol_info_tick(front_win).bid)
                    conn.modules.MetaTrader5._double.set_price(front_win, bid + 500.0)
            finally:
                conn.close()
        assert positions == {"mt5_global": [("NAS100", 0, 20.0)], "mt5_brazil": [(front_win, 1, 1.0)]}

        closed = gw.send_signal("WIN", signal=1.0, confidence=0.9, qty=1)  # buy the short back
        assert closed, gw.last_refusal
        fill = engine.filled(closed, stack)
    rate = stack.status()["fx"]["rate"]  # BRL per USD, from mt5_brazil's WDO quotes
    assert fill["currency"] == "BRL" and fill["realized_pnl"] < -90  # ~500 points x R$0.20 lost
    assert fill["realized_pnl_usd"] == pytest.approx(fill["realized_pnl"] / rate, rel=0.02)


def test_nq_fills_on_mt5_global_through_the_local_backend(local_backend_stack: LocalStack) -> None:
    stack = local_backend_stack
    stack.start_gateway()
    stack.start_adapter("mt5_global")
    stack.wait_online(["mt5_global"], timeout_s=30)
    assert "mt5_global" not in stack.companion_ports  # no rpyc server: the adapter imports MetaTrader5 itself
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="mt5-local") as gw:
        engine = Engine(gw)
        engine.wait_ticks({"NQ"})
        nq = gw.send_signal("NQ", signal=-1.0, confidence=0.9, qty=1)
        assert nq, gw.last_refusal
        (leg,) = engine.filled(nq, stack)["legs"]
    assert (leg["platform"], leg["symbol"], leg["filled_qty"]) == ("mt5_global", "NAS100", 20)
    assert "connected to GlobalCFD-Demo" in stack.log_path("mt5_global").read_text()
