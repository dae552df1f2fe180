"""What the position book hands out: valuations, round trips and position views (values, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from nexus_gw.domain.instruments import Instrument
from nexus_gw.domain.types import Side


def _dec(value: float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Valuation:
    """What one unit of a platform's quantity of a root is worth."""

    currency: str
    """ISO code of the platform's prices and P&L for this root."""
    point_value: Decimal
    """Money (in ``currency``) per 1.0 price point per unit of the platform's quantity."""
    multiplier: Decimal = Decimal(1)
    """Platform units per root unit (lots per contract); 1 for futures platforms."""


def valuation_from_instrument(instrument: Instrument, multiplier: float | Decimal = 1) -> Valuation:
    """The valuation of a platform that trades ``multiplier`` units per contract of ``instrument``."""
    factor = _dec(multiplier)
    if factor <= 0:
        raise ValueError(f"multiplier for {instrument.root} is {multiplier}; it must be positive")
    return Valuation(instrument.currency, instrument.point_value / factor, factor)


class FillLike(Protocol):
    """Any execution record with these fields (the journal's ``FillRecord`` is one)."""

    @property
    def platform(self) -> str: ...
    @property
    def root(self) -> str: ...
    @property
    def side(self) -> Side: ...
    @property
    def qty(self) -> float: ...
    @property
    def price(self) -> float: ...
    @property
    def time_ns(self) -> int: ...
    @property
    def key(self) -> tuple[str, str]: ...


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A position from flat back to flat (or to the zero crossing of a reversal) on one platform."""

    platform: str
    root: str
    side: Side
    """BUY for a long trip, SELL for a short one."""
    qty: float
    """Total quantity opened in the trip (= total closed), in the platform's units."""
    entry_ns: int
    entry_price: float
    """Quantity-weighted average of the opening fills."""
    exit_ns: int
    exit_price: float
    """Quantity-weighted average of the closing fills."""
    pnl: Decimal
    """Realized P&L in ``currency``, rounded to cents."""
    currency: str
    pnl_usd: Decimal | None
    """In USD at the rate when the trip closed; None if no rate could be used."""


@dataclass(frozen=True, slots=True)
class PositionView:
    """One platform's position in a root, as of the last fill and mark."""

    platform: str
    root: str
    qty: float
    """Signed, in the platform's units (negative = short)."""
    root_qty: float
    """Signed, in root units (``qty / multiplier``)."""
    avg_entry: float | None
    currency: str
    realized: Decimal
    realized_usd: Decimal | None
    mark: float | None
    unrealized: Decimal | None
    """At ``mark`` (0 when flat); None for an open position that has no mark yet."""
    unrealized_usd: Decimal | None
    missing: tuple[str, ...] = ()
    """Why a figure is None: 'mark' (no price for an open position), 'rate CUR' (conversion failed)."""


@dataclass(frozen=True, slots=True)
class AggregateView:
    """A root over all (or the chosen) platforms. USD totals are None if any platform's figure is unknown."""

    root: str
    qty: float
    """Signed, in root units."""
    avg_entry: float | None
    """Weighted by root quantity over the platforms holding the aggregate's side; None when flat."""
    realized_usd: Decimal | None
    unrealized_usd: Decimal | None
    platforms: tuple[str, ...]
    missing: tuple[str, ...] = ()
    """'platform: reason' for every figure that kept a total from being computed."""
