"""Schema of ``config/symbols.yaml``: platform instances, their symbol templates and their fixed symbols.

Template placeholders: ``{root}`` (the platform's name for the root, see ``native_roots``), ``{exchange}``
(CME, CBOT, B3), ``{month_code}`` (H), ``{mm}`` (03), ``{mon}`` (MAR), ``{yy}`` (25), ``{y}`` (5, one digit),
``{yyyy}`` (2025). A contract template needs a month and a year so that symbols can be read back; a spot
template or a suffix may only use ``{root}`` and ``{exchange}``.
"""

from __future__ import annotations

from string import Formatter
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from nexus_gw.domain.instruments import MONTH_CODES, InstrumentRegistry, RootName

PlatformName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]

MONTH_ABBREVIATIONS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTH_FIELDS = frozenset({"month_code", "mm", "mon"})
YEAR_FIELDS = frozenset({"yy", "y", "yyyy"})
PLACEHOLDERS = frozenset({"root", "exchange"}) | MONTH_FIELDS | YEAR_FIELDS
#: The regular expression each dated placeholder matches when a symbol is read back.
FIELD_PATTERNS = {
    "month_code": f"[{MONTH_CODES}]",
    "mm": r"0[1-9]|1[0-2]",
    "mon": "|".join(MONTH_ABBREVIATIONS),
    "yy": r"\d{2}",
    "y": r"\d",
    "yyyy": r"\d{4}",
}


def template_fields(template: str) -> list[str]:
    """Placeholder names of ``template``, in order; ValueError naming what is wrong."""
    names: list[str] = []
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"template {template!r} is malformed ({exc}); write placeholders as {{name}}") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValueError(
                f"template {template!r} has unknown placeholder {{{name}}}; use {', '.join(sorted(PLACEHOLDERS))}"
            )
        names.append(name)
    return names


def _contract_template(template: str) -> str:
    fields = set(template_fields(template))
    if not fields & MONTH_FIELDS or not fields & YEAR_FIELDS:
        raise ValueError(
            f"contract template {template!r} needs a month ({{month_code}}, {{mm}} or {{mon}}) and a year "
            "({yy}, {y} or {yyyy}) so that symbols can be read back"
        )
    return template


def _fixed_template(template: str) -> str:
    dated = set(template_fields(template)) & (MONTH_FIELDS | YEAR_FIELDS)
    if dated:
        raise ValueError(
            f"{template!r} cannot use dated placeholders {sorted(dated)}; a spot template or a suffix "
            "may only use {root} and {exchange}"
        )
    return template


ContractTemplate = Annotated[str, AfterValidator(_contract_template)]
FixedTemplate = Annotated[str, AfterValidator(_fixed_template)]


