"""Symbol mapping: canonical root ⇄ each platform instance's own symbol, in both directions.

NEXUS only ever sees roots ("NQ"). Each platform instance in ``config/symbols.yaml`` says which roots it
trades and how a root's *front contract* is spelled there: a template such as ``{root} {mm}-{yy}`` (NT8) or
``{root}{month_code}{yy}`` plus a suffix (Sierra), or a fixed override (NQ → NAS100 on an MT5 CFD broker).

The file's schema and template placeholders are in ``nexus_gw.domain.symbols.schema``.

API:
    mapper = SymbolMapper.from_mapping(data, registry)   # pydantic.ValidationError on a bad file
    mapper.resolve(root, platform, at) -> str            # front contract's symbol at instant ``at``
    mapper.normalize(symbol, platform) -> root           # UnknownSymbolError listing what the platform knows
    mapper.parse(symbol, platform, at=None) -> (root, Contract | None)   # None for non-expiring symbols
    mapper.canonical_platform(name) -> str               # resolves aliases (mt5 → mt5_global)
    mapper.platforms(); mapper.supports(platform, root); mapper.roots_for(platform)
    mapper.symbols_for(platform, at) -> {root: symbol}

Round trip: ``normalize(resolve(root, p, at), p) == root`` for every root a platform trades, except where
several roots share one fixed symbol (BTC and BTCUSD are both ``BTCUSD`` on a CFD broker): that symbol
normalizes to the root named in ``symbol_owners`` or, failing that, to the root spelled like the symbol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from string import Formatter
from typing import Any

from nexus_gw.domain.contracts import Contract, contract_for, front_contract
from nexus_gw.domain.instruments import MONTH_CODES, Instrument, InstrumentRegistry
from nexus_gw.domain.symbols.schema import (
    FIELD_PATTERNS,
    MONTH_ABBREVIATIONS,
    PlatformSpec,
    SymbolsFile,
    fixed_symbol_owners,
    fixed_symbols,
)
from nexus_gw.errors import ConfigError, UnknownPlatformError, UnknownSymbolError, UsageError

#: A one-digit year is read as the year in this window around the reference time, (-2, +7] years.
_ONE_DIGIT_YEARS_BACK = 2


@dataclass(frozen=True, slots=True)
class _ContractPattern:
    """A compiled contract spelling of one root on one platform."""

    root: str
    template: str
    regex: re.Pattern[str]


class _Platform:
    """One platform instance, ready to render and read symbols."""

    def __init__(self, name: str, spec: PlatformSpec, registry: InstrumentRegistry) -> None:
        self.name = name
        self.spec = spec
        self.instruments: dict[str, Instrument] = {root: registry.get(root) for root in spec.roots}
        self.fixed = fixed_symbols(spec, registry)
        self.fixed_owner = fixed_symbol_owners(spec, registry)
        self.patterns = [
            _ContractPattern(root, template, self._compile(template, root))
            for root, instrument in self.instruments.items()
            if instrument.is_expiring and root not in spec.overrides
            for template in (self.contract_template, *spec.accept)
        ]

    @property
    def contract_template(self) -> str:
        return (self.spec.template or "") + self.spec.suffix

    def native(self, root: str) -> str:
        return self.spec.native_roots.get(root, root)

    def _compile(self, template: str, root: str) -> re.Pattern[str]:
        instrument = self.instruments[root]
        parts: list[str] = []
        used: set[str] = set()
        for literal, name, _, _ in Formatter().parse(template):
            parts.append(re.escape(literal))
            if name is None:
                continue
            if name == "root":
                parts.append(re.escape(self.native(root)))
            elif name == "exchange":
                parts.append(re.escape(instrument.exchange))
            elif name in used:
                parts.append(f"(?P={name})")
            else:
                parts.append(f"(?P<{name}>{FIELD_PATTERNS[name]})")
                used.add(name)
        return re.compile("".join(parts))

    def render(self, root: str, contract: Contract) -> str:
        instrument = self.instruments[root]
        return self.contract_template.format(
            root=self.native(root),
            exchange=instrument.exchange,
            month_code=contract.month_code,
            mm=f"{contract.month:02d}",
            mon=MONTH_ABBREVIATIONS[contract.month - 1],
            yy=f"{contract.year % 100:02d}",
            y=str(contract.year % 10),
            yyyy=str(contract.year),
        )

    def describe(self) -> str:
        """What this platform knows, for error messages."""
        parts = [f"roots {', '.join(sorted(self.instruments))}"]
        if self.patterns:
            parts.append(f"contract symbols like {self.contract_template!r}")
        if self.fixed:
            parts.append(f"fixed symbols {', '.join(sorted(set(self.fixed.values())))}")
        return "; ".join(parts)


class SymbolMapper:
    """Translates between canonical roots and every configured platform instance's symbols."""

    def __init__(self, file: SymbolsFile, registry: InstrumentRegistry) -> None:
        for name, spec in file.platforms.items():
            try:
                spec.check_against(registry)
            except ValueError as exc:
                raise ConfigError(f"config/symbols.yaml: platforms.{name}: {exc}") from None
        self._registry = registry
        self._platforms = {name: _Platform(name, spec, registry) for name, spec in file.platforms.items()}
        self._aliases = {alias: name for name, spec in file.platforms.items() for alias in spec.aliases}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], registry: InstrumentRegistry) -> SymbolMapper:
        """Mapper from the parsed ``symbols.yaml``; raises ``pydantic.ValidationError`` on bad input."""
        return cls(SymbolsFile.model_validate(data, context={"registry": registry}), registry)

    def platforms(self) -> list[str]:
        """Canonical platform instance names, sorted (aliases not included)."""
        return sorted(self._platforms)

    def canonical_platform(self, name: str) -> str:
        """The instance name behind ``name`` (itself or the instance it is an alias of)."""
        if name in self._platforms:
            return name
        if name in self._aliases:
            return self._aliases[name]
        aliases = ", ".join(f"{alias} → {target}" for alias, target in sorted(self._aliases.items()))
        raise UnknownPlatformError(
            f"unknown platform {name!r}; known platforms: {', '.join(self.platforms())}"
            + (f" (aliases: {aliases})" if aliases else "")
            + ". Use one of these or add it under 'platforms:' in config/symbols.yaml."
        )

    def _platform(self, name: str) -> _Platform:
        return self._platforms[self.canonical_platform(name)]

    def roots_for(self, platform: str) -> list[str]:
        """Roots the platform trades, sorted."""
        return sorted(self._platform(platform).instruments)

    def supports(self, platform: str, root: str) -> bool:
        """True when the platform trades ``root``; UnknownPlatformError for an unknown platform."""
        return root in self._platform(platform).instruments

    def resolve(self, root: str, platform: str, at: datetime) -> str:
        """The platform's symbol for ``root`` at instant ``at``: its override, or the front contract's."""
        target = self._platform(platform)
        if root not in target.instruments:
            self._registry.get(root)  # an unknown root gets the registry's message
            raise UnknownSymbolError(
                f"platform {target.name!r} does not trade {root!r}; "
                f"it trades {', '.join(sorted(target.instruments))}. "
                "Route the root elsewhere or add it to the platform's roots in config/symbols.yaml."
            )
        if root in target.fixed:
            return target.fixed[root]
        return target.render(root, front_contract(target.instruments[root], at))

    def symbols_for(self, platform: str, at: datetime) -> dict[str, str]:
        """Every root the platform trades with its symbol at ``at``."""
        return {root: self.resolve(root, platform, at) for root in self.roots_for(platform)}

    def normalize(self, symbol: str, platform: str) -> str:
        """The canonical root of a platform symbol."""
        return self._read(symbol, platform, at=None, want_contract=False)[0]

    def parse(self, symbol: str, platform: str, at: datetime | None = None) -> tuple[str, Contract | None]:
        """Root and dated contract of a platform symbol (contract None for fixed, non-expiring symbols).

        ``at`` (when the symbol was seen) is needed only for one-digit years, which repeat every decade: the
        year is taken from the window of 2 years before to 7 years after ``at``.
        """
        return self._read(symbol, platform, at=at, want_contract=True)

    def _read(
        self, symbol: str, platform: str, *, at: datetime | None, want_contract: bool
    ) -> tuple[str, Contract | None]:
        target = self._platform(platform)
        if symbol in target.fixed_owner:
            return target.fixed_owner[symbol], None
        matches = [(pattern, found) for pattern in target.patterns if (found := pattern.regex.fullmatch(symbol))]
        roots = sorted({pattern.root for pattern, _ in matches})
        if not roots:
            raise UnknownSymbolError(
                f"unknown symbol {symbol!r} on platform {target.name!r}; it knows {target.describe()}. "
                "Check the spelling or the platform's entry in config/symbols.yaml."
            )
        if len(roots) > 1:
            raise UnknownSymbolError(
                f"symbol {symbol!r} on platform {target.name!r} reads as several roots {roots}; "
                "make the templates or native_roots in config/symbols.yaml unambiguous."
            )
        pattern, found = matches[0]
        instrument = target.instruments[pattern.root]
        month = _month_of(found.groupdict())
        if month not in instrument.month_numbers():
            raise UnknownSymbolError(
                f"symbol {symbol!r} on platform {target.name!r}: {instrument.root} lists no "
                f"{MONTH_CODES[month - 1]} ({MONTH_ABBREVIATIONS[month - 1]}) contract; "
                f"listed months: {instrument.contract_months}"
            )
        if not want_contract:
            return instrument.root, None
        year = _year_of(found.groupdict(), symbol, at)
        return instrument.root, contract_for(instrument, year, month)


def _month_of(fields: Mapping[str, str | None]) -> int:
    if code := fields.get("month_code"):
        return MONTH_CODES.index(code) + 1
    if number := fields.get("mm"):
        return int(number)
    return MONTH_ABBREVIATIONS.index(fields["mon"] or "") + 1


def _year_of(fields: Mapping[str, str | None], symbol: str, at: datetime | None) -> int:
    if full := fields.get("yyyy"):
        return int(full)
    if two := fields.get("yy"):
        return 2000 + int(two)
    digit = int(fields["y"] or "0")
    if at is None:
        raise UsageError(
            f"symbol {symbol!r} has a one-digit year, which repeats every decade; "
            "pass at= (when the symbol was seen) to parse it"
        )
    earliest = at.year - _ONE_DIGIT_YEARS_BACK
    return earliest + (digit - earliest) % 10
