"""An adapter that dies right after it sent a leg to its platform, before it read the platform's answer: the
platform fills the leg meanwhile, and the restarted adapter binds it from its write-ahead store and the platform's
report, so NEXUS gets exactly one FILL and the leg is never taken for "never received".

Gateway, adapter and (for Sierra) the DTC simulator run as processes; the adapter dies through the failpoint
``NEXUSGW_FAILPOINT`` (``os._exit(137)``, as abrupt as ``kill -9``)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.failpoints import ENV as FAILPOINT_ENV
from nexus_gw.journal import Journal
from nexus_gw.journal.store import journal_path
from nexus_gw.stack import LocalStack, setting_env
from tests.conftest import CONFIG_DIR, wait_for

pytestmark = pytest.mark.e2e


class Engine:
    def __init__(self, gw: NexusGatewayInterface) -> None:
        self.fills: list[dict[str, Any]] = []
        self.filled = threading.Event()
        gw.set_fill_callback(lambda f: (self.fills.append(f), self.filled.set()))


def wait_exit(stack: LocalStack, name: str, timeout_s: float = 20.0) -> int:
    proc = stack.procs[name]
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None:
        assert time.monotonic() < deadline, f"{name} did not reach its failpoint:\n{stack.tail(name)}"
        time.sleep(0.05)
    return proc.returncode


def leg_of(journal_dir: Path, order_id: str, platform: str) -> Any:
    with Journal.open(journal_path(journal_dir), readonly=True) as journal:
        order = journal.load_order(order_id)
    assert order is not None
    return next(leg for leg in order.legs.values() if leg.platform == platform)


def run_kill_after_submit(
    stack: LocalStack, platform: str, failpoint: str, platform_filled: Any, platform_qty: float = 1
) -> None:
    """Send NQ qty 1 to ``platform`` alone (``platform_qty`` in its units); its adapter dies at ``failpoint``; the
    platform fills; restart."""
    stack.start_gateway()
    stack.extra_env[FAILPOINT_ENV] = failpoint
    stack.start_adapter(platform)
    del stack.extra_env[FAILPOINT_ENV]
    stack.wait_online([platform])
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="engine") as gw:
        engine = Engine(gw)
        quoted = threading.Event()
        gw.set_market_data_callback(lambda tick: tick["symbol"] == "NQ" and quoted.set())
        gw.start_listening()
        assert quoted.wait(30), "no NQ quote from the platform: the gateway would refuse the signal as stale"
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.9, qty=1)
        assert order_id, gw.last_refusal
        assert wait_exit(stack, platform) == 137
        wait_for(platform_filled, 20, f"{platform} to fill the leg while its adapter is down")
        assert not engine.fills
        stack.start_adapter(platform)  # no failpoint this time; same state directory
        stack.wait_online([platform])
        assert engine.filled.wait(30), f"no FILL after the restart:\n{stack.tail(platform, 40)}"
        time.sleep(1.0)  # a second FILL would be here by now
    (fill,) = engine.fills
    assert fill["order_id"] == order_id and fill["status"] == "FILLED" and fill["filled_qty"] == 1
    (leg,) = fill["legs"]
    assert leg["platform"] == platform and leg["filled_qty"] == platform_qty and leg["status"] == "FILLED"
    journaled = leg_of(stack.run_dir / "data", order_id, platform)
    assert journaled.status.value == "FILLED" and "never received" not in journaled.reason
    assert "never received" not in stack.log_path("gateway").read_text()
    adapter_log = stack.log_path(platform).read_text()
    assert adapter_log.count(f"runner: order {order_id}.{platform}:") == 1, "the leg was sent to the platform once"


def test_sierra_adapter_killed_before_reading_the_acceptance_binds_the_leg_from_the_history(tmp_path: Path) -> None:
    stack = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env={"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"})
    try:
        stack.start_companion("sierra", args=["--fill-latency", "0.05", "--partial-fills", "1"])

        def sierra_filled() -> bool:
            path = stack.companion_state_files["sierra"]  # written at the simulator's first change
            return path.exists() and bool(json.loads(path.read_text())["fills"])

        run_kill_after_submit(stack, "sierra", "sierra.after_submit", sierra_filled)
        state = json.loads(stack.companion_state_files["sierra"].read_text())
        assert len(state["orders"]) == 1, "one order at Sierra, never resent"
        assert "is Sierra order" in stack.log_path("sierra").read_text()  # bound from the fill history
    finally:
        stack.stop_all()


def test_mt5_adapter_killed_right_after_the_submit_fills_the_leg_once_after_the_restart(tmp_path: Path) -> None:
    stack = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env={"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"})
    try:
        stack.start_companion("mt5_global")

        def terminal_dealt() -> bool:  # the MetaTrader5 double keeps its deals across restarts of the adapter
            path = stack.companion_state_files["mt5_global"]
            return path.exists() and bool(json.loads(path.read_text())["books"]["deals"])

        run_kill_after_submit(stack, "mt5_global", "adapter.after_submit", terminal_dealt, platform_qty=20)
        deals = json.loads(stack.companion_state_files["mt5_global"].read_text())["books"]["deals"]
        assert [d["volume"] for d in deals] == [20.0], "one deal of 20 NAS100 lots: the leg was sent once"
    finally:
        stack.stop_all()


def test_mt5_adapter_killed_between_its_write_ahead_and_the_send_ends_the_leg_as_never_received(
    tmp_path: Path,
) -> None:
    """The adapter wrote the leg ahead and acknowledged it, then died before ``order_send``: MT5 never saw it. The
    restarted adapter holds it in doubt for ``in_doubt_grace_s``, finds no order or deal of it in MT5's lists and
    rejects it, so the engine gets the order's final answer instead of a root blocked forever."""
    env = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25", setting_env("mt5_global", "in_doubt_grace_s"): "1"}
    stack = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    try:
        stack.start_companion("mt5_global")
        stack.start_gateway()
        stack.extra_env[FAILPOINT_ENV] = "adapter.before_submit"
        stack.start_adapter("mt5_global")
        del stack.extra_env[FAILPOINT_ENV]
        stack.wait_online(["mt5_global"])
        finals: dict[str, dict[str, Any]] = {}
        with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="engine") as gw:
            gw.set_order_status_callback(lambda u: finals.setdefault(u["order_id"], u) if u.get("final") else None)
            gw.start_listening()
            stack.wait_quoted(["NQ"])
            order_id = gw.send_signal("NQ", signal=1.0, confidence=0.9, qty=1)
            assert order_id, gw.last_refusal
            assert wait_exit(stack, "mt5_global") == 137
            stack.start_adapter("mt5_global")
            stack.wait_online(["mt5_global"])
            wait_for(lambda: order_id in finals, 30, "the order's final answer at the engine")
        final = finals[order_id]
        assert final["status"] == "REJECTED" and final["filled_qty"] == 0
        (leg,) = final["legs"]
        assert leg["status"] == "REJECTED" and "never reached MT5" in leg["reason"]
        path = stack.companion_state_files["mt5_global"]  # the double writes it at its first trade
        books = json.loads(path.read_text())["books"] if path.exists() else {}
        assert not books.get("deals") and not books.get("history_orders"), "MT5 never got the leg"
        assert "never reached MT5" in stack.log_path("mt5_global").read_text()
    finally:
        stack.stop_all()
