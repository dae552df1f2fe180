"""Symbol mapping: canonical root ⇄ each platform instance's own symbol (``mapper``), and the schema of
``config/symbols.yaml`` it is built from (``schema``)."""

from nexus_gw.domain.symbols.mapper import SymbolMapper
from nexus_gw.domain.symbols.schema import PLACEHOLDERS, PlatformSpec, SymbolsFile, fixed_symbol_owners, fixed_symbols

__all__ = ["PLACEHOLDERS", "PlatformSpec", "SymbolMapper", "SymbolsFile", "fixed_symbol_owners", "fixed_symbols"]
