"""Kill switch end to end: open orders on four dev platforms (nt8 through ATI files against the simulated
NinjaTrader, Sierra over the DTC simulator, both MT5 instances through the MetaTrader5 double), activate, restart,
release."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.sierra.dtc.session import DtcSession
from nexus_gw.adapters.sierra.dtc.settings import SessionConfig
from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR, wait_for
from tests.e2e.mt5_double import working_orders

pytestmark = pytest.mark.e2e
PLATFORMS = ["nt8", "sierra", "mt5_global", "mt5_brazil"]
SIM = ["nt8"]  # NinjaTrader 8 through ATI, against the simulated NinjaTrader
MT5 = ["mt5_global", "mt5_brazil"]


@pytest.fixture
def ks_stack(tmp_path: Path) -> Iterator[LocalStack]:
    env = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    yield s
    s.stop_all()


def ninjatrader_working(stack: LocalStack, name: str) -> list[str]:
    """The orders working at the simulated NinjaTrader (its companion's JSON view of its orders)."""
    path = stack.companion_state_files[name]
    return list(json.loads(path.read_text())["working"]) if path.exists() else []


def working(stack: LocalStack, tmp_path: Path, name: str) -> list[Any]:
    """The orders still working at platform ``name`` (NinjaTrader's view, or the MT5 terminal's orders_get)."""
    return working_orders(stack, name) if name in MT5 else ninjatrader_working(stack, name)


def sierra_open_orders(stack: LocalStack) -> list[Any]:
    session = DtcSession(SessionConfig(port=stack.companion_ports["sierra"], trade_account="Sim1", reconnect=False))
    session.start()
    try:
        assert session.wait_until_logged_on(10)
        return list(session.request_open_orders())
    finally:
        session.stop()


def nexusgw(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nexus_gw.cli.app", *args, "--config-dir", str(CONFIG_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
        env=stack.env(),
    )


def test_killswitch_cancels_everywhere_refuses_signals_survives_restart_and_releases(
    ks_stack: LocalStack, tmp_path: Path
) -> None:
    stack = ks_stack
    stack.start_gateway()
    stack.start_companions(PLATFORMS)
    for name in PLATFORMS:
        stack.start_adapter(name)
    stack.wait_online(PLATFORMS)
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="ks-engine") as gw:
        gw.start_listening()
        stack.wait_quoted(["NQ", "WIN"])
        for root, price in (("NQ", 1000.0), ("WIN", 1000.0)):  # far below the market: they rest
            assert gw.send_signal(root, 1.0, 0.9, qty=1, order_type="LIMIT", limit_price=price), gw.last_refusal
        wait_for(lambda: all(working(stack, tmp_path, n) for n in SIM + MT5), 10, "limit orders resting everywhere")
        wait_for(lambda: len(sierra_open_orders(stack)) == 1, 10, "the limit order resting at Sierra")

        result = nexusgw(stack, "killswitch", "activate", "--reason", "e2e drill")
        assert result.returncode == 0, result.stderr
        assert "KILL SWITCH ACTIVE" in result.stdout and "cancel requested for 4 legs on 4 platforms" in result.stdout
        wait_for(lambda: not any(working(stack, tmp_path, n) for n in SIM + MT5), 10, "no working order anywhere")
        assert sierra_open_orders(stack) == []
        assert gw.send_signal("ES", 1.0, 0.9, qty=1) is None
        assert gw.last_refusal.startswith("RISK_KILL_SWITCH")

    assert stack.stop("gateway") == 0
    stack.start_gateway()
    status = stack.wait_online(PLATFORMS)
    assert status["risk"]["kill_switch"]["active"] and status["risk"]["kill_switch"]["reason"] == "e2e drill"
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="ks-engine") as gw:
        gw.start_listening()
        time.sleep(0.5)
        assert gw.send_signal("ES", 1.0, 0.9, qty=1) is None
        assert "KILL_SWITCH" in gw.last_refusal
        released = nexusgw(stack, "killswitch", "release", "--reason", "drill over")
        assert released.returncode == 0 and "kill switch off" in released.stdout
        stack.wait_quoted(["ES"])
        assert gw.send_signal("ES", 1.0, 0.9, qty=1), gw.last_refusal
    assert nexusgw(stack, "killswitch", "status").stdout.startswith("kill switch off")


