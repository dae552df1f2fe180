"""Metrics and alerts against the running dev stack: live values, promtool's lint, status agreeing with the
scrape, and a killed platform reaching a webhook receiver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.config.loader import load_profile
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR, wait_for
from tests.integration.monitor.receivers import WebhookReceiver

pytestmark = pytest.mark.e2e
PLATFORMS = list(load_profile("dev", CONFIG_DIR).profile.enabled_platforms())  # each against its development double
QUOTING = ["sierra", "mt5_global", "mt5_brazil"]  # platforms that stream market data (NT8's ATI files carry none)


def promtool() -> str | None:
    path = shutil.which("promtool")
    if path is None and os.environ.get("CI") == "true":
        pytest.fail("promtool is missing under CI=true; .ci/run installs it from Debian's prometheus package")
    return path


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()


@pytest.fixture
def mon_stack(tmp_path: Path, receiver: WebhookReceiver) -> Iterator[LocalStack]:
    env = {
        "NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25",
        "NEXUSGW_MONITORING__METRICS__PUBLISH_EVERY_S": "0.2",
        "NEXUSGW_ALERTS__RULES__PLATFORM_OFFLINE_S__THRESHOLD": "1",
        "NEXUSGW_ALERTS__SINKS__WEBHOOKS": json.dumps([{"url": receiver.url, "timeout_s": 2}]),
    }
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    yield s
    s.stop_all()


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_live_values_promtool_and_status_agree_then_a_killed_platform_alerts(
    mon_stack: LocalStack, receiver: WebhookReceiver
) -> None:
    stack = mon_stack
    stack.start_gateway()
    for name in PLATFORMS:
        stack.start_adapter(name)
    stack.wait_online(PLATFORMS, timeout_s=30)
    url = stack.status()["metrics"]["endpoint"]
    assert url and url.startswith("http://127.0.0.1:")
    fills: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="metrics-e2e") as gw:
        gw.set_fill_callback(fills.append)
        gw.start_listening()
        stack.wait_quoted(["NQ"])
        for i in range(3):
            assert gw.send_signal("NQ", 1.0 if i % 2 == 0 else -1.0, 0.9, qty=1), gw.last_refusal
            wait_for(lambda n=i: len(fills) > n, 15, f"fill {i + 1}")
    status = stack.wait_status(lambda s: s["metrics"]["counts"]["fills"] == 3, 10, "3 fills in the published figures")
    text = scrape(url)
    values = samples(text)
    assert values[("nexusgw_signals_total", ())] == 3
    assert values[("nexusgw_fills_total", ())] == 3
    assert values[("nexusgw_signal_to_fill_latency_seconds_count", ())] == 3
    nq_platforms = {leg["platform"] for leg in fills[0]["legs"]}
    assert len(nq_platforms) >= 3, fills[0]
    for name in nq_platforms:
        assert values[("nexusgw_gateway_added_latency_seconds_count", (("platform", name),))] == 3
        assert values[("nexusgw_position", (("platform", name), ("root", "NQ")))] > 0  # buy, sell, buy: long
    for name in QUOTING:
        assert values[("nexusgw_market_data_ticks_total", (("platform", name),))] > 0
    for name in PLATFORMS:
        assert values[("nexusgw_platform_online", (("platform", name),))] == 1
    assert values[("nexusgw_platforms_online", ())] == len(PLATFORMS) and values[("nexusgw_fill_rate_ratio", ())] == 1
    assert values[("nexusgw_journal_write_seconds_count", ())] > 0
    assert values[("nexusgw_process_resident_memory_bytes", ())] > 0
    assert values[("nexusgw_kill_switch_active", ())] == 0
    assert values[("nexusgw_trading_state", (("state", "ACTIVE"),))] == 1
    # status --json agrees with the scrape: same counts (the scrape and status read the same published figures)
    figures = stack.status()["metrics"]
    assert figures["counts"]["signals"] == values[("nexusgw_signals_total", ())]
    assert figures["counts"]["orders"] == values[("nexusgw_orders_total", ())]
    assert figures["counts"]["fills"] == values[("nexusgw_fills_total", ())] == status["counts"]["fills"]
    assert figures["latency"]["signal_to_fill_seconds"]["count"] == 3
    tool = promtool()
    if tool is not None:
        lint = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        assert lint.returncode == 0, lint.stdout + lint.stderr

    stack.kill("sierra")  # the adapter dies: its alert reaches the log and the webhook within the rule's time
    killed = time.monotonic()
    alert = wait_for(
        lambda: next(
            (a for a in receiver.received if a["code"] == "PLATFORM_OFFLINE_S" and "sierra" in a["message"]), None
        ),
        15,
        "the platform-offline alert at the webhook",
    )
    assert "sierra" in alert["message"] and alert["severity"] == "CRITICAL" and alert["profile"] == "dev"
    assert time.monotonic() - killed < 15
    assert "ALERT CRITICAL PLATFORM_OFFLINE_S" in stack.tail("gateway", 200)
    delivered = samples(scrape(url))
    assert delivered[("nexusgw_alert_deliveries_total", (("outcome", "delivered"),))] >= 1
