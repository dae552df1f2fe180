"""The HTML report is one self-contained file that a real browser renders: headless Debian chromium.

Without chromium the test skips on a developer machine and fails under CI=true (.ci/run installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nexus_gw.cli.app import main
from tests.integration.cli.report_journal import write_history

pytestmark = pytest.mark.integration
CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


def _need(what: str, found: object) -> None:
    if found:
        return
    message = f"{what} is not installed (.ci/run installs it: apt-get install -y chromium; pip install '.[test]')"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    _need("chromium", found)
    return str(found)


def test_html_report_is_self_contained_and_renders_in_headless_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        import matplotlib.image
        import numpy as np
    except ImportError:
        _need("matplotlib", None)
    browser = _browser()
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(tmp_path / "data"))
    write_history(tmp_path / "data" / "journal.sqlite3")
    page = tmp_path / "report.html"
    args = ["report", "--from", "2026-03-03", "--to", "2026-03-04", "--rate", "BRL=5", "--format", "html"]
    assert main([*args, "--output", str(page), "--profile", "dev", "--config-dir", str(CONFIG_DIR)]) == 0
    html = page.read_text(encoding="utf-8")
    # one file: no external resource, and every chart is an embedded PNG (equity, platforms, one per platform)
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    assert html.count('src="data:image/png;base64,') == 2 + 4
    assert "mt5_global fills best" in html

    shot = tmp_path / "shot.png"
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # tests run as root in CI containers
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1280,2400",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    assert shot.stat().st_size > 50_000  # a blank page of this size compresses to a few KB

    pixels = matplotlib.image.imread(str(shot))[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    rgb = (pixels.reshape(-1, 3) * 255).round().astype(np.uint8)
    colours, counts = np.unique(rgb, axis=0, return_counts=True)
    assert len(colours) > 200  # text, tables, charts: far from blank
    assert counts.max() / counts.sum() < 0.9  # no single colour fills the page

    def share(hex_colour: str) -> float:
        target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
        return float((np.abs(rgb.astype(int) - target).sum(axis=1) <= 6).mean())

    # the charts' gain green and loss red bars are on screen, not just the tables
    assert share("#2e7d32") > 0.002 and share("#c62828") > 0.002
