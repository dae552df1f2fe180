"""The import direction of nexus_gw: the domain at the bottom, cli on top.

Every ``import`` of every module is checked — top-level, function-local and ``if TYPE_CHECKING:`` ones alike, and
``importlib.import_module("nexus_gw....")`` with a literal name — against the allowed edges below::

    cli (cli/, stack.py, __main__.py)            may import everything
    examples                                     client and everything under the upper tier
    server | client | adapters                   the middle tier and below; never each other
    protocol | config | journal | monitor |      the domain only; never each other
    ops | security
    domain                                       nothing of nexus_gw but the base layer
    base (nexus_gw, errors, logs, failpoints,    nothing of nexus_gw but the base layer
          free_ports)

A failure names the importing module (with file and line), the imported module and the rule it breaks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "nexus_gw"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

# Leaf modules every layer may import: they import nothing of nexus_gw but each other.
BASE_MODULES = frozenset(
    {PACKAGE, f"{PACKAGE}.errors", f"{PACKAGE}.logs", f"{PACKAGE}.failpoints", f"{PACKAGE}.free_ports"}
)

# Top-level modules that belong to a layer other than their own name.
TOP_LEVEL_LAYER = {"stack": "cli", "__main__": "cli"}

MIDDLE = frozenset({"protocol", "config", "journal", "monitor", "ops", "security"})
UPPER = frozenset({"server", "client", "adapters"})

# layer -> the other layers it may import (every layer may import itself and the base layer).
ALLOWED: dict[str, frozenset[str]] = {
    "base": frozenset(),
    "domain": frozenset(),
    **{layer: frozenset({"domain"}) for layer in MIDDLE},
    **{layer: frozenset({"domain"} | MIDDLE) for layer in UPPER},
    "examples": frozenset({"domain", "client"} | MIDDLE),
    "cli": frozenset({"domain", "examples"} | MIDDLE | UPPER),
}

# Edges that break the rules today, each with the change that removes it. A stale entry fails
# test_known_exceptions_are_still_needed, so the list only shrinks.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


# Packages with a known import cycle among their modules, each with the change that removes it (stale entries fail).
KNOWN_CYCLES: dict[str, str] = {}


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    path: Path
    line: int

    def where(self) -> str:
        try:
            shown = self.path.relative_to(ROOT.parent)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_under(root: Path) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def layer_of(module: str) -> str | None:
    """The layer a nexus_gw module belongs to, or None when the table above does not place it."""
    if module in BASE_MODULES:
        return "base"
    parts = module.split(".")
    top = parts[1]
    if top in TOP_LEVEL_LAYER:
        return TOP_LEVEL_LAYER[top]
    return top if top in ALLOWED else None


def _resolve_relative(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(path: Path, importer: str, known: Iterable[str]) -> Iterator[Edge]:
    """Every nexus_gw module ``path`` imports, wherever the import statement sits."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = (
                _resolve_relative(importer, is_package, node.level, node.module) if node.level else node.module or ""
            )
            # `from nexus_gw import server` imports the module nexus_gw.server, not the package nexus_gw.
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                targets = [node.args[0].value]
        for target in dict.fromkeys(targets):
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                yield Edge(importer, target, path, node.lineno)


def all_edges(root: Path = ROOT) -> list[Edge]:
    modules = modules_under(root)
    return [edge for name, path in modules.items() for edge in imports_of(path, name, modules)]


def rule_for(layer: str) -> str:
    allowed = sorted(ALLOWED[layer])
    if not allowed:
        return f"the {layer} layer may import nothing of nexus_gw but itself and the base layer"
    return f"the {layer} layer may import only itself, the base layer and {', '.join(allowed)}"


def violations(edges: Iterable[Edge], exceptions: Iterable[tuple[str, str]] = ()) -> list[str]:
    excused = set(exceptions)
    found: list[str] = []
    for edge in edges:
        src, dst = layer_of(edge.importer), layer_of(edge.imported)
        if src is None or dst is None or src == dst or dst == "base" or dst in ALLOWED[src]:
            continue
        if (edge.importer, _owner(edge.imported, excused)) in excused:
            continue
        found.append(
            f"{edge.importer} ({edge.where()}) imports {edge.imported}: {dst} is above or beside it — {rule_for(src)}"
        )
    return found


def _owner(imported: str, excused: set[tuple[str, str]]) -> str:
    """The excused target an import falls under (an exception for a module covers its submodules)."""
    for _, target in excused:
        if imported == target or imported.startswith(target + "."):
            return target
    return imported


def test_every_import_follows_the_layering() -> None:
    found = violations(all_edges(), KNOWN_EXCEPTIONS)
    assert not found, "imports against the layering (see tests/test_layers.py):\n" + "\n".join(found)


def test_every_module_has_a_layer() -> None:
    unplaced = [name for name in modules_under(ROOT) if layer_of(name) is None]
    assert not unplaced, (
        f"modules with no layer: {unplaced}; add their package to ALLOWED (or TOP_LEVEL_LAYER) in tests/test_layers.py"
    )


def test_known_exceptions_are_still_needed() -> None:
    edges = {(edge.importer, edge.imported) for edge in all_edges()}
    stale = [pair for pair in KNOWN_EXCEPTIONS if not any(e == pair[0] and i.startswith(pair[1]) for e, i in edges)]
    assert not stale, f"these imports are gone; remove them from KNOWN_EXCEPTIONS in tests/test_layers.py: {stale}"


