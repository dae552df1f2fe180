"""A platform instance's ``symbol_template`` setting replaces its template from config/symbols.yaml."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nexus_gw.config.loader import load_profile
from nexus_gw.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[3] / "config"
AT = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def stage3_with(config: Path, template: str) -> None:
    (config / "profiles" / "mine.yaml").write_text(
        f"extends: stage3\nplatforms:\n  sierra:\n    driver: sierra\n    settings: {{symbol_template: '{template}'}}\n"
    )


@pytest.mark.parametrize(
    ("template", "nq", "ym"),
    [
        ("sierra", "NQZ26_FUT_CME", "YMZ26_FUT_CBOT"),
        ("dash", "NQZ26-CME", "YMZ26-CBOT"),
        ("plain", "NQZ26", "YMZ26"),
        ("rithmic", "NQZ6.CME", "YMZ6.CBOT"),
        ("{root}{month_code}{yyyy}", "NQZ2026", "YMZ2026"),
    ],
)
def test_the_setting_chooses_how_the_gateway_spells_the_instances_contracts(
    config: Path, template: str, nq: str, ym: str
) -> None:
    stage3_with(config, template)
    symbols = load_profile("mine", config).reference.symbols
    assert symbols.resolve("NQ", "sierra", AT) == nq and symbols.resolve("YM", "sierra", AT) == ym
    assert symbols.normalize(nq, "sierra") == "NQ"  # read back too (fills, positions)
    assert symbols.resolve("NQ", "nt8", AT) == "NQ 12-26"  # other instances keep theirs


def test_without_the_setting_the_symbol_file_decides(config: Path) -> None:
    symbols = load_profile("stage3", config).reference.symbols
    assert symbols.resolve("NQ", "sierra", AT) == "NQZ26"


def test_a_bad_template_names_the_presets(config: Path) -> None:
    stage3_with(config, "{root}-front")
    with pytest.raises(ConfigError, match=r"symbol_template '\{root\}-front' is neither a preset \(sierra, dash"):
        load_profile("mine", config)


def test_the_sierra_settings_model_checks_the_template_too() -> None:
    from pydantic import ValidationError

    from nexus_gw.adapters.sierra.settings import SierraSettings

    assert SierraSettings(symbol_template="sierra").symbol_template == "sierra"
    with pytest.raises(ValidationError, match="neither a preset"):
        SierraSettings(symbol_template="{root}")
