"""The report as one self-contained HTML file: inline CSS, tables, and the charts as base64 PNG images."""

from __future__ import annotations

import base64
from html import escape

from nexus_gw.monitor.report import charts
from nexus_gw.monitor.report.jsonout import report_dict
from nexus_gw.monitor.report.model import Report
from nexus_gw.monitor.report.text import cell

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #212121; background: #fafafa; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 2px solid #1565c0; }
table { border-collapse: collapse; margin: 8px 0; background: #fff; }
th, td { border: 1px solid #ddd; padding: 4px 10px; font-size: 13px; }
th { background: #e3f2fd; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.pos { color: #2e7d32; } td.neg { color: #c62828; }
.verdict { font-size: 15px; padding: 10px; background: #e8f5e9; border-left: 5px solid #2e7d32; }
.note { color: #6d4c41; } img { max-width: 100%; border: 1px solid #ddd; background: #fff; }
"""


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _td(text: str, numeric: bool = False) -> str:
    classes = ["n"] if numeric else []
    if numeric and text.startswith("+") and text.strip("+0.,"):
        classes.append("pos")
    elif numeric and text.startswith("-"):
        classes.append("neg")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{escape(text)}</td>"


def _table(headers: list[str], rows: list[list[tuple[str, bool]]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_td(t, n) for t, n in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(report: Report) -> str:
    data = report_dict(report)
    t, ex = data["trading"], data["execution"]
    parts = [f"<h1>{escape(report.title)}</h1>"]
    parts.append(f"<p>Trading days: {escape(', '.join(data['period']['trading_days']) or 'none')}</p>")
    parts.append(f'<p class="verdict">{escape(ex["verdict"])}</p>')
    win_rate = f"{t['win_rate'] * 100:.1f} %" if t["win_rate"] is not None else "n/a"
    figures = [
        ("trades", str(t["trades"])),
        ("wins / losses", f"{t['wins']} / {t['losses']}"),
        ("win rate", win_rate),
        ("average win (USD)", cell(t["avg_win_usd"], signed=True)),
        ("average loss (USD)", cell(t["avg_loss_usd"], signed=True)),
        ("profit factor", cell(t["profit_factor"])),
        ("Sharpe (daily P&L, x sqrt 252)", cell(t["sharpe"])),
        ("max drawdown (USD)", cell(t["max_drawdown_usd"], signed=True)),
        ("net P&L (USD)", cell(t["net_pnl_usd"], signed=True)),
        *((f"net P&L {name} (USD)", cell(v, signed=True)) for name, v in t["net_pnl_usd_by_platform"].items()),
    ]
    parts += ["<h2>Trading</h2>", _table(["figure", "value"], [[(k, False), (v, True)] for k, v in figures])]
    parts.append(_img(charts.equity_curve(report), "equity curve"))
    if data["trades"]:
        rows = [
            [
                (tr["trading_day"], False),
                (tr["platform"], False),
                (tr["root"], False),
                (tr["side"], False),
                (cell(tr["qty"], 0), True),
                (tr["entry_time"] or "-", False),
                (cell(tr["entry_price"]), True),
                (tr["exit_time"] or "-", False),
                (cell(tr["exit_price"]), True),
                (f"{cell(tr['pnl'], signed=True)} {tr['currency']}", True),
                (cell(tr["pnl_usd"], signed=True), True),
            ]
            for tr in data["trades"]
        ]
        headers = ["day", "platform", "root", "side", "qty", "entry", "price", "exit", "price", "P&L", "P&L USD"]
        parts += ["<h2>Round trips</h2>", _table(headers, rows)]
    parts.append("<h2>Execution quality (positive = better for the trader)</h2>")
    rows = [
        [
            (p["platform"], False),
            (f"{p['filled_legs']}/{p['legs']}", True),
            (cell(p["vs_signal_ticks"], signed=True), True),
            (cell(p["vs_signal_usd_per_contract"], signed=True), True),
            (cell(p["vs_signal_usd_total"], signed=True), True),
            (cell(p["vs_others_ticks"], signed=True), True),
            (cell(p["vs_others_usd_per_contract"], signed=True), True),
            (cell(p["latency_p50_ms"], 1), True),
            (cell(p["latency_p90_ms"], 1), True),
            (str(p["rejects"]), True),
        ]
        for p in ex["platforms"]
    ]
    headers = [
        "platform",
        "filled legs",
        "vs signal ticks",
        "USD/contract",
        "USD total",
        "vs others ticks",
        "USD/contract",
        "latency p50 ms",
        "p90 ms",
        "rejects",
    ]
    parts.append(_table(headers, rows))
    parts.append(_img(charts.slippage_by_platform(report), "slippage per platform"))
    for p in ex["platforms"]:
        parts.append(_img(charts.slippage_legs(report, p["platform"]), f"{p['platform']} slippage per leg"))
    if ex["rejects"]:
        parts += [
            "<h2>Rejects</h2>",
            _table(
                ["platform", "reason", "count"],
                [[(r["platform"], False), (r["reason"], False), (str(r["count"]), True)] for r in ex["rejects"]],
            ),
        ]
    if data["refusals"]:
        parts += [
            "<h2>Signals refused by the gateway</h2>",
            _table(["reason", "count"], [[(r["reason"], False), (str(r["count"]), True)] for r in data["refusals"]]),
        ]
    parts += [f'<p class="note">{escape(note)}</p>' for note in data["notes"]]
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
        f"<style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
