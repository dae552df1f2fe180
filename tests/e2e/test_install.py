"""``pip install .`` (not editable) into a fresh virtual environment, then nexusgw run from another directory.

Slow (it builds a wheel and installs the dependencies, from pip's cache when it has them), so there is one test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SOURCE = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "nexus_gw", "config")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The venv's bin directory, with nexusgw installed from a copy of the source (never the checkout itself)."""
    root = tmp_path_factory.mktemp("install")
    source = root / "src"
    source.mkdir()
    for name in SOURCE:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
    result = subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=850,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    shutil.rmtree(source)  # the install must not need the source any more
    return bindir


def test_a_non_editable_install_runs_from_any_directory(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEXUSGW_", "XDG_", "PYTHON", "COV_", "COVERAGE_")) and k != "STATE_DIRECTORY"
    }
    env["HOME"] = str(tmp_path / "home")

    def nexusgw(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(installed / "nexusgw"), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=elsewhere,
            env={**env, **extra},
        )

    listed = nexusgw("profile", "list")  # the shipped reference config, from package data
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["dev", "stage1", "stage2", "stage3", "stage4"]
    assert nexusgw("profile", "validate", "dev").returncode == 0

    stage1 = nexusgw("profile", "validate", "stage1")  # a clear result: what to set, where
    assert stage1.returncode == 2 and "settings.server" in stage1.stderr
    ready = nexusgw("profile", "validate", "stage1", NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__SERVER="Broker-Live")
    assert ready.returncode == 0 and "profile stage1 is valid" in ready.stdout, ready.stderr
    assert "NEXUSGW_MT5_GLOBAL_PASSWORD" in ready.stdout

    init = nexusgw("init")
    user_config = tmp_path / "home" / ".config" / "nexusgw"
    assert init.returncode == 0 and str(user_config) in init.stdout, init.stderr
    (user_config / "profiles" / "mine.yaml").write_text("extends: dev\ndescription: my own\n")
    assert "mine" in nexusgw("profile", "list").stdout.split()  # found from any directory once written
    assert nexusgw("init").returncode == 1  # never overwrites without --force

    orders = nexusgw("orders", "--profile", "mine")  # no journal yet: it says which one it looked for
    journal = tmp_path / "home" / ".local" / "share" / "nexusgw" / "journal.sqlite3"
    if os.name != "nt" and os.geteuid() == 0:
        journal = Path("/var/lib/nexusgw/journal.sqlite3")
    assert f"journal: {journal} (profile mine)" in orders.stderr
    assert nexusgw("orders").returncode == 2  # no profile given: said, not defaulted to dev

    from nexus_gw.stack import Endpoints

    down = nexusgw("killswitch", NEXUSGW_ADMIN_ENDPOINT=Endpoints.free().admin)
    assert down.returncode == 1 and "gateway not answering" in down.stderr

    checked = nexusgw(  # the daily check with no gateway running: each item answered, the gateway one failing
        "check",
        "--profile",
        "mine",
        NEXUSGW_GATEWAY__SOCKETS__ADMIN=Endpoints.free().admin,
        NEXUSGW_GATEWAY__DATA_DIR=str(tmp_path / "data"),
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert checked.stdout.startswith("Daily check (morning), profile mine:")
    lines = {line.split()[1]: line for line in checked.stdout.splitlines()[1:] if line.startswith("  ")}
    assert lines["gateway"].split()[0] == "FAIL" and lines["contracts"].split()[0] == "PASS", checked.stdout

    module = subprocess.run(
        [str(installed / "python"), "-m", "nexus_gw", "--version"], capture_output=True, text=True, cwd=elsewhere
    )
    assert module.returncode == 0 and module.stdout.startswith("nexusgw ")
