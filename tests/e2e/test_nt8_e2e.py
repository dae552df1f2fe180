"""NinjaTrader 8 end to end, both modes: gateway and `nexusgw adapter nt8` as processes, the simulated NinjaTrader
(the ATI simulator, or the compiled C# harness) as the stack's companion, NEXUS through the SDK.

The profile is ``dev`` with its nt8 instance switched to the real driver (the block ``NT8_DEV_BLOCK``), in a copy
of the config directory."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.nt8.harness import HarnessUnavailable, build
from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e

NT8_DEV_BLOCK = """  nt8:
    driver: nt8
    settings: {{mode: {mode}, simulator: true, account: Sim101, ati_poll_interval_s: 0.05}}
"""


def nt8_config(tmp_path: Path, mode: str) -> Path:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    dev = config / "profiles" / "dev.yaml"
    text, count = re.subn(r"  nt8:.*\n(    .*\n)+", NT8_DEV_BLOCK.format(mode=mode), dev.read_text(), count=1)
    assert count == 1, "the dev profile has no nt8 block to replace"
    dev.write_text(text)
    return config


@pytest.fixture(params=["ati", "bridge"])
def nt8_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalStack]:
    if request.param == "bridge":
        try:
            build(tmp_path / "run")
        except HarnessUnavailable as exc:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI must run the C# bridge end to end: {exc}")
            pytest.skip(str(exc))
    stack = LocalStack(
        "dev",
        nt8_config(tmp_path, str(request.param)),
        tmp_path / "run",
        extra_env={"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"},
    )
    yield stack
    codes = stack.stop_all()
    assert codes.get("gateway") in (None, 0), f"gateway did not stop cleanly:\n{stack.tail('gateway')}"


def ati_free(stack: LocalStack) -> bool:
    """The nt8 instance runs the bridge (market data of its own)."""
    from nexus_gw.config.loader import load_profile

    return load_profile(stack.profile, stack.config_dir).profile.platforms["nt8"].settings.get("mode") == "bridge"


def test_an_nq_signal_becomes_an_nt8_order_in_nt8_format_and_its_fill_comes_back(nt8_stack: LocalStack) -> None:
    nt8_stack.start_companion("nt8", timeout_s=120)  # the bridge harness may be compiled first
    # ATI carries no market data: the risk checks take NQ's price from sierra's feed, as in the dev profile
    platforms = ["nt8"] if nt8_stack.companions()["nt8"] and ati_free(nt8_stack) else ["nt8", "sierra"]
    nt8_stack.start_gateway()
    for platform in platforms:
        nt8_stack.start_adapter(platform)
    nt8_stack.wait_online(platforms)
    fills: list[dict[str, Any]] = []
    filled = threading.Event()
    with NexusGatewayInterface("127.0.0.1", nt8_stack.endpoints.nexus_port, name="nt8-e2e") as gw:
        ticks: list[dict[str, Any]] = []
        gw.set_market_data_callback(ticks.append)
        gw.set_fill_callback(lambda f: (fills.append(f), filled.set()))
        gw.start_listening()
        feed = "nt8" if platforms == ["nt8"] else "sierra"  # the bridge streams NinjaTrader's own market data
        deadline = time.monotonic() + 15
        while not any(t["symbol"] == "NQ" and t["platform"] == feed for t in list(ticks)):
            assert time.monotonic() < deadline, f"no NQ market data from {feed}"
            time.sleep(0.02)
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=2)
        assert order_id and filled.wait(20), nt8_stack.tail("nt8")
        deadline = time.monotonic() + 10
        while fills[-1]["status"] != "FILLED":
            assert time.monotonic() < deadline, fills
            time.sleep(0.05)
    final = fills[-1]
    assert final["order_id"] == order_id and final["avg_price"] > 0
    assert final["filled_qty"] == sum(leg["filled_qty"] for leg in final["legs"])  # aggregated over the platforms
    (leg,) = [leg for leg in final["legs"] if leg["platform"] == "nt8"]
    assert leg["filled_qty"] == 2
    assert re.fullmatch(r"NQ \d\d-\d\d", leg["symbol"]), leg  # NinjaTrader's instrument name, e.g. NQ 12-26
    log = nt8_stack.log_path("nt8").read_text()
    assert len(re.findall(rf"order {re.escape(leg['leg_id'])}: .*(written|sent)", log)) == 1, "sent once"
