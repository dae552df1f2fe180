"""The report as plain data (the JSON format, schema ``nexusgw.report/1`` in docs/report.md).

Money is a JSON number in USD rounded to cents (or the instrument's currency where the field says so), ratios
to 4 decimals, ticks to 2, milliseconds to 3; an unknown or undefined figure is ``null``. Times are ISO 8601
UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from nexus_gw.domain.execution_quality import LegQuality, PlatformQuality
from nexus_gw.monitor.report.model import SCHEMA, Report


def money(value: Decimal | None) -> float | None:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if value is not None else None


def num(value: float | None, places: int) -> float | None:
    return round(float(value), places) if value is not None else None


def when(ns: int) -> str | None:
    if not ns:
        return None
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def platform_dict(p: PlatformQuality) -> dict[str, Any]:
    return {
        "platform": p.platform,
        "legs": p.legs,
        "filled_legs": p.filled_legs,
        "contracts": p.contracts,
        "vs_signal_ticks": num(p.vs_signal_ticks, 2),
        "vs_signal_usd_per_contract": money(p.vs_signal_usd),
        "vs_signal_usd_total": money(p.vs_signal_usd_total),
        "vs_others_ticks": num(p.vs_others_ticks, 2),
        "vs_others_usd_per_contract": money(p.vs_others_usd),
        "latency_p50_ms": num(p.latency_p50_ms, 3),
        "latency_p90_ms": num(p.latency_p90_ms, 3),
        "rejects": p.rejects,
    }


def leg_dict(q: LegQuality) -> dict[str, Any]:
    leg = q.leg
    return {
        "order_id": leg.order_id,
        "platform": leg.platform,
        "root": leg.root,
        "side": leg.side.value,
        "status": leg.status,
        "reason": leg.reason,
        "filled": leg.filled,
        "fill_price": leg.avg_price,
        "signal_price": leg.reference,
        "vs_signal_ticks": num(q.vs_signal_ticks, 2),
        "vs_signal_usd_per_contract": money(q.vs_signal_usd),
        "vs_others_ticks": num(q.vs_others_ticks, 2),
        "vs_others_usd_per_contract": money(q.vs_others_usd),
        "latency_ms": num(leg.latency_ns / 1e6, 3) if leg.latency_ns is not None else None,
    }


def report_dict(report: Report) -> dict[str, Any]:
    s = report.stats
    q = report.quality
    return {
        "schema": SCHEMA,
        "title": report.title,
        "generated_at": when(report.generated_ns),
        "period": {
            "from": report.first.isoformat(),
            "to": report.last.isoformat(),
            "trading_days": [d.isoformat() for d in report.days],
            "platform": report.platform,
        },
        "trading": {
            "trades": s.trades,
            "wins": s.wins,
            "losses": s.losses,
            "win_rate": num(s.win_rate, 4),
            "avg_win_usd": money(s.avg_win),
            "avg_loss_usd": money(s.avg_loss),
            "profit_factor": num(s.profit_factor, 4),
            "sharpe": num(s.sharpe, 4),
            "max_drawdown_usd": money(s.max_drawdown),
            "net_pnl_usd": money(s.net_pnl),
            "net_pnl_usd_by_platform": {name: money(v) for name, v in s.net_by_platform.items()},
            "unconverted_trades": s.unconverted,
            "daily": [{"day": d.isoformat(), "pnl_usd": money(v)} for d, v in s.daily],
        },
        "trades": [
            {
                "trading_day": t.day.isoformat(),
                "platform": t.platform,
                "root": t.root,
                "side": t.side.value,
                "qty": t.qty,
                "entry_time": when(t.entry_ns),
                "entry_price": t.entry_price,
                "exit_time": when(t.exit_ns),
                "exit_price": t.exit_price,
                "pnl": money(t.pnl),
                "currency": t.currency,
                "pnl_usd": money(t.pnl_usd),
            }
            for t in report.trips
        ],
        "execution": {
            "platforms": [platform_dict(p) for p in q.platforms],
            "legs": [leg_dict(leg) for leg in q.legs],
            "rejects": [{"platform": p, "reason": r, "count": n} for p, r, n in q.rejects],
            "best": q.best,
            "verdict": q.verdict,
        },
        "refusals": [{"reason": r, "count": n} for r, n in report.refusals],
        "notes": list(report.notes),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2) + "\n"
