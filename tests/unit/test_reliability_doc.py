"""docs/reliability.md names a test for every guarantee: each named file and test must exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "reliability.md"
REFERENCE = re.compile(r"`((?:e2e|integration|unit)/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`")


def references() -> list[tuple[str, str | None]]:
    """(test file, test name or None) for every reference; ``::name`` alone continues the previous file."""
    found, current = [], ""
    for match in REFERENCE.finditer(DOC.read_text()):
        path, name, continued = match.groups()
        current = path or current
        found.append((current, name or continued))
    return found


def test_every_test_the_reliability_document_names_exists() -> None:
    refs = references()
    assert len(refs) > 40, "the document's references were not found: has its format changed?"
    missing = []
    for path, name in refs:
        source = REPO / "tests" / path
        if not source.is_file() or (name and f"def {name}(" not in source.read_text()):
            missing.append(f"{path}::{name}" if name else path)
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"
