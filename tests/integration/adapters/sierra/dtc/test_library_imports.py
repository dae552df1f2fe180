"""The DTC client (``adapters/sierra/dtc/``) is a library: it imports nothing of the gateway."""

from __future__ import annotations

import ast
from pathlib import Path

import nexus_gw.adapters.sierra.dtc as dtc

ALLOWED = {"nexus_gw.errors", "nexus_gw.domain.backoff"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_dtc_library_imports_only_errors_and_the_backoff_of_the_project() -> None:
    files = sorted(Path(dtc.__file__).parent.glob("*.py"))
    assert len(files) > 10
    for path in files:
        outside = {name for name in _imports(path) if name.startswith("nexus_gw") and name not in ALLOWED}
        assert outside == set(), f"{path.name} imports {outside}: the DTC library must not depend on the gateway"
