"""Named contract-symbol templates, and a platform instance's own choice of one (``symbol_template``).

A platform such as Sierra Chart spells a contract differently per data feed: ``NQZ26_FUT_CME`` on Sierra's own
feed, ``NQZ26-CME`` on an older convention, ``NQZ26`` elsewhere, ``NQZ6.CME`` through Rithmic. The template in
``config/symbols.yaml`` is the default for an instance; a driver setting ``symbol_template`` (a preset name below or
a template such as ``{root}{month_code}{yy}_FUT_{exchange}``) replaces it for that one instance, so two Sierra
installs on different feeds can run side by side.

``spellings`` gives the other presets' spellings of a symbol, which an adapter may ask the platform about to name
the template that works when the configured one does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from nexus_gw.domain.instruments import MONTH_CODES
from nexus_gw.domain.symbols.schema import template_fields

SETTING: Final = "symbol_template"
"""The driver setting that selects an instance's contract template."""

PRESETS: Final[dict[str, str]] = {
    "sierra": "{root}{month_code}{yy}_FUT_{exchange}",
    "dash": "{root}{month_code}{yy}-{exchange}",
    "plain": "{root}{month_code}{yy}",
    "rithmic": "{root}{month_code}{y}.{exchange}",
}
"""Sierra Chart's spellings by feed: its own (Denali/Teton, current), the older ``-EXCHANGE`` one, the bare
contract, and Rithmic's one-digit year."""

_CONTRACT = re.compile(rf"^(?P<base>[A-Z0-9]+?[{MONTH_CODES}])(?P<year>\d{{1,2}})(?P<rest>(?:\D.*)?)$")
_DELIMITERS = ("_FUT_", "-", ".")


def template_of(value: str) -> str:
    """The template a setting names: a preset's, or ``value`` itself; ValueError when it is neither."""
    if value in PRESETS:
        return PRESETS[value]
    fields = set(template_fields(value))
    if not fields & {"month_code", "mm", "mon"} or not fields & {"yy", "y", "yyyy"}:
        raise ValueError(
            f"symbol_template {value!r} is neither a preset ({', '.join(PRESETS)}) nor a contract template with a "
            "month and a year, e.g. '{root}{month_code}{yy}_FUT_{exchange}'"
        )
    return value


def overrides(platform_settings: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Instance → contract template, for every instance whose settings choose one (ValueError naming a bad one)."""
    chosen: dict[str, str] = {}
    for name, settings in platform_settings.items():
        value = settings.get(SETTING)
        if value:
            try:
                chosen[name] = template_of(str(value))
            except ValueError as exc:
                raise ValueError(f"platforms.{name}.settings.{exc}") from None
    return chosen


def preset_name(template: str) -> str:
    """The preset name of ``template``, or the template quoted when it is not a preset."""
    return next((name for name, t in PRESETS.items() if t == template), repr(template))


def spellings(symbol: str, exchange: str = "") -> dict[str, str]:
    """Preset name → the same contract spelled that way (only those that can be built; ``symbol`` itself excluded).

    The exchange is read from the symbol (``NQZ26_FUT_CME``) or taken from ``exchange`` (the instrument's).
    """
    found = _CONTRACT.match(symbol)
    if found is None:
        return {}
    base, year, rest = found.group("base"), found.group("year"), found.group("rest")
    for delimiter in _DELIMITERS:
        if rest.startswith(delimiter):
            exchange = rest[len(delimiter) :]
            break
    candidates = {"plain": f"{base}{year[-2:]}"} if len(year) == 2 else {}
    if exchange:
        if len(year) == 2:
            candidates["sierra"] = f"{base}{year}_FUT_{exchange}"
            candidates["dash"] = f"{base}{year}-{exchange}"
        candidates["rithmic"] = f"{base}{year[-1]}.{exchange}"
    return {name: spelled for name, spelled in candidates.items() if spelled != symbol}
