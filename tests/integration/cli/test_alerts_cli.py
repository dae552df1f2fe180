"""``nexusgw alerts test`` reaches every configured sink (and names the one that fails); ``alerts watch --once``
raises *gateway offline* from outside the gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from nexus_gw.stack import free_port
from tests.conftest import CONFIG_DIR
from tests.integration.monitor.receivers import WebhookReceiver

pytestmark = pytest.mark.integration


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()


def nexusgw(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    return subprocess.run(
        [sys.executable, "-m", "nexus_gw.cli.app", *args, "--profile", "dev", "--config-dir", str(CONFIG_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **env},
    )


def test_alerts_test_delivers_to_every_sink_and_names_the_failing_one(receiver: WebhookReceiver) -> None:
    dead = f"http://127.0.0.1:{free_port()}/nobody"
    hooks = [{"url": receiver.url, "timeout_s": 2}, {"url": dead, "timeout_s": 2}]
    result = nexusgw("alerts", "test", env={"NEXUSGW_ALERTS__SINKS__WEBHOOKS": json.dumps(hooks)})
    assert result.returncode == 1, result.stdout + result.stderr
    (alert,) = receiver.received
    assert alert["code"] == "ALERT_TEST" and alert["profile"] == "dev"
    assert "log: delivered" in result.stdout and f"webhook {receiver.url[7:].split('/')[0]}: delivered" in result.stdout
    assert "FAILED" in result.stdout and "nexusgw: alerts test: not delivered to webhook 127.0.0.1" in result.stderr


def test_alerts_test_exits_2_on_a_sink_whose_secret_is_unset() -> None:
    hooks = [{"url_env": "NEXUSGW_TEST_HOOK_URL"}]
    result = nexusgw("alerts", "test", env={"NEXUSGW_ALERTS__SINKS__WEBHOOKS": json.dumps(hooks)})
    assert result.returncode == 2 and "NEXUSGW_TEST_HOOK_URL is empty or unset" in result.stderr


def test_alerts_watch_once_alerts_gateway_offline(receiver: WebhookReceiver) -> None:
    env = {
        "NEXUSGW_GATEWAY__SOCKETS__ADMIN": f"tcp://127.0.0.1:{free_port()}",  # nobody answers there
        "NEXUSGW_ALERTS__SINKS__WEBHOOKS": json.dumps([{"url": receiver.url}]),
    }
    result = nexusgw("alerts", "watch", "--once", "--every", "0.5", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    (alert,) = receiver.received
    assert alert["code"] == "GATEWAY_OFFLINE_S" and alert["severity"] == "CRITICAL"
