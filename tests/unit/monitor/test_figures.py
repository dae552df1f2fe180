"""Recording in the loop: histograms as Prometheus counts them, each order's fill once, bounded reason codes."""

from __future__ import annotations

from nexus_gw.monitor.figures import Histogram, Recorder, memory_bytes, refusal_code


def test_histogram_buckets_are_cumulative_with_inf() -> None:
    hist = Histogram((0.1, 1.0))
    for value in (0.05, 0.1, 0.5, 7.0):
        hist.observe(value)
    assert hist.to_dict() == {"buckets": [[0.1, 2], [1.0, 3], ["+Inf", 4]], "count": 4, "sum": 7.65}


def test_a_fill_is_observed_once_per_order_and_feeds_the_recent_p95() -> None:
    clock = [100.0]
    rec = Recorder(monotonic=lambda: clock[0])
    rec.fill_sent("o1", 1_000_000_000, 1_020_000_000)
    rec.fill_sent("o1", 1_000_000_000, 1_900_000_000)  # a resend: not a second observation
    rec.fill_sent("o2", 0, 5)  # unknown creation time: not observed
    assert rec.signal_to_fill_s.to_dict()["count"] == 1
    assert rec.recent_p95_s() == 0.02
    clock[0] += 61
    assert rec.recent_p95_s() is None


def test_gateway_added_latency_per_platform() -> None:
    rec = Recorder()
    rec.order_sent("nt8", 1_000_000, 1_500_000)
    rec.order_sent("sierra", 1_000_000, 3_000_000)
    latency = rec.latency()["gateway_added_seconds"]
    assert latency["nt8"]["sum"] == 0.0005 and latency["sierra"]["count"] == 1


def test_refusal_codes_are_the_leading_code_or_other() -> None:
    assert refusal_code("RISK_DAILY_LOSS: day P&L -1,200 USD past the limit") == "RISK_DAILY_LOSS"
    assert refusal_code("NO_ROUTE: nt8 offline") == "NO_ROUTE"
    assert refusal_code("KILL_SWITCH") == "KILL_SWITCH"
    assert refusal_code("order 20261124-abc refused") == "OTHER"


def test_memory_is_measured_here() -> None:
    value = memory_bytes()
    assert value is not None and value > 1_000_000
