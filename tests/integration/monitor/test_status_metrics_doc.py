"""The ``metrics`` section of ``status`` has exactly the keys docs/monitoring.md documents, and agrees with a
scrape of the endpoint taken from the same published figures."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from nexus_gw.client.admin import admin_request
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints

pytestmark = pytest.mark.integration
DOC = Path(__file__).resolve().parents[3] / "docs" / "monitoring.md"
#: Maps whose keys are names (platforms, roots, reasons, limits, severities, outcomes), not fields.
KEYED_BY_NAME = (
    ".platforms",
    ".positions",
    ".gateway_added_seconds",
    ".rejects",
    ".market_data_ticks",
    ".limit_usage",
    ".raised",
    ".deliveries",
)


def documented() -> dict[str, Any]:
    match = re.search(r"^```json metrics-status\n(.*?)^```", DOC.read_text(), re.M | re.S)
    assert match, "docs/monitoring.md has no ```json metrics-status block"
    return dict(json.loads(match.group(1)))


def same_keys(example: Any, actual: Any, path: str = "$") -> None:
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{path}: docs show a map, status has {actual!r:.80}"
        if path.endswith(KEYED_BY_NAME):
            for key in set(example) & set(actual):
                same_keys(example[key], actual[key], f"{path}.{key}")
            return
        assert set(actual) == set(example), f"{path}: status has {sorted(actual)}, docs show {sorted(example)}"
        for key in example:
            same_keys(example[key], actual[key], f"{path}.{key}")


def test_status_metrics_match_the_documented_schema(running_gateway: Gateway, endpoints: Endpoints) -> None:
    figures = admin_request(endpoints.admin, "status")["metrics"]
    same_keys(documented(), figures)
    assert figures["platforms"].keys() == running_gateway.profile.enabled_platforms().keys()


@pytest.mark.parametrize("gateway_env", [{"NEXUSGW_MONITORING__METRICS__PUBLISH_EVERY_S": "60"}], indirect=True)
def test_the_scrape_and_status_read_the_same_figures(running_gateway: Gateway, endpoints: Endpoints) -> None:
    figures = admin_request(endpoints.admin, "status")["metrics"]  # one publication a minute: both read this one
    with urllib.request.urlopen(figures["endpoint"], timeout=5) as response:
        text = response.read().decode()
    values = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples if not s.labels}
    assert values["nexusgw_figures_published_timestamp_seconds"] == figures["published_unix"]
    assert values["nexusgw_uptime_seconds"] == figures["uptime_seconds"]
    exported = {"signals": "signals", "orders": "orders", "fills": "fills", "messages_received": "messages_in"}
    for metric, key in exported.items():
        assert values[f"nexusgw_{metric}_total"] == figures["counts"][key], metric
    assert values["nexusgw_process_resident_memory_bytes"] == figures["process"]["resident_memory_bytes"]
    assert values["nexusgw_platforms_online"] == figures["connections"]["platforms_online"]
