"""Unit tests of the pure domain. Helpers here load the shipped config files once for every test module."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from nexus_gw.domain.instruments import InstrumentRegistry
from nexus_gw.domain.symbols import SymbolMapper

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


@cache
def _load(name: str) -> Any:
    return YAML(typ="safe").load((CONFIG_DIR / name).read_text(encoding="utf-8"))


def instruments_data() -> dict[str, Any]:
    """A fresh copy of the parsed config/instruments.yaml (safe to modify)."""
    return copy.deepcopy(_load("instruments.yaml"))


def symbols_data() -> dict[str, Any]:
    """A fresh copy of the parsed config/symbols.yaml (safe to modify)."""
    return copy.deepcopy(_load("symbols.yaml"))


@cache
def shipped_registry() -> InstrumentRegistry:
    """The registry built from the shipped config/instruments.yaml."""
    return InstrumentRegistry.from_mapping(_load("instruments.yaml"))


@cache
def shipped_mapper() -> SymbolMapper:
    """The symbol mapper built from the shipped config/symbols.yaml."""
    return SymbolMapper.from_mapping(_load("symbols.yaml"), shipped_registry())
