"""The compiled C# stand-ins for NinjaTrader, built once per test session.

Without Mono the bridge tests skip with the reason, except in CI (``CI=true``), where ``.ci/run`` installs
``mono-mcs``: there they fail, so the C# is never silently left untested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.adapters.nt8.harness import HarnessProcess, HarnessUnavailable, build


def compiled(tmp_path_factory: pytest.TempPathFactory, target: str) -> Path:
    try:
        return build(tmp_path_factory.getbasetemp() / "nt8-csharp", target)
    except HarnessUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the C# bridge tests: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def harness_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bridge transport and codec in front of a simulated account (``adapters/nt8/harness/Harness.cs``)."""
    return compiled(tmp_path_factory, "harness")


@pytest.fixture(scope="session")
def addon_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real NexusBridgeAddOn.cs on a simulated NinjaTrader (``adapters/nt8/harness/addon_host/``)."""
    return compiled(tmp_path_factory, "addon")


@pytest.fixture
def plugin(harness_exe: Path) -> Iterator[HarnessProcess]:
    process = HarnessProcess(harness_exe, ["--port", "0"])
    try:
        yield process
    finally:
        process.stop()
