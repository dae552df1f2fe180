"""Each sink against a real receiver on loopback: the JSON webhook, SMTP (aiosmtpd), and a bad configuration."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from nexus_gw.config.monitoring import EmailSink as EmailSettings
from nexus_gw.config.monitoring import Sinks, WebhookSink
from nexus_gw.monitor.delivery import Notifier
from nexus_gw.monitor.sinks import EmailSink, build_sinks
from nexus_gw.monitor.sinks import WebhookSink as Webhook
from tests.integration.monitor.receivers import SmtpReceiver, WebhookReceiver

pytestmark = pytest.mark.integration
ALERT: dict[str, Any] = {"severity": "CRITICAL", "code": "PLATFORM_OFFLINE_S", "message": "platform sierra is offline"}


def test_webhook_posts_the_alert_as_json() -> None:
    receiver = WebhookReceiver()
    try:
        Webhook(receiver.url, 2.0).send({**ALERT, "gateway": "gw1"})
        assert receiver.received == [{**ALERT, "gateway": "gw1"}]
    finally:
        receiver.close()


def test_a_webhook_answering_an_error_fails_loudly() -> None:
    receiver = WebhookReceiver(status=500)
    try:
        with pytest.raises(OSError, match="500"):
            Webhook(receiver.url, 2.0).send(ALERT)
    finally:
        receiver.close()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_over_smtp_with_login_from_the_environment() -> None:
    smtp = SmtpReceiver(require_login=True)
    try:
        settings = EmailSettings(
            host="127.0.0.1",
            port=smtp.port,
            security="none",
            username="gw",
            password_env="TEST_SMTP_PASSWORD",
            from_addr="gw@example.com",
            to=["ops@example.com", "trader@example.com"],
        )
        (sink,) = [s for s in build_sinks(Sinks(log=False, email=[settings]), {"TEST_SMTP_PASSWORD": "s3cret"})]
        assert isinstance(sink, EmailSink)
        sink.send({**ALERT, "gateway": "gw1"})
        (msg,) = smtp.messages
        assert msg["Subject"] == "[CRITICAL] gw1: PLATFORM_OFFLINE_S"
        assert msg["To"] == "ops@example.com, trader@example.com"
        assert json.loads(msg.get_payload())["message"] == "platform sierra is offline"
        assert smtp.logins == [("gw", "s3cret")]
    finally:
        smtp.close()


def test_webhook_and_email_through_the_notifier_threads() -> None:
    receiver, smtp = WebhookReceiver(), SmtpReceiver()
    try:
        sinks = Sinks(
            webhooks=[WebhookSink(url_env="TEST_HOOK")],
            email=[EmailSettings(host="127.0.0.1", port=smtp.port, security="none", from_addr="a@b.c", to=["d@e.f"])],
        )
        notifier = Notifier(build_sinks(sinks, {"TEST_HOOK": receiver.url}), extra={"profile": "dev"})
        notifier.start()
        assert notifier.submit(ALERT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (receiver.received and smtp.messages):
            time.sleep(0.05)
        notifier.stop()
        assert receiver.received[0]["profile"] == "dev" and len(smtp.messages) == 1
        assert notifier.stats()["deliveries"]["delivered"] == 3  # log, webhook, email
    finally:
        receiver.close()
        smtp.close()


def test_a_secret_env_var_that_is_unset_is_named() -> None:
    with pytest.raises(ValueError, match="NEXUSGW_HOOK_URL is empty or unset"):
        build_sinks(Sinks(webhooks=[WebhookSink(url_env="NEXUSGW_HOOK_URL")]), {})
    with pytest.raises(ValueError, match="not an http"):
        build_sinks(Sinks(webhooks=[WebhookSink(url="ftp://x")]), {})


def test_apprise_urls_build_an_apprise_sink() -> None:
    (sink,) = build_sinks(
        Sinks(log=False, apprise_urls_env="URLS"), {"URLS": "json://127.0.0.1:1/x, json://127.0.0.1:2"}
    )
    assert sink.name == "apprise (2 services)"
    with pytest.raises(OSError, match="apprise could not deliver"):
        sink.send(ALERT)  # nothing listens on those ports
