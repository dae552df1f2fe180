"""tests/unit/ and tests/integration/ mirror nexus_gw/: the tests of nexus_gw/<package>/ live in
tests/unit/<package>/ and tests/integration/<package>/."""

from __future__ import annotations

from pathlib import Path

UNIT = Path(__file__).resolve().parent
PACKAGE = UNIT.parents[1] / "nexus_gw"


def mismatches(unit: Path, package: Path) -> list[str]:
    """Test directories with no package of the same path under nexus_gw/."""
    found = []
    for directory in sorted(path for path in unit.rglob("*") if path.is_dir()):
        rel = directory.relative_to(unit)
        if "__pycache__" in rel.parts:
            continue
        if not (package / rel / "__init__.py").is_file():
            found.append(rel.as_posix())
    return found


def test_every_unit_test_directory_names_a_nexus_gw_package() -> None:
    found = mismatches(UNIT, PACKAGE)
    assert not found, (
        f"tests/unit/ directories with no nexus_gw package of that path: {found}; move their tests to "
        "tests/unit/<package>/ of the module they test (tests of a top-level module go in tests/unit/)"
    )


def test_every_integration_test_directory_names_a_nexus_gw_package() -> None:
    found = mismatches(UNIT.parent / "integration", PACKAGE)
    assert not found, (
        f"tests/integration/ directories with no nexus_gw package of that path: {found}; move their tests to "
        "tests/integration/<package>/ of the code they exercise"
    )


def test_a_directory_without_a_package_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "domain" / "risk").mkdir(parents=True)
    for init in ("pkg/domain/__init__.py", "pkg/domain/risk/__init__.py"):
        (tmp_path / init).touch()
    for directory in ("unit/domain/risk", "unit/gateway", "unit/domain/__pycache__"):
        (tmp_path / directory).mkdir(parents=True)
    assert mismatches(tmp_path / "unit", tmp_path / "pkg") == ["gateway"]
