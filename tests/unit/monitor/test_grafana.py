"""deploy/grafana/nexusgw.json is valid JSON and every query uses only metrics the gateway exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from nexus_gw.monitor.exporter import METRICS

DASHBOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "nexusgw.json"
FUNCTIONS = {"histogram_quantile", "sum", "rate", "increase", "max", "by", "time", "le"}
SUFFIXES = ("_bucket", "_sum", "_count")


def exprs(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}|\[[^\]]*\]|by \([^)]*\)", "", expr)
    return {n for n in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_labels) if n not in FUNCTIONS}


def exported(name: str) -> bool:
    base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s) and name[: -len(s)] in METRICS), name)
    return base in METRICS


def test_the_dashboard_is_valid_json_with_panels_and_a_prometheus_input() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["panels"] and dashboard["__inputs"][0]["pluginId"] == "prometheus"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_every_expression_names_only_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = set().union(*(metric_names(e) for e in exprs(dashboard)))
    assert used, "no metric found in the dashboard's expressions"
    unknown = sorted(n for n in used if not exported(n))
    assert not unknown, f"deploy/grafana/nexusgw.json queries metrics the gateway does not export: {unknown}"


def test_the_name_check_would_catch_a_typo() -> None:
    assert metric_names("rate(nexusgw_fils_total[1m])") == {"nexusgw_fils_total"}
    assert not exported("nexusgw_fils_total") and exported("nexusgw_journal_write_seconds_bucket")
