"""The registry declares each driver's development companion; local stacks know no platform by name."""

from __future__ import annotations

import re
from pathlib import Path

import nexus_gw
from nexus_gw.adapters.registry import DRIVERS, companion

PACKAGE = Path(nexus_gw.__file__).parent


def test_the_sierra_simulator_is_declared_next_to_its_driver() -> None:
    found = companion("sierra", {"simulator": True})
    assert found is not None and found.module == "nexus_gw.adapters.sierra.simulator.profile"
    assert companion("sierra", {"simulator": False}) is None
    assert companion("sim", {"simulator": True}) is None
    assert companion("nope", {}) is None


def test_stack_and_demo_name_no_platform() -> None:
    platforms = [name for name in DRIVERS if name != "sim"] + ["dtc"]
    pattern = re.compile(r"\b(" + "|".join(platforms) + r")\b", re.IGNORECASE)
    for path in (PACKAGE / "stack.py", PACKAGE / "cli" / "demo.py"):
        hits = [line for line in path.read_text().splitlines() if pattern.search(line)]
        assert hits == [], f"{path.name} names a platform: {hits}"
