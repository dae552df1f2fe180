"""Read YAML files into plain dicts while remembering where every key came from (file, line, column)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from nexus_gw.errors import ConfigError

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """Where a value was set: a file position, or an environment variable."""

    source: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.source}:{self.line}:{self.column}"
        return self.source


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, Origin]]:
    """Parse ``path``; return the data as plain Python values and the origin of each key path."""
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        node = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if node is None:
        return {}, {}
    if not isinstance(node, CommentedMap):
        raise ConfigError(f"{path}: the top level must be a mapping of keys, not {type(node).__name__}")
    origins: dict[KeyPath, Origin] = {}
    data = _plain(node, (), str(path), origins)
    return data, origins


def _plain(node: Any, path: KeyPath, source: str, origins: dict[KeyPath, Origin]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            origins[(*path, str(key))] = Origin(source, line + 1, col + 1)
            out[str(key)] = _plain(value, (*path, str(key)), source, origins)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            origins[(*path, index)] = Origin(source, line + 1, col + 1)
            items.append(_plain(value, (*path, index), source, origins))
        return items
    return node


def deep_merge(
    base: dict[str, Any],
    base_origins: dict[KeyPath, Origin],
    top: dict[str, Any],
    top_origins: dict[KeyPath, Origin],
    path: KeyPath = (),
) -> None:
    """Merge ``top`` into ``base`` in place: mappings merge key by key, anything else is replaced."""
    for key, value in top.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], base_origins, value, top_origins, here)
            if here in top_origins:
                base_origins[here] = top_origins[here]
            continue
        for stale in [p for p in base_origins if p[: len(here)] == here]:
            del base_origins[stale]
        base[key] = value
        for p, origin in top_origins.items():
            if p[: len(here)] == here:
                base_origins[p] = origin


def origin_of(loc: KeyPath, origins: dict[KeyPath, Origin]) -> Origin | None:
    """The origin of the longest prefix of ``loc`` that has one."""
    for end in range(len(loc), 0, -1):
        found = origins.get(tuple(loc[:end]))
        if found is not None:
            return found
    return None