def open_resting_orders(stack: LocalStack, tmp_path: Path) -> None:
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="ks-engine") as gw:
        gw.start_listening()
        stack.wait_quoted(["NQ", "WIN"])
        for root in ("NQ", "WIN"):  # far below the market: they rest
            assert gw.send_signal(root, 1.0, 0.9, qty=1, order_type="LIMIT", limit_price=1000.0), gw.last_refusal
        wait_for(lambda: all(working(stack, tmp_path, n) for n in SIM + MT5), 20, "limit orders resting everywhere")
        wait_for(lambda: len(sierra_open_orders(stack)) == 1, 20, "the limit order resting at Sierra")


def test_platforms_offline_at_activation_get_their_orders_cancelled_when_their_adapters_come_back(
    ks_stack: LocalStack, tmp_path: Path
) -> None:
    stack = ks_stack
    stack.start_gateway()
    stack.start_companions(PLATFORMS)
    for name in PLATFORMS:
        stack.start_adapter(name)
    stack.wait_online(PLATFORMS)
    open_resting_orders(stack, tmp_path)
    for name in ("sierra", "mt5_global"):  # the adapters die; their orders keep working at the platforms
        stack.stop(name)
    stack.wait_status(
        lambda s: not s["platforms"]["sierra"]["online"] and not s["platforms"]["mt5_global"]["online"],
        20,
        "sierra and mt5_global offline",
    )

    result = nexusgw(stack, "killswitch", "activate", "--reason", "offline drill", "--wait", "3")
    assert result.returncode == 1, result.stdout + result.stderr  # legs still working after 3 s
    assert "cancel requested for 4 legs on 4 platforms" in result.stdout
    assert "pending cancel: sierra leg" in result.stdout and "pending cancel: mt5_global leg" in result.stdout
    assert "NOT complete" in result.stdout and "cancelled legs" not in result.stdout
    wait_for(
        lambda: not working(stack, tmp_path, "nt8") and not working(stack, tmp_path, "mt5_brazil"), 20, "online ones"
    )
    assert working(stack, tmp_path, "mt5_global") and len(sierra_open_orders(stack)) == 1  # not reached yet

    for name in ("sierra", "mt5_global"):
        stack.start_adapter(name)
    done = nexusgw(stack, "killswitch", "status", "--wait", "60")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kill switch complete" in done.stdout
    assert not working(stack, tmp_path, "mt5_global")
    assert sierra_open_orders(stack) == []
    status = stack.status()
    assert status["kill_switch_progress"]["complete"] and status["active_orders"] == []


def test_a_gateway_killed_after_journaling_the_activation_cancels_everything_after_restart(
    ks_stack: LocalStack, tmp_path: Path
) -> None:
    stack = ks_stack
    stack.extra_env["NEXUSGW_FAILPOINT"] = "killswitch.after_journal"
    stack.start_gateway()
    stack.start_companions(PLATFORMS)
    for name in PLATFORMS:
        stack.start_adapter(name)
    stack.wait_online(PLATFORMS)
    open_resting_orders(stack, tmp_path)

    result = nexusgw(stack, "killswitch", "activate", "--reason", "crash drill")
    assert result.returncode == 1 and "not answering" in result.stderr  # the gateway died before answering
    assert stack.procs["gateway"].wait(timeout=10) == 137
    assert all(working(stack, tmp_path, n) for n in SIM + MT5)  # nothing went out
    assert len(sierra_open_orders(stack)) == 1

    del stack.extra_env["NEXUSGW_FAILPOINT"]
    stack.start_gateway()
    status = stack.wait_online(PLATFORMS, timeout_s=30)
    assert status["risk"]["kill_switch"]["active"] and status["risk"]["kill_switch"]["reason"] == "crash drill"
    done = nexusgw(stack, "killswitch", "status", "--wait", "60")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kill switch complete" in done.stdout
    wait_for(lambda: not any(working(stack, tmp_path, n) for n in SIM + MT5), 20, "no working order anywhere")
    assert sierra_open_orders(stack) == []