class PlatformSpec(BaseModel):
    """One platform instance under ``platforms:`` in ``config/symbols.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field("", description="Human note, e.g. 'Sierra Chart via Denali'.")
    aliases: list[PlatformName] = Field(default_factory=list, description="Other names for this instance (mt5).")
    roots: list[RootName] = Field(min_length=1, description="Roots this platform instance trades.")
    template: ContractTemplate | None = Field(
        None,
        description="Symbol of a dated contract, e.g. '{root} {mm}-{yy}'; needed for non-overridden futures.",
    )
    suffix: FixedTemplate = Field(
        "",
        description="Appended to the contract template; may use {exchange}, e.g. '_FUT_{exchange}'.",
    )
    accept: list[ContractTemplate] = Field(
        default_factory=list,
        description="Extra contract spellings accepted when reading symbols back (the suffix is not added).",
    )
    spot_template: FixedTemplate = Field("{root}", description="Symbol of a non-expiring (spot) root.")
    native_roots: dict[RootName, str] = Field(
        default_factory=dict, description="Platform's own name for a root inside templates (CQG: ES → EP)."
    )
    overrides: dict[RootName, Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=dict,
        description="Fixed symbol for a root, used at every date (CFDs: NQ → NAS100). Wins over templates.",
    )
    symbol_owners: dict[str, RootName] = Field(
        default_factory=dict,
        description="When several roots share one fixed symbol, the root that symbol reads back as.",
    )

    @model_validator(mode="after")
    def _check_against_roots(self, info: ValidationInfo) -> Self:
        listed = set(self.roots)
        for key in ("overrides", "native_roots"):
            stray = sorted(set(getattr(self, key)) - listed)
            if stray:
                raise ValueError(f"{key} names roots this platform does not trade: {stray}; add them to roots")
        if len(listed) != len(self.roots):
            raise ValueError("a root is listed twice in roots; list each root once")
        registry = (info.context or {}).get("registry")
        if isinstance(registry, InstrumentRegistry):
            self.check_against(registry)
        return self

    def check_against(self, registry: InstrumentRegistry) -> None:
        """ValueError naming what does not fit the instruments: unknown roots, missing templates, shared symbols."""
        unknown = [root for root in self.roots if root not in registry]
        if unknown:
            raise ValueError(
                f"roots {unknown} are not in config/instruments.yaml; known roots: {', '.join(registry.roots())}"
            )
        needs_template = [root for root in self.roots if registry.get(root).is_expiring and root not in self.overrides]
        if needs_template and self.template is None:
            raise ValueError(
                f"futures {needs_template} have no override, so set 'template' (e.g. '{{root}}{{month_code}}{{yy}}')"
            )
        fixed_symbol_owners(self, registry)


class SymbolsFile(BaseModel):
    """Schema of ``config/symbols.yaml``; validate with ``context={"registry": registry}`` to check roots."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platforms: dict[PlatformName, PlatformSpec] = Field(
        min_length=1, description="Platform instances keyed by name (nt8, sierra, mt5_global…)."
    )

    @model_validator(mode="after")
    def _check_aliases(self) -> Self:
        seen: dict[str, str] = {name: name for name in self.platforms}
        for name, spec in self.platforms.items():
            for alias in spec.aliases:
                if alias in seen:
                    raise ValueError(f"platform alias {alias!r} of {name!r} is already used by {seen[alias]!r}")
                seen[alias] = name
        return self


def fixed_symbols(spec: PlatformSpec, registry: InstrumentRegistry) -> dict[str, str]:
    """Root → fixed symbol for the platform's overridden and spot roots (symbols that never change)."""
    fixed: dict[str, str] = {}
    for root in spec.roots:
        instrument = registry.get(root)
        if root in spec.overrides:
            fixed[root] = spec.overrides[root]
        elif not instrument.is_expiring:
            native = spec.native_roots.get(root, root)
            fixed[root] = spec.spot_template.format(root=native, exchange=instrument.exchange)
    return fixed


def fixed_symbol_owners(spec: PlatformSpec, registry: InstrumentRegistry) -> dict[str, str]:
    """Fixed symbol → the root it reads back as; ValueError when roots share a symbol with no owner named."""
    sharers: dict[str, list[str]] = {}
    for root, symbol in fixed_symbols(spec, registry).items():
        sharers.setdefault(symbol, []).append(root)
    stray = sorted(set(spec.symbol_owners) - set(sharers))
    if stray:
        raise ValueError(f"symbol_owners names symbols {stray} that no override or spot root maps to; remove them")
    owners: dict[str, str] = {}
    for symbol, roots in sharers.items():
        if symbol in spec.symbol_owners:
            owner = spec.symbol_owners[symbol]
        elif len(roots) == 1 or symbol in roots:
            owner = roots[0] if len(roots) == 1 else symbol
        else:
            raise ValueError(
                f"roots {roots} all map to symbol {symbol!r}; say which one it reads back as under "
                f"symbol_owners: {{{symbol}: ROOT}}"
            )
        if owner not in roots:
            raise ValueError(f"symbol_owners gives {owner!r} for {symbol!r}, which is the symbol of {roots} only")
        owners[symbol] = owner
    return owners
