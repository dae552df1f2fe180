"""The ``metrics`` figures as the dashboard shows them: histogram means and quantiles computed by hand."""

from __future__ import annotations

from typing import Any

import pytest

from nexus_gw.monitor.dashboard import figures as fig

HIST = {"buckets": [[0.001, 2], [0.0025, 3], ["+Inf", 4]], "count": 4, "sum": 0.006}


@pytest.mark.parametrize(
    ("q", "ms"),
    [
        (0.5, 1.0),  # target 2 ends the first bucket: its upper bound
        (0.625, 1.75),  # target 2.5: halfway through (0.001, 0.0025]
        (0.75, 2.5),
        (0.99, 2.5),  # in +Inf: the highest finite bound, as histogram_quantile does
    ],
)
def test_quantile_interpolates_within_the_bucket_like_prometheus(q: float, ms: float) -> None:
    assert fig.quantile_ms(HIST, q) == pytest.approx(ms)


def test_mean_is_sum_over_count_in_ms() -> None:
    assert fig.mean_ms(HIST) == pytest.approx(1.5)
    assert fig.mean_ms({"count": 0, "sum": 0.0}) is None


@pytest.mark.parametrize(
    "hist",
    [
        None,
        {},
        {"buckets": []},
        {"buckets": [[0.001, "x"]]},
        {"buckets": [["a", 1]]},
        {"buckets": [[1, 0], ["+Inf", 0]]},
    ],
)
def test_malformed_or_empty_histograms_give_nothing(hist: Any) -> None:
    assert fig.quantile_ms(hist, 0.99) is None


def test_platform_histograms_merge_when_their_bounds_match() -> None:
    a = {"buckets": [[0.001, 1], ["+Inf", 2]], "count": 2, "sum": 0.003}
    b = {"buckets": [[0.001, 3], ["+Inf", 3]], "count": 3, "sum": 0.0015}
    merged = fig.merge([a, b])
    assert merged == {"buckets": [[0.001, 4], ["+Inf", 5]], "count": 5, "sum": pytest.approx(0.0045)}
    assert fig.mean_ms(merged) == pytest.approx(0.9)
    assert fig.quantile_ms(merged, 0.5) == pytest.approx(0.625)  # target 2.5 of 4 in (0, 0.001]
    assert fig.merge([a, {"buckets": [[0.002, 1], ["+Inf", 1]], "count": 1, "sum": 0.001}]) is None
    assert fig.merge([a, "garbage"]) is None and fig.merge([]) is None


def test_status_figures_from_the_metrics_section() -> None:
    data = {
        "metrics": {
            "process": {"resident_memory_bytes": 78643200},
            "engine_queue_depth": 2,
            "fill_rate": 0.955,
            "rejects": {"RISK_LOW_CONFIDENCE": 1, "TRADING_HALTED": 4, "A": 1, "B": 1},
            "latency": {
                "gateway_added_seconds": {"nt8": HIST, "sierra": {**HIST, "count": 0, "sum": 0.0}},
                "signal_to_fill_seconds": {"buckets": [[0.01, 3], ["+Inf", 3]], "count": 3, "sum": 0.016},
                "signal_to_fill_p95_1m_seconds": 0.0061,
            },
            "platforms": {"nt8": {"realized_pnl_usd": 20.0, "unrealized_pnl_usd": -5.0}, "sierra": {}},
        }
    }
    assert fig.memory_mb(data) == pytest.approx(75.0)
    assert fig.queue_depth(data) == 2
    assert fig.fill_rate_percent(data) == pytest.approx(95.5)
    assert fig.rejects(data) == "TRADING_HALTED 4, A 1, B 1 …"
    assert fig.latency_avg_ms(data) == pytest.approx(1.5)  # 0.006 s over 4 (sierra's sum and count are 0)
    assert fig.fill_latency_avg_ms(data) == pytest.approx(16 / 3)
    assert fig.fill_latency_p95_ms(data) == pytest.approx(6.1)  # the gateway's last-minute figure first
    del data["metrics"]["latency"]["signal_to_fill_p95_1m_seconds"]
    assert fig.fill_latency_p95_ms(data) == pytest.approx(9.5)  # else the histogram: 2.85 of 3 in (0, 0.01]
    assert fig.platform_latency_p99_ms(data, "nt8") == pytest.approx(2.5)
    assert fig.platform_pnl_usd(data, "nt8") == pytest.approx(15.0)
    assert fig.platform_pnl_usd(data, "sierra") is None
    assert fig.rejects({"metrics": {"rejects": {}}}) == "none" and fig.rejects({}) is None
