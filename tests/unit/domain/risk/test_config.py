"""RiskConfig: plan defaults, strictness, and validators whose messages say what to set."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from nexus_gw.domain.risk import RiskConfig

DOCS = Path(__file__).resolve().parents[4] / "docs" / "risk.md"


def test_defaults_follow_the_plan_filters_and_a_chicago_trading_day() -> None:
    cfg = RiskConfig()
    assert (cfg.confidence.skip_below, cfg.confidence.reduce_below) == (0.65, 0.75)
    assert cfg.confidence.reduced_size_factor == 0.5
    assert (cfg.market_quality.min_composite, cfg.market_quality.max_noise) == (0.5, 0.7)
    assert cfg.trading_day.start == time(17, 0)
    assert cfg.trading_day.time_zone == "America/Chicago"
    assert cfg.connection.offline_platform == "pause"
    assert cfg.kill_on_daily_loss is True
    assert cfg.auto_execute is True


def _descriptions_missing(model: type[BaseModel], prefix: str = "") -> list[str]:
    missing = []
    for name, info in model.model_fields.items():
        if not info.description:
            missing.append(prefix + name)
        annotation = info.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                missing += _descriptions_missing(candidate, f"{prefix}{name}.")
    return missing


def test_every_config_field_has_a_description() -> None:
    assert _descriptions_missing(RiskConfig) == []


@pytest.mark.parametrize(
    "data",
    [
        {"max_daily_loss": 1000},
        {"limits": {"max_position_per_symbl": 2}},
        {"trading_hours": {"roots": {"NQ": {"time_zone": "UTC", "windows": [], "extra": 1}}}},
    ],
)
def test_unknown_or_misspelt_keys_are_refused(data: dict) -> None:
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        RiskConfig.model_validate(data)


def test_config_is_frozen() -> None:
    cfg = RiskConfig()
    with pytest.raises(ValidationError):
        cfg.auto_execute = False  # type: ignore[misc]
    with pytest.raises(ValidationError):
        cfg.limits.max_daily_trades = 99  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ({"confidence": {"skip_below": 0.8, "reduce_below": 0.7}}, "set reduce_below >= skip_below"),
        ({"trading_day": {"time_zone": "America/Chicgo"}}, "set an IANA name"),
        (
            {
                "trading_hours": {
                    "roots": {"NQ": {"time_zone": "Mars/Olympus", "windows": [{"start": "09:00", "end": "16:00"}]}}
                }
            },
            "set an IANA name",
        ),
        (
            {"trading_hours": {"roots": {"NQ": {"time_zone": "UTC", "windows": [{"start": "09:00", "end": "09:00"}]}}}},
            "remove the root from trading_hours",
        ),
        ({"limits": {"max_position_per_symbol": 5, "max_total_positions": 3}}, "raise max_total_positions"),
        ({"limits": {"per_symbol": {"MNQ": 10}}}, "raise max_total_positions to at least 10"),
        ({"flatten_on_daily_loss": True, "kill_on_daily_loss": False}, "set kill_on_daily_loss: true"),
    ],
)
def test_invalid_combinations_name_the_fix(data: dict, hint: str) -> None:
    with pytest.raises(ValidationError) as err:
        RiskConfig.model_validate(data)
    assert hint in str(err.value)


@pytest.mark.parametrize(
    "data",
    [
        {"limits": {"max_daily_loss_usd": 0}},
        {"limits": {"max_daily_loss_usd": -500}},
        {"throttle": {"max_orders_per_second": 0}},
        {"confidence": {"skip_below": 1.2}},
        {"connection": {"offline_platform": "ignore"}},
        {"approval_expiry_seconds": 0},
    ],
)
def test_out_of_range_values_are_refused(data: dict) -> None:
    with pytest.raises(ValidationError):
        RiskConfig.model_validate(data)


def test_yaml_example_in_docs_validates_with_wall_times_and_windows() -> None:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(risk:\n.*?)```", text, re.S)
    assert match, "docs/risk.md needs a ```yaml block starting with risk:"
    data = YAML(typ="safe").load(match.group(1))["risk"]
    cfg = RiskConfig.model_validate(data)
    nq = cfg.trading_hours.for_root("NQ")
    assert nq is not None and nq.windows[0].start == time(17, 0)
    assert cfg.trading_hours.for_root("UNLISTED") is cfg.trading_hours.default


def test_stage1_values_from_the_plan_load() -> None:
    cfg = RiskConfig.model_validate(
        {
            "limits": {"max_position_per_symbol": 1, "max_daily_trades": 5, "risk_per_trade_usd": 50},
            "auto_execute": True,
        }
    )
    assert cfg.limits.position_limit("NQ") == 1
    assert cfg.limits.risk_per_trade_usd == 50
