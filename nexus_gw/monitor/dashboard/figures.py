"""Figures of the ``metrics`` section of ``status`` (docs/monitoring.md), read defensively for the dashboard.

Histograms arrive as Prometheus keeps them — ``{buckets: [[upper bound, cumulative count], …, ["+Inf", n]],
count, sum}`` in seconds — and are turned into milliseconds here: the mean is ``sum / count``, a quantile is
estimated like Prometheus's ``histogram_quantile`` (linear within the bucket it falls in; the highest finite
bound when it falls in ``+Inf``). Anything absent, null or of another shape gives None, shown as ``–``.
"""

from __future__ import annotations

from typing import Any

#: Day statistics a gateway may add under ``metrics.trading`` (not measured today: shown only when present).
TRADING_STATS = ("win_rate_percent", "winning_trades", "losing_trades", "avg_win_usd", "avg_loss_usd", "profit_factor")


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def section(data: Any, *keys: str) -> dict[str, Any]:
    """The dict at ``data[k1][k2]…`` ({} when any step is missing or not a dict)."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def metrics(data: dict[str, Any]) -> dict[str, Any]:
    return section(data, "metrics")


# -- histograms ----------------------------------------------------------------------------------------------------
def _buckets(hist: Any) -> list[tuple[float, float]] | None:
    """(upper bound, cumulative count) pairs with ``+Inf`` as infinity, or None when malformed."""
    raw = hist.get("buckets") if isinstance(hist, dict) else None
    if not isinstance(raw, list) or not raw:
        return None
    found = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or number(pair[1]) is None:
            return None
        bound = float("inf") if pair[0] in ("+Inf", "inf", "Inf") else number(pair[0])
        if bound is None:
            return None
        found.append((bound, float(pair[1])))
    return found


def mean_ms(hist: Any) -> float | None:
    hist = hist if isinstance(hist, dict) else {}
    count, total = number(hist.get("count")), number(hist.get("sum"))
    return None if not count or total is None else total / count * 1000


def quantile_ms(hist: Any, q: float) -> float | None:
    buckets = _buckets(hist)
    if not buckets or buckets[-1][1] <= 0:
        return None
    target = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for bound, cumulative in buckets:
        if cumulative >= target:
            if bound == float("inf"):
                return lower * 1000
            inside = cumulative - below
            share = (target - below) / inside if inside else 1.0
            return (lower + (bound - lower) * share) * 1000
        lower, below = bound, cumulative
    return None


def merge(hists: list[Any]) -> dict[str, Any] | None:
    """One histogram of several with the same bounds (None when there are none or the bounds differ)."""
    parsed = [(_buckets(h), h) for h in hists]
    usable = [(b, h) for b, h in parsed if b is not None]
    if not usable or len(usable) != len(parsed):
        return None
    bounds = [bound for bound, _ in usable[0][0]]
    if any([bound for bound, _ in b] != bounds for b, _ in usable):
        return None
    counts = [sum(b[i][1] for b, _ in usable) for i in range(len(bounds))]
    return {
        "buckets": [["+Inf" if bound == float("inf") else bound, c] for bound, c in zip(bounds, counts, strict=True)],
        "count": sum(number(h.get("count")) or 0.0 for _, h in usable),
        "sum": sum(number(h.get("sum")) or 0.0 for _, h in usable),
    }


# -- the figures the dashboard shows -------------------------------------------------------------------------------
def gateway_latency(data: dict[str, Any]) -> dict[str, Any] | None:
    """Gateway-added latency over every platform (the metrics keep one histogram per platform)."""
    per_platform = section(metrics(data), "latency", "gateway_added_seconds")
    return merge(list(per_platform.values())) if per_platform else None


def latency_avg_ms(data: dict[str, Any]) -> float | None:
    return mean_ms(gateway_latency(data))


def latency_p99_ms(data: dict[str, Any]) -> float | None:
    return quantile_ms(gateway_latency(data), 0.99)


def platform_latency_p99_ms(data: dict[str, Any], platform: str) -> float | None:
    return quantile_ms(section(metrics(data), "latency", "gateway_added_seconds", platform), 0.99)


def fill_latency_avg_ms(data: dict[str, Any]) -> float | None:
    return mean_ms(section(metrics(data), "latency", "signal_to_fill_seconds"))


def fill_latency_p95_ms(data: dict[str, Any]) -> float | None:
    """The last minute's 95th percentile the gateway computes, else the estimate from the whole histogram."""
    latency = section(metrics(data), "latency")
    recent = number(latency.get("signal_to_fill_p95_1m_seconds"))
    return recent * 1000 if recent is not None else quantile_ms(latency.get("signal_to_fill_seconds"), 0.95)


def fill_rate_percent(data: dict[str, Any]) -> float | None:
    rate = number(metrics(data).get("fill_rate"))
    return None if rate is None else rate * 100


def platform_pnl_usd(data: dict[str, Any], platform: str) -> float | None:
    entry = section(metrics(data), "platforms", platform)
    realized, unrealized = number(entry.get("realized_pnl_usd")), number(entry.get("unrealized_pnl_usd"))
    return None if realized is None and unrealized is None else (realized or 0.0) + (unrealized or 0.0)


def memory_mb(data: dict[str, Any]) -> float | None:
    found = number(section(metrics(data), "process").get("resident_memory_bytes"))
    return None if found is None else found / 2**20


def queue_depth(data: dict[str, Any]) -> float | None:
    return number(metrics(data).get("engine_queue_depth"))


def rejects(data: dict[str, Any], top: int = 3) -> str | None:
    """The most frequent refusal reasons, ``RISK_LOW_CONFIDENCE 3, …``; None without the figure."""
    found = {k: n for k, v in section(metrics(data), "rejects").items() if (n := number(v)) is not None}
    if not found and "rejects" not in metrics(data):
        return None
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k} {v:g}" for k, v in ranked[:top]) + (" …" if len(ranked) > top else "") or "none"


def trading_stat(data: dict[str, Any], name: str) -> float | None:
    return number(section(metrics(data), "trading").get(name))
