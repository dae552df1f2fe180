"""The report as CSV: one row per round trip, and a summary in long form (section, platform, metric, value).

Written to a file ``F``: the trades go to ``F`` and the summary to ``F`` with ``.summary`` before its suffix
(``day.csv`` → ``day.summary.csv``). Written to stdout: the trades, one empty line, then the summary.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from nexus_gw.monitor.report.jsonout import report_dict
from nexus_gw.monitor.report.model import Report

TRADE_COLUMNS = (
    "trading_day",
    "platform",
    "root",
    "side",
    "qty",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "pnl",
    "currency",
    "pnl_usd",
)
SUMMARY_COLUMNS = ("section", "platform", "metric", "value")


def _write(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if row.get(k) is None else row.get(k) for k in columns} for row in rows)
    return buffer.getvalue()


def trades_csv(report: Report) -> str:
    return _write(report_dict(report)["trades"], TRADE_COLUMNS)


def summary_csv(report: Report) -> str:
    data = report_dict(report)
    rows: list[dict[str, Any]] = []
    trading = data["trading"]
    for metric, value in trading.items():
        if metric == "net_pnl_usd_by_platform":
            rows += [
                {"section": "trading", "platform": name, "metric": "net_pnl_usd", "value": v}
                for name, v in value.items()
            ]
        elif metric == "daily":
            rows += [{"section": "daily", "platform": "ALL", "metric": d["day"], "value": d["pnl_usd"]} for d in value]
        else:
            rows.append({"section": "trading", "platform": "ALL", "metric": metric, "value": value})
    for platform in data["execution"]["platforms"]:
        name = platform["platform"]
        rows += [
            {"section": "execution", "platform": name, "metric": metric, "value": value}
            for metric, value in platform.items()
            if metric != "platform"
        ]
    rows += [
        {"section": "rejects", "platform": r["platform"], "metric": r["reason"], "value": r["count"]}
        for r in data["execution"]["rejects"]
    ]
    rows += [
        {"section": "refusals", "platform": "", "metric": r["reason"], "value": r["count"]} for r in data["refusals"]
    ]
    rows.append(
        {
            "section": "verdict",
            "platform": data["execution"]["best"],
            "metric": "verdict",
            "value": data["execution"]["verdict"],
        }
    )
    return _write(rows, SUMMARY_COLUMNS)


def render_csv(report: Report) -> str:
    """Both parts for stdout: the trades, an empty line, the summary."""
    return trades_csv(report) + "\n" + summary_csv(report)
