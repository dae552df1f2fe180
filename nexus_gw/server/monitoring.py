"""The gateway's monitoring, wired: what the loop records, publishes and evaluates, and the threads beside it.

Built once by the composition root from the profile's ``monitoring:`` and ``alerts:`` sections. In the loop's
thread: ``order_sent``/``fill_sent``/``journal_write`` record, ``housekeeping`` publishes the figures and
evaluates the alert rules (firings go through the one AlertLog, which journals them and hands them to the
notifier). Beside it: the metrics HTTP thread and one delivery thread per alert sink.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from nexus_gw.config.models import Profile
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.monitor.delivery import Notifier
from nexus_gw.monitor.exporter import MetricsServer
from nexus_gw.monitor.figures import Recorder
from nexus_gw.monitor.rules import Evaluator
from nexus_gw.monitor.sinks import Sink, build_sinks
from nexus_gw.server.metrics import Monitored, Publisher, build_figures

log = logging.getLogger(__name__)

#: Risk-engine alerts a profile rule replaces: delivered by the rule (its threshold, its severity) unless the
#: rule is disabled. They are still logged, journaled and shown in status as before.
SUPERSEDED = {"PLATFORM_OFFLINE": "platform_offline_s", "DAILY_LOSS_LIMIT": "daily_loss_usd"}


def notifier_for(profile: Profile, env: dict[str, str] | None = None) -> Notifier:
    """The notifier of the profile's ``alerts.sinks`` (ValueError naming a sink that cannot work)."""
    cfg = profile.alerts
    sinks: list[Sink] = build_sinks(cfg.sinks, env)
    return Notifier(
        sinks,
        cfg.min_severity,
        cfg.repeat_every_s,
        cfg.max_per_minute,
        cfg.queue_size,
        extra={"gateway": profile.gateway.name, "profile": profile.name},
    )


class Monitoring:
    def __init__(self, gateway: Monitored, alert_log: AlertLog) -> None:
        profile = gateway.profile
        self.gateway = gateway
        self.alert_log = alert_log
        self.recorder = Recorder()
        self.metrics_cfg = profile.monitoring.metrics
        self.alerts_cfg = profile.alerts
        self.publisher = Publisher(self._build, self.metrics_cfg.publish_every_s)
        self.server: MetricsServer | None = None
        self.notifier: Notifier | None = None
        cfg = self.alerts_cfg
        self.evaluator = Evaluator(dict(cfg.rules), cfg.min_orders, cfg.repeat_every_s)
        if self.alerts_cfg.enabled:
            try:
                self.notifier = notifier_for(profile)
            except ValueError as exc:  # trading goes on; the operator learns why nobody will be told
                log.error("alerts reach the log and journal only: %s", exc)
                self.notifier = Notifier([], extra={"gateway": profile.gateway.name, "profile": profile.name})
            alert_log.forward = self._forward

    # -- in the loop's thread --------------------------------------------------------------
    def _forward(self, record: dict[str, Any], key: str) -> None:
        rule = SUPERSEDED.get(str(record.get("code")))
        if rule is not None and getattr(self.alerts_cfg.rules, rule).enabled:
            return
        if self.notifier is not None:
            self.notifier.submit(record, key)

    def order_sent(self, platform: str, order_id: str) -> None:
        order = self.gateway.desk.book.orders.get(order_id)
        if order is not None:
            self.recorder.order_sent(platform, order.created_ns, time.time_ns())

    def fill_sent(self, order_id: str) -> None:
        order = self.gateway.desk.book.orders.get(order_id)
        if order is not None:
            self.recorder.fill_sent(order_id, order.created_ns, time.time_ns())

    def journal_write(self, seconds: float) -> None:
        self.recorder.journal_write(seconds)

    def housekeeping(self, now: float) -> None:
        if not self.publisher.maybe_publish(now):
            return
        if not self.alerts_cfg.enabled:
            return
        for firing in self.evaluator.evaluate(self.publisher.current, now):  # each episode once (and repeats)
            self.alert_log.raise_alert(firing.severity, firing.code, firing.message, key=firing.key, limit=False)
        if self.notifier is not None:
            for key in self.evaluator.resolved:
                self.notifier.forget(key)

    def status(self) -> dict[str, Any]:
        """``status``'s ``metrics`` section: the figures published last (the ones a scrape returns)."""
        figures = dict(self.publisher.current) or self.publisher.publish()
        figures["endpoint"] = self.server.url if self.server is not None else None
        return figures

    def _build(self) -> dict[str, Any]:
        stats = self.notifier.stats() if self.notifier is not None else {}
        return build_figures(self.gateway, self.recorder, stats)

    # -- threads beside the loop -----------------------------------------------------------
    def start(self) -> None:
        self.publisher.publish()
        if self.notifier is not None:
            self.notifier.start()
        cfg = self.metrics_cfg
        if cfg.enabled:
            server = MetricsServer(cfg.host, cfg.port, lambda: self.publisher.current)
            try:
                log.info("metrics at %s", server.start())
                self.server = server
            except OSError as exc:  # trading goes on without the endpoint; the operator is told
                self.alert_log.raise_alert("WARNING", "METRICS_UNAVAILABLE", str(exc))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.notifier is not None:
            self.notifier.stop()
