"""The HTML report's charts as PNG bytes, drawn with matplotlib's Agg renderer (no display, no pyplot state).

matplotlib is the optional extra ``report`` (``pip install 'nexusgw[report]'``); without it the HTML format
fails with a message naming the extra, and the other formats work.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nexus_gw.errors import UsageError
from nexus_gw.monitor.report.model import Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GREEN, RED, BLUE, GREY = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e"


def _figure(width: float = 8.0, height: float = 3.2) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "the HTML report draws its charts with matplotlib, which is not installed; install the report extra: "
            "pip install 'nexusgw[report]' (or use --format text, json or csv)"
        ) from None
    return Figure(figsize=(width, height), dpi=100)


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def equity_curve(report: Report) -> bytes:
    """Cumulative USD P&L after each round trip (step line from 0), with the drawdown shaded."""
    figure = _figure()
    ax = figure.add_subplot()
    points = report.stats.equity
    if points:
        times = [datetime.fromtimestamp(ns / 1e9, tz=UTC) for ns, _ in points]
        values = [float(v) for _, v in points]
        xs: list[Any] = [times[0], *times]
        ys = [0.0, *values]
        peaks = [max(ys[: i + 1]) for i in range(len(ys))]
        ax.step(xs, ys, where="post", color=BLUE, linewidth=2, label="cumulative P&L")
        ax.fill_between(xs, ys, peaks, step="post", color=RED, alpha=0.25, label="drawdown")
        ax.scatter(times, values, color=[GREEN if v >= p else RED for v, p in zip(values, peaks[1:], strict=True)])
        ax.legend(loc="best", fontsize=8)
        figure.autofmt_xdate()
    else:
        ax.text(0.5, 0.5, "no round trips in this period", ha="center", va="center", transform=ax.transAxes)
    ax.axhline(0, color=GREY, linewidth=1)
    ax.set_title("Equity curve (USD)")
    ax.set_ylabel("USD")
    ax.grid(alpha=0.3)
    return _png(figure)


def slippage_by_platform(report: Report) -> bytes:
    """USD per contract against the signal-time price and against the other platforms, per platform."""
    figure = _figure()
    ax = figure.add_subplot()
    platforms = report.quality.platforms
    names = [p.platform for p in platforms]
    signal = [float(p.vs_signal_usd) if p.vs_signal_usd is not None else 0.0 for p in platforms]
    others = [float(p.vs_others_usd) if p.vs_others_usd is not None else 0.0 for p in platforms]
    xs = list(range(len(names)))
    ax.bar(
        [x - 0.2 for x in xs],
        signal,
        width=0.4,
        color=[GREEN if v >= 0 else RED for v in signal],
        label="vs signal-time price",
    )
    ax.bar([x + 0.2 for x in xs], others, width=0.4, color=BLUE, alpha=0.6, label="vs other platforms")
    ax.set_xticks(xs, names)
    ax.axhline(0, color=GREY, linewidth=1)
    ax.set_title("Slippage per platform (USD per contract, positive = better)")
    ax.legend(loc="best", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(figure)


def slippage_legs(report: Report, platform: str) -> bytes:
    """One platform's legs: slippage in ticks against the signal-time price, in order."""
    figure = _figure(8.0, 2.6)
    ax = figure.add_subplot()
    legs = [q for q in report.quality.legs if q.leg.platform == platform and q.vs_signal_ticks is not None]
    values = [float(q.vs_signal_ticks or 0.0) for q in legs]
    if values:
        ax.bar(range(1, len(values) + 1), values, color=[GREEN if v >= 0 else RED for v in values])
        ax.set_xticks(range(1, len(values) + 1), [f"{q.leg.root} {q.leg.side.value[0]}" for q in legs], fontsize=7)
    else:
        ax.text(0.5, 0.5, "no filled legs with a signal-time price", ha="center", va="center", transform=ax.transAxes)
    ax.axhline(0, color=GREY, linewidth=1)
    ax.set_title(f"{platform}: slippage per leg vs signal-time price (ticks)")
    ax.grid(axis="y", alpha=0.3)
    return _png(figure)
