"""The exporter renders the documented figures as valid Prometheus text naming only METRICS."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from nexus_gw.monitor.exporter import METRICS, registry_for

DOC = Path(__file__).resolve().parents[3] / "docs" / "monitoring.md"


def documented_figures() -> dict[str, Any]:
    match = re.search(r"^```json metrics-status\n(.*?)^```", DOC.read_text(), re.M | re.S)
    assert match
    return dict(json.loads(match.group(1)))


def test_every_metric_is_rendered_from_the_documented_figures() -> None:
    text = generate_latest(registry_for(documented_figures)).decode()
    families = {f.name for f in text_string_to_metric_families(text)}
    rendered = {name if name in METRICS else name + "_total" for name in families}
    assert rendered == set(METRICS)
    assert 'nexusgw_gateway_added_latency_seconds_bucket{le="0.001",platform="nt8"} 2.0' in text
    assert 'nexusgw_rejects_total{reason="RISK_LOW_CONFIDENCE"} 1.0' in text
    assert 'nexusgw_trading_state{state="ACTIVE"} 1.0' in text


def test_nothing_is_rendered_before_the_first_publication() -> None:
    assert generate_latest(registry_for(dict)).decode() == ""


def test_promtool_accepts_the_rendering() -> None:
    tool = shutil.which("promtool")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is missing under CI=true; .ci/run installs it")
        pytest.skip("promtool not installed (Debian package prometheus; .ci/run installs it)")
    text = generate_latest(registry_for(documented_figures)).decode()
    lint = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert lint.returncode == 0, lint.stdout + lint.stderr
