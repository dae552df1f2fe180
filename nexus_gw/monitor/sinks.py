"""Where alerts go besides the log and the journal: a JSON webhook, email over SMTP, chat services via apprise.

Each sink's ``send(alert)`` blocks at most its own timeout and raises on failure; the notifier
(monitor/delivery.py) runs each sink in its own thread, so none of this ever runs in the gateway's loop.
Secrets come from the environment variables the profile names (docs/monitoring.md).
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Sink(Protocol):
    name: str

    def send(self, alert: dict[str, Any]) -> None: ...


def subject_line(alert: dict[str, Any]) -> str:
    where = alert.get("gateway") or "nexusgw"
    return f"[{alert.get('severity', '?')}] {where}: {alert.get('code', '?')}"


class LogSink:
    name = "log"

    def send(self, alert: dict[str, Any]) -> None:
        log.warning("alert delivered: %s — %s", subject_line(alert), alert.get("message", ""))


class WebhookSink:
    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        parsed = urllib.parse.urlsplit(url)
        port = f":{parsed.port}" if parsed.port else ""
        self.name = f"webhook {parsed.hostname}{port}"  # never the path, query or login: they may hold a token

    def send(self, alert: dict[str, Any]) -> None:
        body = json.dumps(alert, default=str).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"webhook answered HTTP {response.status}")


class EmailSink:
    def __init__(self, settings: Any, password: str) -> None:
        self.settings = settings
        self.password = password
        self.name = f"email {settings.host}:{settings.port}"

    def send(self, alert: dict[str, Any]) -> None:
        s = self.settings
        msg = EmailMessage()
        msg["Subject"] = subject_line(alert)
        msg["From"] = s.from_addr
        msg["To"] = ", ".join(s.to)
        msg.set_content(json.dumps(alert, indent=2, default=str))
        smtp_class = smtplib.SMTP_SSL if s.security == "ssl" else smtplib.SMTP
        with smtp_class(s.host, s.port, timeout=s.timeout_s) as smtp:
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, self.password)
            smtp.send_message(msg)


class AppriseSink:
    """Telegram, Discord, Slack and the other services apprise knows, by URL (``tgram://…``, ``discord://…``)."""

    def __init__(self, urls: list[str]) -> None:
        try:
            import apprise
        except ImportError as exc:
            raise ValueError(
                "alerts.sinks.apprise_urls_env is set but apprise is not installed; pip install 'nexusgw[alerts]'"
            ) from exc
        self.client = apprise.Apprise()
        for url in urls:
            if not self.client.add(url):
                raise ValueError(f"apprise does not understand one of the URLs in {len(urls)} configured ones")
        self.name = f"apprise ({len(urls)} services)"

    def send(self, alert: dict[str, Any]) -> None:
        if not self.client.notify(title=subject_line(alert), body=str(alert.get("message", ""))):
            raise OSError("apprise could not deliver to at least one service (see its log)")


def _from_env(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "")
    if not value:
        raise ValueError(f"{what}: environment variable {name} is empty or unset; set it or remove the setting")
    return value


def build_sinks(sinks: Any, env: Mapping[str, str] | None = None) -> list[Sink]:
    """The sinks the profile's ``alerts.sinks`` configures; ValueError naming the first one that cannot work."""
    env = os.environ if env is None else env
    out: list[Sink] = [LogSink()] if sinks.log else []
    for hook in sinks.webhooks:
        url = hook.url or (_from_env(env, hook.url_env, "alerts.sinks.webhooks") if hook.url_env else "")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"alerts.sinks.webhooks: {url[:40]!r} is not an http(s) URL; set url or url_env")
        out.append(WebhookSink(url, hook.timeout_s))
    for mail in sinks.email:
        password = _from_env(env, mail.password_env, "alerts.sinks.email") if mail.password_env else ""
        out.append(EmailSink(mail, password))
    if sinks.apprise_urls_env:
        raw = _from_env(env, sinks.apprise_urls_env, "alerts.sinks.apprise_urls_env")
        out.append(AppriseSink([u for u in raw.replace(",", " ").split() if u]))
    return out
