from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env={"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"})
    yield s
    codes = s.stop_all()
    assert codes.get("gateway") in (None, 0), f"gateway did not stop cleanly:\n{s.tail('gateway')}"