def import_cycles(edges: Iterable[Edge], modules: Iterable[str]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (each group sorted)."""
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for edge in edges:
        target = edge.imported
        while target not in known and "." in target:
            target = target.rsplit(".", 1)[0]
        if target in known and target != edge.importer:
            graph[edge.importer].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def _excused_cycle(group: list[str]) -> str | None:
    for package in KNOWN_CYCLES:
        if all(member.startswith(package + ".") for member in group):
            return package
    return None


def test_no_import_cycles() -> None:
    cycles = import_cycles(all_edges(), modules_under(ROOT))
    found = [group for group in cycles if _excused_cycle(group) is None]
    assert not found, "modules that import each other (a cycle; break it by passing what is used):\n" + "\n".join(
        " <-> ".join(group) for group in found
    )
    stale = set(KNOWN_CYCLES) - {_excused_cycle(group) for group in cycles}
    assert not stale, f"these packages have no cycle any more; remove them from KNOWN_CYCLES: {sorted(stale)}"


def test_a_cycle_through_a_type_checking_import_is_found(tmp_path: Path) -> None:
    root = _fake_tree(
        tmp_path,
        {
            "domain/engine.py": "from nexus_gw.domain.snapshot import build\n",
            "domain/snapshot.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from nexus_gw.domain.engine import E\n"
            ),
            "domain/free.py": "from nexus_gw.domain import engine\n",
        },
    )
    cycles = import_cycles(all_edges(root), modules_under(root))
    assert cycles == [["nexus_gw.domain.engine", "nexus_gw.domain.snapshot"]]


def _fake_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for rel, text in {"__init__.py": "", **files}.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for rel in files:  # every package of the fake tree gets an __init__.py
        for parent in (root / rel).parents:
            if parent == root or root not in parent.parents:
                break
            (parent / "__init__.py").touch()
    return root


def test_a_domain_module_importing_the_server_is_caught_with_module_names_and_rule(tmp_path: Path) -> None:
    root = _fake_tree(
        tmp_path,
        {
            "domain/book.py": "import nexus_gw.server.gateway\n",
            "server/gateway.py": "from nexus_gw.domain import book\n",
        },
    )
    found = violations(all_edges(root))
    assert len(found) == 1
    assert found[0].startswith("nexus_gw.domain.book (")
    assert "imports nexus_gw.server.gateway" in found[0]
    assert "the domain layer may import nothing of nexus_gw but itself and the base layer" in found[0]


def test_function_local_type_checking_relative_and_dynamic_imports_are_all_seen(tmp_path: Path) -> None:
    root = _fake_tree(
        tmp_path,
        {
            "domain/a.py": "def f():\n    from nexus_gw.journal import store\n",
            "domain/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from nexus_gw.server import app\n",
            "domain/c.py": "from ..config import models\n",
            "domain/d.py": "import importlib\nimportlib.import_module('nexus_gw.adapters.sim')\n",
            "domain/e.py": "from nexus_gw import client\n",
            "journal/store.py": "from nexus_gw.protocol.constants import Side\n",
            "server/app.py": "from nexus_gw.adapters import runner\nfrom nexus_gw.cli import app\n",
            "config/models.py": "",
            "adapters/sim.py": "",
            "adapters/runner.py": "",
            "client/__init__.py": "",
            "cli/app.py": "",
            "protocol/constants.py": "",
        },
    )
    found = "\n".join(violations(all_edges(root)))
    for importer, imported in [
        ("nexus_gw.domain.a", "nexus_gw.journal"),
        ("nexus_gw.domain.b", "nexus_gw.server"),
        ("nexus_gw.domain.c", "nexus_gw.config.models"),
        ("nexus_gw.domain.d", "nexus_gw.adapters.sim"),
        ("nexus_gw.domain.e", "nexus_gw.client"),
        ("nexus_gw.journal.store", "nexus_gw.protocol.constants"),
        ("nexus_gw.server.app", "nexus_gw.adapters"),
        ("nexus_gw.server.app", "nexus_gw.cli"),
    ]:
        assert f"{importer} (" in found and f"imports {imported}" in found, (importer, imported, found)


def test_allowed_edges_and_excused_ones_pass(tmp_path: Path) -> None:
    root = _fake_tree(
        tmp_path,
        {
            "domain/a.py": "from nexus_gw.errors import UsageError\nfrom nexus_gw.domain import b\n",
            "domain/b.py": "",
            "errors.py": "",
            "protocol/constants.py": "from nexus_gw.domain.a import x\n",
            "server/app.py": "from nexus_gw.journal import store\nfrom nexus_gw.protocol import constants\n",
            "journal/store.py": "",
            "cli/main.py": "from nexus_gw.server import app\nfrom nexus_gw.adapters import runner\n",
            "stack.py": "from nexus_gw.client import admin\n",
            "adapters/runner.py": "",
            "client/admin.py": "",
            "config/models.py": "def f():\n    from nexus_gw.adapters.registry import validate\n",
            "adapters/registry.py": "",
        },
    )
    edges = all_edges(root)
    assert len(violations(edges)) == 1
    assert violations(edges, [("nexus_gw.config.models", "nexus_gw.adapters.registry")]) == []
