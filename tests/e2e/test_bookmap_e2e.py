"""Bookmap end to end: gateway and `nexusgw adapter bookmap` as processes against the fake Bookmap (the driver's
development companion), NEXUS through the SDK. The profile is a copy of dev with the bookmap instance added exactly
as the dev profile gets it (BOOKMAP below)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.e2e

BOOKMAP = """  bookmap:                  # Bookmap via Rithmic ("NQZ6.CME@RITHMIC"); here the fake Bookmap
    driver: bookmap
    settings: {fake: true, port: 18920, reconnect_initial_s: 0.25, reconnect_max_s: 2}
"""
ENV = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}


def with_bookmap(config: Path) -> None:
    dev = config / "profiles" / "dev.yaml"
    text = dev.read_text()
    if "\n  bookmap:" not in text:
        at = text.index("\nrisk:")
        dev.write_text(text[:at].rstrip("\n") + "\n" + BOOKMAP + text[at:])


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    with_bookmap(config)
    s = LocalStack("dev", config, tmp_path / "run", extra_env=dict(ENV))
    yield s
    s.stop_all()


def wait_for(what: str, condition: Any, timeout_s: float = 30.0, detail: Any = lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s}s waiting for {what}; {detail()}"
        time.sleep(0.02)


def test_nq_signal_becomes_a_bookmap_order_in_rithmic_alias_and_its_fills_are_aggregated(stack: LocalStack) -> None:
    stack.start_gateway()
    stack.start_adapter("bookmap")  # after its companion, the fake Bookmap
    stack.wait_online(["bookmap"], timeout_s=30)
    fills: list[dict[str, Any]] = []
    ticks: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="bookmap-e2e") as gw:
        gw.set_fill_callback(fills.append)
        gw.set_market_data_callback(ticks.append)
        gw.set_order_status_callback(updates.append)
        gw.start_listening()
        wait_for("NQ market data", lambda: any(t["symbol"] == "NQ" for t in list(ticks)))
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.9, qty=1)
        assert order_id, gw.last_refusal

        def done() -> dict[str, Any] | None:
            return next((f for f in list(fills) if f["order_id"] == order_id and f["status"] == "FILLED"), None)

        wait_for(
            f"the fill of {order_id}",
            lambda: done() is not None,
            detail=lambda: f"updates {updates}\n" + "\n".join(stack.tail(n) for n in stack.procs),
        )
    fill = done()
    assert fill is not None
    legs = [leg for leg in fill["legs"] if leg["platform"] == "bookmap"]
    assert len(legs) == 1, fill
    (leg,) = legs
    assert leg["symbol"].startswith("NQ") and leg["symbol"].endswith(".CME@RITHMIC"), leg  # e.g. NQZ6.CME@RITHMIC
    assert len(leg["symbol"]) == len("NQZ6.CME@RITHMIC") and leg["filled_qty"] == 1, leg
    fake_log = stack.log_path(stack.companion_name("bookmap")).read_text()
    assert f"fake Bookmap listening on 127.0.0.1:{stack.companion_ports['bookmap']}" in fake_log
    assert (
        f"connected to Bookmap on 127.0.0.1:{stack.companion_ports['bookmap']}" in stack.log_path("bookmap").read_text()
    )
