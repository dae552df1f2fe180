"""The report's model and renderers on in-memory data: schema keys, n/a figures, refusal codes, empty days."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from nexus_gw.domain.execution_quality import LegResult, Pricing
from nexus_gw.domain.types import Side
from nexus_gw.monitor.report import SCHEMA, TripRow, build_report, render
from nexus_gw.monitor.report.model import refusal_code

D = date(2026, 3, 3)
NQ = Pricing(Decimal("0.25"), Decimal(20), "USD")


def _report(trips: list[TripRow], legs: list[LegResult], refusals: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return build_report(
        first=D, last=D, days=[D], trips=trips, legs=legs, pricing=lambda root: NQ, to_usd=None, refusals=refusals
    )


def test_an_empty_day_renders_in_every_text_format_with_na_figures() -> None:
    report = _report([], [])
    text = render(report, "text")
    lines = text.splitlines()
    assert ["trades", "0"] in [line.split() for line in lines] and ["win", "rate", "n/a"] in [
        line.split() for line in lines
    ]
    assert "no order legs in this period" in text and "Verdict: no verdict" in text
    data = json.loads(render(report, "json"))
    assert data["schema"] == SCHEMA and data["trading"]["win_rate"] is None and data["trades"] == []
    assert render(report, "csv").startswith("trading_day,platform,root,side,qty,")


def test_json_has_the_documented_top_level_keys() -> None:
    trip = TripRow("nt8", "NQ", Side.BUY, 1, 1, 100.0, 2, 101.0, Decimal(20), "USD", Decimal(20), D)
    leg = LegResult("o1", "nt8", "NQ", Side.BUY, "FILLED", "", 1, 100.0, 5_000_000, 100.25)
    data = json.loads(render(_report([trip], [leg], ("RISK_LIMIT: too big", "odd reason")), "json"))
    assert list(data) == [
        "schema",
        "title",
        "generated_at",
        "period",
        "trading",
        "trades",
        "execution",
        "refusals",
        "notes",
    ]
    assert data["execution"]["legs"][0]["vs_signal_ticks"] == 1.0 and data["execution"]["legs"][0]["latency_ms"] == 5.0
    assert data["refusals"] == [{"reason": "RISK_LIMIT", "count": 1}, {"reason": "odd reason", "count": 1}]


def test_refusal_codes() -> None:
    assert refusal_code("DAILY_LOSS: daily P&L -1,000") == "DAILY_LOSS"
    assert refusal_code("NO_ROUTE: nt8 offline") == "NO_ROUTE"
    assert refusal_code("scaled: half") == "scaled: half"
