"""The Bookmap driver's settings and what it says when the bookmap package is missing."""

from __future__ import annotations

import sys

import pytest

from nexus_gw.adapters.bookmap.driver import BookmapDriver
from nexus_gw.adapters.bookmap.settings import BookmapSettings
from nexus_gw.adapters.registry import companion, validate_driver_settings
from nexus_gw.errors import PlatformUnavailable


def test_the_dev_block_validates_and_asks_for_the_fake_bookmap() -> None:
    settings = {"fake": True, "port": 18920, "reconnect_initial_s": 0.25, "reconnect_max_s": 2}
    assert validate_driver_settings("bookmap", settings) == BookmapSettings.model_validate(settings)
    found = companion("bookmap", settings)
    assert found is not None and found.module == "nexus_gw.adapters.bookmap.companion"
    assert companion("bookmap", {"port": 18920}) is None
    with pytest.raises(ValueError, match=r"settings\.host"):
        validate_driver_settings("bookmap", {"host": "10.0.0.1"})  # the package only connects to 127.0.0.1


def test_a_missing_bookmap_package_is_a_clear_error_naming_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "bookmap", None)  # import bookmap raises ImportError
    driver = BookmapDriver("bookmap", BookmapSettings(port=1))
    with pytest.raises(PlatformUnavailable, match=r"pip install 'nexusgw\[bookmap\]'"):
        driver.start(None)  # type: ignore[arg-type]
