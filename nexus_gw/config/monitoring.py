"""The profile's ``monitoring:`` (the Prometheus endpoint) and ``alerts:`` (rules and where alerts go) sections.

Secrets never live in a profile: a webhook URL with a token, apprise URLs and the SMTP password are read from
the environment variables these sections name (``*_env``). See docs/monitoring.md.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["INFO", "WARNING", "CRITICAL"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class MetricsConfig(_Strict):
    enabled: bool = Field(True, description="Serve Prometheus metrics over HTTP (its own thread, beside the loop).")
    host: str = Field("127.0.0.1", description="Address the metrics endpoint binds to.")
    port: int = Field(9108, ge=0, le=65535, description="Port of the metrics endpoint (0: any free port).")
    allow_remote: bool = Field(
        False, description="Allow a non-loopback host (the endpoint has no authentication: firewall it)."
    )
    publish_every_s: float = Field(
        1.0, gt=0, le=60, description="How often the loop publishes the figures that scrapes and rules read."
    )

    @model_validator(mode="after")
    def _check_host(self) -> MetricsConfig:
        if not self.allow_remote and not _is_loopback_host(self.host):
            raise ValueError(
                f"monitoring.metrics.host {self.host!r} is not a loopback address; the endpoint has no "
                "authentication. Use 127.0.0.1 and scrape through a tunnel, or set monitoring.metrics.allow_remote: "
                "true and firewall the port"
            )
        return self


class MonitoringConfig(_Strict):
    metrics: MetricsConfig = Field(default_factory=MetricsConfig, description="The Prometheus metrics endpoint.")


class Rule(_Strict):
    enabled: bool = Field(True, description="Evaluate this rule.")
    severity: Severity = Field("WARNING", description="Severity of the alert it raises.")
    threshold: float = Field(0.0, description="The rule's limit (unit in the rule's name).")
    for_s: float = Field(0.0, ge=0, description="The condition must hold this long before the alert is raised.")


def _rule(severity: Severity, threshold: float, for_s: float = 0.0) -> Rule:
    return Rule(severity=severity, threshold=threshold, for_s=for_s)


class Rules(_Strict):
    high_latency_ms: Rule = Field(
        default_factory=lambda: _rule("CRITICAL", 100.0, 0.0),
        description="Signal→fill latency (p95 of the last minute's fills) above threshold ms.",
    )
    platform_offline_s: Rule = Field(
        default_factory=lambda: _rule("CRITICAL", 5.0),
        description="An enabled platform offline for longer than threshold seconds.",
    )
    daily_loss_usd: Rule = Field(
        default_factory=lambda: _rule("CRITICAL", 0.0),
        description="Day P&L at or below -threshold USD (0: the risk engine's daily loss limit; the kill "
        "switch is the risk engine's).",
    )
    low_fill_rate_pct: Rule = Field(
        default_factory=lambda: _rule("WARNING", 90.0),
        description="Fill rate (fills / orders, at least min_orders orders) below threshold percent.",
    )
    error_rate_per_h: Rule = Field(
        default_factory=lambda: _rule("WARNING", 10.0),
        description="More than threshold errors within the last hour.",
    )
    memory_mb: Rule = Field(
        default_factory=lambda: _rule("WARNING", 12_288.0),
        description="Gateway resident memory above threshold MiB.",
    )
    stale_fx: Rule = Field(
        default_factory=lambda: _rule("WARNING", 0.0, 60.0),
        description="No usable USD/BRL rate for for_s seconds (threshold unused).",
    )
    reconciliation_mismatch: Rule = Field(
        default_factory=lambda: _rule("CRITICAL", 0.0),
        description="Reconciliation alerts since the last evaluation above threshold.",
    )
    gateway_offline_s: Rule = Field(
        default_factory=lambda: _rule("CRITICAL", 10.0),
        description="Evaluated outside the gateway (nexusgw alerts watch): no status answer for threshold s.",
    )


class WebhookSink(_Strict):
    url: str = Field("", description="URL the alert is POSTed to as JSON.")
    url_env: str = Field("", description="Environment variable holding the URL (when it carries a token).")
    timeout_s: float = Field(5.0, gt=0, le=60, description="Give up on one delivery after this long.")


class EmailSink(_Strict):
    host: str = Field(description="SMTP server.")
    port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description="Transport security.")
    username: str = Field("", description="SMTP login (empty: no login).")
    password_env: str = Field("", description="Environment variable holding the SMTP password.")
    from_addr: str = Field(description="Sender address.")
    to: list[str] = Field(min_length=1, description="Recipients.")
    timeout_s: float = Field(10.0, gt=0, le=120, description="Give up on one delivery after this long.")


class Sinks(_Strict):
    log: bool = Field(True, description="Alerts are always logged; this also logs each delivery's outcome.")
    webhooks: list[WebhookSink] = Field(default_factory=list, description="JSON webhooks.")
    email: list[EmailSink] = Field(default_factory=list, description="Email over SMTP.")
    apprise_urls_env: str = Field(
        "",
        description="Environment variable holding apprise URLs (Telegram, Discord, Slack, …), separated by "
        "spaces or commas; needs the 'alerts' extra (pip install nexusgw[alerts]).",
    )


class AlertsConfig(_Strict):
    enabled: bool = Field(True, description="Evaluate the rules and deliver alerts to the sinks.")
    min_severity: Severity = Field("WARNING", description="Alerts below this severity are logged only.")
    repeat_every_s: float = Field(
        900.0, ge=0, description="The same alert (rule and subject) is delivered at most once in this many seconds."
    )
    max_per_minute: int = Field(20, ge=1, description="At most this many deliveries a minute (the rest are counted).")
    queue_size: int = Field(200, ge=1, le=100_000, description="Alerts waiting for delivery; beyond it they drop.")
    min_orders: int = Field(10, ge=1, description="The fill-rate rule waits for this many orders today.")
    rules: Rules = Field(default_factory=Rules, description="Thresholds and severities of each rule.")
    sinks: Sinks = Field(default_factory=Sinks, description="Where alerts go besides the log and journal.")
