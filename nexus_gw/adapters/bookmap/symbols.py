"""Bookmap instruments: aliases, price levels and size levels. Pure: no I/O.

Bookmap names an instrument by its alias ``<feed symbol>@<PROVIDER>`` (Rithmic: ``NQH5.CME@RITHMIC``, one-digit
year), delivered in INSTRUMENT_INFO when the user enables the addon on that instrument's chart. Depth and trade
prices are *price levels* (real price = level × pips), sizes are *size levels* (real size = level ÷
size_multiplier); order prices and execution prices are real prices, order and execution sizes are size levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class OrderRefused(ValueError):
    """An order the driver cannot express in Bookmap's units (the text says what to change)."""


@dataclass(frozen=True, slots=True)
class Instrument:
    """One instrument Bookmap attached to the addon (the fields of INSTRUMENT_INFO)."""

    alias: str
    full_name: str
    pips: float
    size_multiplier: float
    instrument_multiplier: float
    trading: bool = True

    def price(self, level: float) -> float:
        """The real price of a price level."""
        return round(level * self.pips, 10)

    def qty(self, size_level: float) -> float:
        """The real size of a size level."""
        return round(size_level / self.size_multiplier, 10) if self.size_multiplier else float(size_level)

    def size_levels(self, qty: float) -> int:
        """Order size in size levels; refused unless it is a whole positive number of them."""
        levels = qty * (self.size_multiplier or 1.0)
        whole = round(levels)
        if whole < 1 or abs(levels - whole) > 1e-6:
            raise OrderRefused(
                f"qty {qty:g} of {self.alias} is not a whole number of Bookmap size levels "
                f"(size multiplier {self.size_multiplier:g}): send a multiple of {1 / (self.size_multiplier or 1):g}"
            )
        return int(whole)

    def on_tick(self, price: float) -> float:
        """``price`` rounded to the instrument's tick (pips)."""
        if not math.isfinite(price) or price <= 0:
            raise OrderRefused(f"price {price} of {self.alias} is not a positive price")
        return round(round(price / self.pips) * self.pips, 10) if self.pips > 0 else price


def split_alias(alias: str) -> tuple[str, str]:
    """``NQH5.CME@RITHMIC`` → (``NQH5.CME``, ``RITHMIC``); ValueError for a name that is not an alias."""
    symbol, at, provider = alias.rpartition("@")
    if not at or not symbol or not provider:
        raise ValueError(f"{alias!r} is not a Bookmap alias <symbol>@<PROVIDER> (e.g. NQH5.CME@RITHMIC)")
    return symbol, provider


class SymbolMap:
    """Gateway symbol ⇄ Bookmap alias: the same unless ``overrides`` (settings.symbols) say otherwise."""

    def __init__(self, overrides: dict[str, str]) -> None:
        self._to_alias = dict(overrides)
        self._to_gateway = {alias: gw for gw, alias in overrides.items()}

    def alias(self, symbol: str) -> str:
        return self._to_alias.get(symbol, symbol)

    def gateway(self, alias: str) -> str:
        return self._to_gateway.get(alias, alias)
