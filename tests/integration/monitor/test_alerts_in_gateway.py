"""A forced condition in a running gateway reaches a person: a loss past the limit lands in the log and at a
webhook receiver within the rule's time, and the kill switch is on."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest

from nexus_gw.client.admin import admin_request
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer
from tests.integration.monitor.receivers import WebhookReceiver
from tests.integration.server.test_risk_in_gateway import PlatformFactory, fill_next, signal

pytestmark = pytest.mark.integration

RECEIVER = WebhookReceiver()  # one per module: the gateway's environment is fixed before it starts


@pytest.fixture(scope="module", autouse=True)
def _close_receiver() -> Iterator[None]:
    yield
    RECEIVER.close()
    HANGING.close()


LOSS_ENV = {
    "NEXUSGW_RISK__LIMITS__MAX_DAILY_LOSS_USD": "150",
    "NEXUSGW_MONITORING__METRICS__PUBLISH_EVERY_S": "0.1",
    "NEXUSGW_ALERTS__SINKS__WEBHOOKS": json.dumps([{"url": RECEIVER.url, "timeout_s": 2}]),
}


@pytest.mark.parametrize("gateway_env", [LOSS_ENV], indirect=True)
def test_a_loss_past_the_limit_alerts_the_log_and_the_webhook_and_the_kill_switch_is_on(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, signal("open"))
    fill_next(nt8, 21000.0)
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    nexus_peer.send(MsgType.SIGNAL, signal("close", direction=-1))
    fill_next(nt8, 20990.0)  # 10 points x $20 = -$200, past the limit of $150
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    breached = time.monotonic()
    deadline = breached + 10
    while time.monotonic() < deadline and "DAILY_LOSS_USD" not in RECEIVER.codes():
        time.sleep(0.05)
    (alert,) = [a for a in RECEIVER.received if a["code"] == "DAILY_LOSS_USD"]
    assert alert["severity"] == "CRITICAL" and "-200.00 USD" in alert["message"]
    assert "kill switch is active" in alert["message"]
    # the risk engine's own DAILY_LOSS_LIMIT is superseded by the profile's rule: one message, not two
    assert "DAILY_LOSS_LIMIT" not in RECEIVER.codes()
    assert any("ALERT CRITICAL DAILY_LOSS_USD" in r.getMessage() for r in caplog.records)
    status = admin_request(endpoints.admin, "status")
    assert status["risk"]["kill_switch"]["active"]
    figures = status["metrics"]
    assert figures["trading"]["kill_switch"] and figures["trading"]["daily_pnl_usd"] == pytest.approx(-200.0)
    assert figures["trading"]["limit_usage"]["daily_loss"] == pytest.approx(200 / 150)
    deadline = time.monotonic() + 5  # the delivery is counted in a later publication
    while time.monotonic() < deadline and not figures["alerts"]["deliveries"]["delivered"]:
        time.sleep(0.1)
        figures = admin_request(endpoints.admin, "status")["metrics"]
    assert figures["alerts"]["deliveries"]["delivered"] >= 1


HANGING = socket.socket()  # accepts connections (the kernel's backlog) and never answers
HANGING.bind(("127.0.0.1", 0))
HANGING.listen(16)
HANG_ENV = {
    "NEXUSGW_MONITORING__METRICS__PUBLISH_EVERY_S": "0.1",
    "NEXUSGW_ALERTS__RULES__PLATFORM_OFFLINE_S__THRESHOLD": "0",
    "NEXUSGW_ALERTS__REPEAT_EVERY_S": "0",
    "NEXUSGW_ALERTS__SINKS__WEBHOOKS": json.dumps(
        [{"url": f"http://127.0.0.1:{HANGING.getsockname()[1]}/hang", "timeout_s": 60}]
    ),
}


@pytest.mark.parametrize("gateway_env", [HANG_ENV], indirect=True)
def test_a_hanging_webhook_never_stalls_trading(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints, running_gateway: Gateway
) -> None:
    nt8, _ = platform_peer_factory("nt8")  # the three other platforms stay offline: alerts every publication
    time.sleep(0.5)
    for i in range(5):
        started = time.monotonic()
        nexus_peer.send(MsgType.SIGNAL, signal(f"s{i}", direction=1 if i % 2 == 0 else -1))
        fill_next(nt8, 21000.0)
        nexus_peer.recv_until(lambda t, _: t is MsgType.FILL, timeout_s=3)
        assert time.monotonic() - started < 3
    deadline = time.monotonic() + 5  # the next publication (every 0.1 s) has them
    figures = admin_request(endpoints.admin, "status", timeout_s=1)["metrics"]
    while figures["counts"]["fills"] < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
        figures = admin_request(endpoints.admin, "status", timeout_s=1)["metrics"]
    assert figures["counts"]["fills"] == 5
    deliveries = figures["alerts"]["deliveries"]
    assert deliveries["delivered"] >= 1  # the log sink kept delivering
    notifier = running_gateway.monitoring.notifier
    assert notifier is not None
    webhook = [w for w in notifier.workers if w.sink.name.startswith("webhook")]
    assert webhook and webhook[0].delivered == 0 and webhook[0].failed == 0  # still hanging on its first alert
