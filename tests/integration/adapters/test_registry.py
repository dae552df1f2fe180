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


def test_the_configuration_checks_driver_settings_only_through_the_hook_it_is_given(tmp_path: Path) -> None:
    import shutil

    import pytest

    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.config.loader import load_profile
    from nexus_gw.errors import ConfigError
    from tests.conftest import CONFIG_DIR

    for module in ("models.py", "loader.py"):
        source = (PACKAGE / "config" / module).read_text()
        assert not re.search(r"^\s*(from|import) nexus_gw\.adapters", source, re.M), f"config/{module} imports adapters"
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    (config / "profiles" / "bad.yaml").write_text("symbols: [NQ]\nplatforms:\n  sierra:\n    driver: sierra\n"
                                                  "    settings: {prot: 11099}\n")  # fmt: skip
    assert load_profile("bad", config).profile.platforms["sierra"].settings == {"prot": 11099}
    with pytest.raises(ConfigError, match=r"bad\.yaml:.*sierra driver settings: settings\.prot"):
        load_profile("bad", config, check_settings=validate_driver_settings)
