"""Building the C# harness says what is missing instead of failing obscurely."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_gw.adapters.nt8 import harness


def test_without_mono_the_build_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(harness.shutil, "which", lambda name: None)
    with pytest.raises(harness.HarnessUnavailable, match="apt-get install -y mono-mcs"):
        harness.build(tmp_path)


def test_without_the_source_tree_the_build_says_an_editable_install_is_needed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(harness.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(harness, "SOURCE_DIR", tmp_path / "missing")
    with pytest.raises(harness.HarnessUnavailable, match="editable install"):
        harness.build(tmp_path)
