"""docs/monitoring.md lists exactly the exported metrics and the profile's alert rules."""

from __future__ import annotations

import re
from pathlib import Path

from nexus_gw.config.monitoring import Rules
from nexus_gw.monitor.exporter import METRICS

DOC = Path(__file__).resolve().parents[3] / "docs" / "monitoring.md"


def section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(title)
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_metrics_table_lists_every_exported_metric_and_nothing_else() -> None:
    table = section("## Metrics")
    documented = {
        n
        for line in table.splitlines()
        if line.startswith("| `")
        for n in re.findall(r"`(nexusgw_\w+)`", line.split("|")[1])
    }
    assert documented == set(METRICS), (
        f"undocumented: {sorted(set(METRICS) - documented)}; documented but not exported: "
        f"{sorted(documented - set(METRICS))}"
    )


def test_the_rules_table_lists_every_rule_of_the_profile() -> None:
    table = section("### Rules")
    documented = {m for m in re.findall(r"^\| `(\w+)` \|", table, re.M)}
    assert documented == set(Rules.model_fields)
