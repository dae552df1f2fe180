"""The FX quote instrument (``fx.quote_instrument``) comes from config, defaults to WDO, and is validated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_gw.config.loader import load_profile
from nexus_gw.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def test_shipped_profiles_use_wdo() -> None:
    assert load_profile("dev", CONFIG).profile.fx.quote_instrument == "WDO"


def test_a_profile_may_name_another_known_instrument(config_copy: Path) -> None:
    (config_copy / "profiles" / "fxq.yaml").write_text("extends: dev\nfx:\n  quote_instrument: NQ\n")
    assert load_profile("fxq", config_copy).profile.fx.quote_instrument == "NQ"


def test_an_unknown_quote_instrument_is_refused_naming_file_line_and_known_roots(config_copy: Path) -> None:
    (config_copy / "profiles" / "fxq.yaml").write_text("extends: dev\nfx:\n  quote_instrument: DOLX\n")
    with pytest.raises(ConfigError) as err:
        load_profile("fxq", config_copy)
    text = str(err.value)
    assert "fxq.yaml:3:" in text and "fx.quote_instrument: 'DOLX' is not an instrument; known:" in text
    assert "WDO" in text


def test_a_malformed_quote_instrument_is_refused(config_copy: Path) -> None:
    (config_copy / "profiles" / "fxq.yaml").write_text("extends: dev\nfx:\n  quote_instrument: 'wdo x'\n")
    with pytest.raises(ConfigError, match="quote_instrument"):
        load_profile("fxq", config_copy)
