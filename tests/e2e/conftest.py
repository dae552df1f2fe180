from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

E2E_DIR = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every end-to-end test runs on one pytest-xdist worker, one after the other (``--dist loadgroup``).

    Each starts a stack of processes; two stacks at once on a 2-core machine would only make both slow. The
    unit and integration tests run on the other worker meanwhile.
    """
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env={"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"})
    yield s
    codes = s.stop_all()
    assert codes.get("gateway") in (None, 0), f"gateway did not stop cleanly:\n{s.tail('gateway')}"
