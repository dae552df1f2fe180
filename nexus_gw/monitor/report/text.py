"""The report as aligned tables for a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nexus_gw.monitor.report.jsonout import report_dict
from nexus_gw.monitor.report.model import Report

NA = "n/a"


def cell(value: Any, places: int = 2, signed: bool = False) -> str:
    if value is None:
        return NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, int) or (float(value).is_integer() and places == 0):
            return f"{int(value):+d}" if signed else str(int(value))
        return f"{value:+,.{places}f}" if signed else f"{value:,.{places}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """Columns as wide as their widest cell; numeric columns (``right``) right-aligned."""
    right = right or [False] * len(headers)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def render_text(report: Report) -> str:
    data = report_dict(report)
    t = data["trading"]
    days = data["period"]["trading_days"]
    out = [report.title, "=" * len(report.title), f"trading days: {len(days)} ({', '.join(days) or 'none'})", ""]
    out.append("Trading (USD)")
    summary = [
        ("trades", cell(t["trades"])),
        ("wins / losses", f"{t['wins']} / {t['losses']}"),
        ("win rate", f"{t['win_rate'] * 100:.1f} %" if t["win_rate"] is not None else NA),
        ("average win", cell(t["avg_win_usd"], signed=True)),
        ("average loss", cell(t["avg_loss_usd"], signed=True)),
        ("profit factor", cell(t["profit_factor"])),
        ("Sharpe (daily, x sqrt 252)", cell(t["sharpe"])),
        ("max drawdown", cell(t["max_drawdown_usd"], signed=True)),
        ("net P&L", cell(t["net_pnl_usd"], signed=True)),
    ]
    summary += [(f"  net P&L {name}", cell(v, signed=True)) for name, v in t["net_pnl_usd_by_platform"].items()]
    out += [table(["figure", "value"], summary, [False, True]), ""]
    if data["trades"]:
        rows = [
            [
                tr["exit_time"][11:19] if tr["exit_time"] else "-",
                tr["trading_day"],
                tr["platform"],
                tr["root"],
                tr["side"],
                cell(tr["qty"], 0),
                cell(tr["entry_price"]),
                cell(tr["exit_price"]),
                f"{cell(tr['pnl'], signed=True)} {tr['currency']}",
                cell(tr["pnl_usd"], signed=True),
            ]
            for tr in data["trades"]
        ]
        headers = ["exit", "day", "platform", "root", "side", "qty", "entry", "exit price", "P&L", "P&L USD"]
        out += ["Round trips", table(headers, rows, [False] * 5 + [True] * 5), ""]
    ex = data["execution"]
    out.append("Execution quality (positive = better for the trader)")
    if ex["platforms"]:
        rows = [
            [
                p["platform"],
                f"{p['filled_legs']}/{p['legs']}",
                cell(p["contracts"], 0),
                cell(p["vs_signal_ticks"], signed=True),
                cell(p["vs_signal_usd_per_contract"], signed=True),
                cell(p["vs_signal_usd_total"], signed=True),
                cell(p["vs_others_ticks"], signed=True),
                cell(p["vs_others_usd_per_contract"], signed=True),
                cell(p["latency_p50_ms"], 1),
                cell(p["latency_p90_ms"], 1),
                str(p["rejects"]),
            ]
            for p in ex["platforms"]
        ]
        headers = [
            "platform",
            "filled",
            "contracts",
            "vs signal ticks",
            "USD/contract",
            "USD total",
            "vs others ticks",
            "USD/contract",
            "p50 ms",
            "p90 ms",
            "rejects",
        ]
        out += [table(headers, rows, [False] + [True] * 10)]
    else:
        out.append("no order legs in this period")
    out += ["", f"Verdict: {ex['verdict']}"]
    if ex["rejects"]:
        rows = [[r["platform"], r["reason"], str(r["count"])] for r in ex["rejects"]]
        out += ["", "Rejects", table(["platform", "reason", "count"], rows, [False, False, True])]
    if data["refusals"]:
        rows = [[r["reason"], str(r["count"])] for r in data["refusals"]]
        out += ["", "Signals refused by the gateway", table(["reason", "count"], rows, [False, True])]
    if data["notes"]:
        out += ["", *(f"note: {note}" for note in data["notes"])]
    return "\n".join(out).rstrip() + "\n"
