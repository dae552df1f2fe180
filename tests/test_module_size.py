"""No module of nexus_gw is over 400 lines: a longer one holds more than one concept and should be split.

Declarative tables (data written out as code, such as the DTC message structs) are exempt, each listed with why.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "nexus_gw"
MAX_LINES = 400

# Paths relative to nexus_gw/. Tables of data, not logic: one entry per DTC message or constant.
DECLARATIVE_TABLES = frozenset(
    {
        "adapters/sierra/dtc/messages.py",  # DTC message structs, one class per message type
        "adapters/sierra/dtc/constants.py",  # DTC enumerations and message type numbers
    }
)

# TEMPORARY (issue 10): modules that other branches are splitting right now. Empty this set after merging them.
BEING_SPLIT: frozenset[str] = frozenset()  # modules another change is splitting right now (none)


def line_count(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def oversized(root: Path, exempt: frozenset[str]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        lines = line_count(path)
        if lines > MAX_LINES and rel not in exempt:
            found.append(f"nexus_gw/{rel}: {lines} lines")
    return found


def test_no_module_is_over_the_limit() -> None:
    found = oversized(ROOT, DECLARATIVE_TABLES | BEING_SPLIT)
    assert not found, (
        f"modules over {MAX_LINES} lines (split each into cohesive modules; only a declarative table may be "
        f"listed in DECLARATIVE_TABLES in tests/test_module_size.py):\n" + "\n".join(found)
    )


def test_a_long_module_fails_and_a_listed_table_does_not(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "pkg" / "table.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "pkg" / "fits.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert oversized(tmp_path, frozenset({"pkg/table.py"})) == [f"nexus_gw/pkg/long.py: {MAX_LINES + 1} lines"]
