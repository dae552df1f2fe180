"""The Prometheus endpoint: its own HTTP thread, reading only the figures the loop last published.

``FiguresCollector`` turns the published dict (see nexus_gw/server/metrics.py and docs/monitoring.md) into
metric families at scrape time; it never touches the gateway's live objects, so a scrape needs no lock and the
loop never waits for one. ``METRICS`` names every exported metric (the Grafana test checks against it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

log = logging.getLogger(__name__)

P = "nexusgw_"

#: Counters published from ``counts``: metric (without prefix and _total) → key in ``counts``.
COUNTERS = {
    "signals": ("signals", "Signals received from signal engines."),
    "orders": ("orders", "Orders created from signals (sent to at least one platform or held)."),
    "legs_sent": ("legs_sent", "Order legs sent to platforms."),
    "leg_fills": ("leg_fills", "Leg executions applied."),
    "fills": ("fills", "Aggregated FILLs made (orders finished with a fill)."),
    "errors": ("errors", "Messages refused with an ERROR, admin requests refused, invalid signals."),
    "messages_received": ("messages_in", "Messages received on every socket."),
    "messages_sent": ("messages_out", "Messages sent on every socket."),
    "housekeeping_errors": ("housekeeping_errors", "Housekeeping steps that failed."),
    "reconcile_alerts": ("reconcile_alerts", "Reconciliation mismatches alerted."),
    "send_failures": ("send_failures", "Messages that could not be sent."),
}

#: Every metric name this exporter can produce (a histogram also yields _bucket, _sum and _count).
METRICS = frozenset(
    {P + name + "_total" for name in COUNTERS}
    | {
        P + n
        for n in (
            "info",
            "uptime_seconds",
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "platform_online",
            "platform_last_message_age_seconds",
            "platforms_online",
            "engines_connected",
            "engine_queue_depth",
            "market_data_ticks_total",
            "rejects_total",
            "fill_rate_ratio",
            "gateway_added_latency_seconds",
            "signal_to_fill_latency_seconds",
            "journal_write_seconds",
            "position",
            "realized_pnl_usd",
            "unrealized_pnl_usd",
            "daily_pnl_usd",
            "daily_loss_limit_usd",
            "kill_switch_active",
            "trading_state",
            "limit_usage_ratio",
            "fx_rate_usable",
            "alerts_total",
            "alert_deliveries_total",
            "figures_published_timestamp_seconds",
        )
    }
)

TRADING_STATES = ("ACTIVE", "REDUCING", "HALTED")


def _histogram(name: str, doc: str, series: dict[tuple[str, ...], dict[str, Any]], labels: list[str]) -> Metric:
    """One family, one series per label values (a family appears once in a scrape)."""
    family = HistogramMetricFamily(name, doc, labels=labels)
    for values, data in series.items():
        buckets = [(str(le) if le != "+Inf" else "+Inf", float(n)) for le, n in data["buckets"]]
        family.add_metric(list(values), buckets, float(data["sum"]))
    return family


def _gauge(name: str, doc: str, value: float | None) -> Iterator[Metric]:
    if value is not None:
        yield GaugeMetricFamily(name, doc, value=float(value))


def families(fig: dict[str, Any]) -> Iterator[Metric]:
    """The metric families of one published figures dict (nothing when none was published yet)."""
    if not fig:
        return
    info = GaugeMetricFamily(P + "info", "The gateway's version and profile.", labels=["version", "profile"])
    info.add_metric([str(fig["version"]), str(fig["profile"])], 1.0)
    yield info
    yield from _gauge(P + "uptime_seconds", "Seconds since the gateway started.", fig["uptime_seconds"])
    proc = fig["process"]
    yield CounterMetricFamily(P + "process_cpu_seconds", "CPU time of the gateway process.", proc["cpu_seconds"])
    yield from _gauge(P + "process_resident_memory_bytes", "Resident memory.", proc["resident_memory_bytes"])
    conn = fig["connections"]
    yield from _gauge(P + "platforms_online", "Enabled platforms online.", conn["platforms_online"])
    yield from _gauge(P + "engines_connected", "Signal engines connected.", conn["engines"])
    yield from _gauge(P + "engine_queue_depth", "Messages waiting for signal engines.", fig["engine_queue_depth"])
    for metric, (key, doc) in COUNTERS.items():
        yield CounterMetricFamily(P + metric, doc, value=float(fig["counts"][key]))
    ticks = CounterMetricFamily(P + "market_data_ticks", "Market data ticks received.", labels=["platform"])
    for platform, n in fig["market_data_ticks"].items():
        ticks.add_metric([platform], float(n))
    yield ticks
    rejects = CounterMetricFamily(P + "rejects", "Signals refused, by reason code.", labels=["reason"])
    for reason, n in fig["rejects"].items():
        rejects.add_metric([reason], float(n))
    yield rejects
    yield from _gauge(P + "fill_rate_ratio", "Fills / orders since start.", fig["fill_rate"])
    latency = fig["latency"]
    doc = "Gateway-added latency: signal received to order leg sent."
    per_platform = {(platform,): data for platform, data in latency["gateway_added_seconds"].items()}
    yield _histogram(P + "gateway_added_latency_seconds", doc, per_platform, ["platform"])
    doc = "Signal received to aggregated FILL sent."
    yield _histogram(P + "signal_to_fill_latency_seconds", doc, {(): latency["signal_to_fill_seconds"]}, [])
    doc = "One journal transaction, BEGIN to COMMIT."
    yield _histogram(P + "journal_write_seconds", doc, {(): fig["journal_write_seconds"]}, [])
    yield from _platforms(fig["platforms"])
    yield from _trading(fig["trading"])
    yield from _gauge(P + "fx_rate_usable", "1 when a usable USD/BRL rate exists.", float(fig["fx"]["usable"]))
    alerts = CounterMetricFamily(P + "alerts", "Alerts raised, by severity.", labels=["severity"])
    for severity, n in fig["alerts"].get("raised", {}).items():
        alerts.add_metric([severity], float(n))
    yield alerts
    deliveries = CounterMetricFamily(P + "alert_deliveries", "Alert deliveries by outcome.", labels=["outcome"])
    for outcome, n in fig["alerts"].get("deliveries", {}).items():
        deliveries.add_metric([outcome], float(n))
    yield deliveries
    doc = "When these figures were taken (Unix time)."
    yield from _gauge(P + "figures_published_timestamp_seconds", doc, fig["published_unix"])


def _platforms(platforms: dict[str, Any]) -> Iterator[Metric]:
    online = GaugeMetricFamily(P + "platform_online", "1 when the platform is online.", labels=["platform"])
    age = GaugeMetricFamily(P + "platform_last_message_age_seconds", "Since its last message.", labels=["platform"])
    position = GaugeMetricFamily(P + "position", "Open position (platform units).", labels=["platform", "root"])
    realized = GaugeMetricFamily(P + "realized_pnl_usd", "Realized P&L in USD.", labels=["platform"])
    unrealized = GaugeMetricFamily(P + "unrealized_pnl_usd", "Unrealized P&L in USD.", labels=["platform"])
    for name, p in platforms.items():
        online.add_metric([name], float(p["online"]))
        if p["last_message_age_seconds"] is not None:
            age.add_metric([name], float(p["last_message_age_seconds"]))
        for root, qty in p["positions"].items():
            position.add_metric([name, root], float(qty))
        realized.add_metric([name], float(p["realized_pnl_usd"]))
        unrealized.add_metric([name], float(p["unrealized_pnl_usd"]))
    yield from (online, age, position, realized, unrealized)


def _trading(trading: dict[str, Any]) -> Iterator[Metric]:
    yield from _gauge(P + "kill_switch_active", "1 while the kill switch is active.", float(trading["kill_switch"]))
    state = GaugeMetricFamily(P + "trading_state", "1 for the global trading state.", labels=["state"])
    for name in TRADING_STATES:
        state.add_metric([name], float(trading["state"] == name))
    yield state
    doc = "Trading day's P&L in USD (realized + unrealized)."
    yield from _gauge(P + "daily_pnl_usd", doc, trading["daily_pnl_usd"])
    yield from _gauge(P + "daily_loss_limit_usd", "The daily loss limit in USD.", trading["daily_loss_limit_usd"])
    usage = GaugeMetricFamily(P + "limit_usage_ratio", "Used / limit of each risk limit.", labels=["limit"])
    for name, ratio in trading["limit_usage"].items():
        usage.add_metric([name], float(ratio))
    yield usage


class FiguresCollector(Collector):
    def __init__(self, current: Callable[[], dict[str, Any]]) -> None:
        self.current = current

    def collect(self) -> Iterator[Metric]:
        yield from families(self.current())


def registry_for(current: Callable[[], dict[str, Any]]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FiguresCollector(current))
    return registry


class MetricsServer:
    """The HTTP endpoint in a daemon thread; ``url`` once started."""

    def __init__(self, host: str, port: int, current: Callable[[], dict[str, Any]]) -> None:
        self.host = host
        self.port = port
        self.registry = registry_for(current)
        self.server: Any = None
        self.url = ""

    def start(self) -> str:
        from prometheus_client import start_http_server

        try:
            self.server, _thread = start_http_server(self.port, self.host, self.registry)
        except OSError as exc:
            raise OSError(
                f"metrics endpoint cannot bind {self.host}:{self.port}: {exc.strerror or exc}; free the port or "
                "set monitoring.metrics.port (NEXUSGW_MONITORING__METRICS__PORT)"
            ) from exc
        port = self.server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}/metrics"
        return self.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
