"""The order the risk engine is asked about, and how it splits into a closing and an opening part."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from nexus_gw.domain.types import Side


class Origin(StrEnum):
    """Who asked for the order.

    SIGNAL: the signal engine (or an operator acting like one). FLATTEN: the gateway itself, closing positions
    because the kill switch was activated with ``flatten``; only such orders may pass an active kill switch.
    """

    SIGNAL = "SIGNAL"
    FLATTEN = "FLATTEN"


def _finite(name: str, value: float | None, *, positive: bool = False) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """An order for one root, before routing, in whole contracts of that root.

    ``position`` is the *projected* net position of the root in contracts: filled position plus every working
    order as if it filled (signed, + long / - short). Passing the projected position keeps two quick orders
    from both fitting under a limit that only one of them fits under.

    Value fields: ``reference_price`` is in the instrument's price units, ``point_value`` is the money one
    contract makes per 1.0 of price in the instrument's currency, ``fx_to_usd`` is USD per one unit of that
    currency (1.0 for USD instruments). ``stop_distance`` is the distance to the protective stop in price
    units, when the signal gives one (used by the per-trade risk budget).

    ``confidence`` is 0..1; ``mq_composite`` and ``mq_noise`` are the MQScore composite and noise level, 0..1,
    when the signal carries them.
    """

    root: str
    side: Side
    qty: int
    platforms: tuple[str, ...]
    position: int = 0
    confidence: float | None = None
    mq_composite: float | None = None
    mq_noise: float | None = None
    reference_price: float | None = None
    point_value: float | None = None
    fx_to_usd: float | None = None
    stop_distance: float | None = None
    origin: Origin = Origin.SIGNAL

    def __post_init__(self) -> None:
        if not self.root:
            raise ValueError("root is empty; pass the canonical root, e.g. 'NQ'")
        object.__setattr__(self, "side", Side.coerce(self.side))
        if isinstance(self.qty, bool) or not isinstance(self.qty, int) or self.qty <= 0:
            raise ValueError(f"qty must be a whole number of contracts > 0, got {self.qty!r}")
        if isinstance(self.position, bool) or not isinstance(self.position, int):
            raise ValueError(f"position must be a whole number of contracts, got {self.position!r}")
        if not self.platforms:
            raise ValueError("platforms is empty; pass the platform instances that would receive the order")
        object.__setattr__(self, "platforms", tuple(self.platforms))
        for name in ("confidence", "mq_composite", "mq_noise"):
            value = getattr(self, name)
            _finite(name, value)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        for name in ("reference_price", "point_value", "fx_to_usd", "stop_distance"):
            _finite(name, getattr(self, name), positive=True)

    @property
    def position_after(self) -> int:
        """Projected net position if this order fills completely."""
        return self.position + self.side.sign * self.qty

    @property
    def closing_qty(self) -> int:
        """Contracts of this order that shrink the existing position (0 when it adds or starts one)."""
        if self.position * self.side.sign >= 0:
            return 0
        return min(self.qty, abs(self.position))

    @property
    def opening_qty(self) -> int:
        """Contracts that add exposure: the whole order for an entry, the part past flat for a reversal."""
        return self.qty - self.closing_qty

    @property
    def is_reducing(self) -> bool:
        """True when every contract shrinks the position and it does not cross through flat."""
        return self.opening_qty == 0

    @property
    def contract_value_usd(self) -> float | None:
        """USD value of one contract at the reference price, or None when a value field is missing."""
        if self.reference_price is None or self.point_value is None or self.fx_to_usd is None:
            return None
        return self.reference_price * self.point_value * self.fx_to_usd

    def with_qty(self, qty: int) -> OrderIntent:
        return replace(self, qty=qty)

    def with_platforms(self, platforms: tuple[str, ...]) -> OrderIntent:
        return replace(self, platforms=platforms)

    def describe(self) -> str:
        """Short text for messages, e.g. 'BUY 2 NQ (position +1)'."""
        return f"{self.side.name} {self.qty} {self.root} (position {self.position:+d})"
