"""The profile's monitoring and alerts sections: loopback by default, validated, overridable from the env."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nexus_gw.config.loader import load_profile
from nexus_gw.config.monitoring import AlertsConfig, MetricsConfig
from tests.conftest import CONFIG_DIR


def test_a_non_loopback_host_is_refused_without_allow_remote() -> None:
    with pytest.raises(ValidationError, match=r"not a loopback address.*allow_remote"):
        MetricsConfig(host="0.0.0.0")
    assert MetricsConfig(host="0.0.0.0", allow_remote=True).host == "0.0.0.0"
    assert MetricsConfig(host="::1").host == "::1" and MetricsConfig(host="localhost").port == 9108


def test_rules_refuse_unknown_names_and_severities() -> None:
    with pytest.raises(ValidationError, match=r"rules\.no_such_rule"):
        AlertsConfig.model_validate({"rules": {"no_such_rule": {}}})
    with pytest.raises(ValidationError, match="severity"):
        AlertsConfig.model_validate({"rules": {"memory_mb": {"severity": "LOUD"}}})


def test_the_base_config_carries_the_plans_thresholds_and_env_overrides_them(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load_profile("dev", CONFIG_DIR).profile
    rules = profile.alerts.rules
    assert rules.high_latency_ms.threshold == 100 and rules.high_latency_ms.severity == "CRITICAL"
    assert rules.low_fill_rate_pct.threshold == 90 and rules.memory_mb.threshold == 12288
    assert profile.monitoring.metrics.host == "127.0.0.1" and profile.monitoring.metrics.port == 9108
    monkeypatch.setenv("NEXUSGW_MONITORING__METRICS__PORT", "9200")
    monkeypatch.setenv("NEXUSGW_ALERTS__RULES__MEMORY_MB__THRESHOLD", "2048")
    profile = load_profile("dev", CONFIG_DIR).profile
    assert profile.monitoring.metrics.port == 9200 and profile.alerts.rules.memory_mb.threshold == 2048
