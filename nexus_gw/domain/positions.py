"""Positions and P&L per platform and per root, from executions; round trips for statistics.

Each (platform, root) holds a signed quantity in that platform's units (contracts, or CFD lots), an average
entry price, realized P&L, and a mark price for unrealized P&L. Money is computed in ``Decimal`` from the
prices' decimal spelling and rounded to cents only in the views.

- A ``Valuation`` says what one unit of a platform's quantity is worth: money in ``currency`` per 1.0 price
  point, and the multiplier (platform units per root unit) that makes quantities of different platforms
  comparable. ``valuation_from_instrument`` derives it from the instrument: a platform trading 20 CFD lots per
  NQ contract has a point value of 20 / 20 = 1 USD per lot.
- USD amounts come from a conversion function ``to_usd(amount, currency)`` given to the book (for example a
  ``RateBook.convert`` at the current time). Totals are converted when asked for, at the rate the function
  gives then; a round trip's USD P&L is converted when it closes (in a rebuild: when it is replayed, so at
  the function's current rate). A conversion that fails (stale or missing rate) leaves the USD figure None and
  says so in ``missing``; quantities and native P&L are never affected.
- A round trip runs from flat to flat. A fill that crosses zero closes the trip at the zero crossing and opens
  a new one with the rest of its quantity at the same price.

The book counts each execution once (keyed by leg id and fill id) and is rebuilt by applying the journal's
executions in journal order.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from nexus_gw.domain.fx import BASE_CURRENCY, to_cents
from nexus_gw.domain.position_views import (
    AggregateView,
    FillLike,
    PositionView,
    RoundTrip,
    Valuation,
    valuation_from_instrument,
)
from nexus_gw.domain.types import Side
from nexus_gw.errors import NexusGwError

__all__ = [
    "AggregateView",
    "FillLike",
    "PositionBook",
    "PositionView",
    "RoundTrip",
    "ToUsd",
    "Valuation",
    "valuation_from_instrument",
]

ToUsd = Callable[[Decimal, str], Decimal]
"""Converts an amount in a currency to USD, e.g. ``lambda a, c: rates.convert(a, c, "USD", clock.now())``."""

_ZERO = Decimal(0)
_EPS = Decimal("1e-9")


def _dec(value: float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass
class _Trip:
    entry_ns: int
    side: Side
    opened_qty: Decimal = _ZERO
    opened_value: Decimal = _ZERO
    closed_qty: Decimal = _ZERO
    closed_value: Decimal = _ZERO
    pnl: Decimal = _ZERO


@dataclass
class _Position:
    platform: str
    root: str
    valuation: Valuation
    qty: Decimal = _ZERO
    avg: Decimal = _ZERO
    realized: Decimal = _ZERO
    mark: Decimal | None = None
    traded: bool = False
    trip: _Trip | None = None
    trips: list[RoundTrip] = field(default_factory=list)

    def apply(self, side: Side, qty: Decimal, price: Decimal, ts_ns: int, to_usd: ToUsd | None) -> None:
        self.traded = True
        sign = 1 if side is Side.BUY else -1
        if abs(self.qty) > _EPS and (self.qty > 0) != (sign > 0):
            closing = min(qty, abs(self.qty))
            self._close(closing, price, ts_ns, to_usd)
            qty -= closing
        if qty > _EPS:
            self._open(sign, qty, price, ts_ns, side)

    def _open(self, sign: int, qty: Decimal, price: Decimal, ts_ns: int, side: Side) -> None:
        held = abs(self.qty)
        if held <= _EPS or self.trip is None:
            self.trip = _Trip(entry_ns=ts_ns, side=side)
            held = _ZERO
        self.avg = (held * self.avg + qty * price) / (held + qty)
        self.qty = sign * (held + qty)
        self.trip.opened_qty += qty
        self.trip.opened_value += qty * price

    def _close(self, qty: Decimal, price: Decimal, ts_ns: int, to_usd: ToUsd | None) -> None:
        direction = 1 if self.qty > 0 else -1
        pnl = (price - self.avg) * qty * direction * self.valuation.point_value
        self.realized += pnl
        self.qty -= direction * qty
        trip = self.trip
        if trip is not None:
            trip.closed_qty += qty
            trip.closed_value += qty * price
            trip.pnl += pnl
        if abs(self.qty) <= _EPS:
            self.qty, self.avg = _ZERO, _ZERO
            if trip is not None:
                self.trips.append(self._finish(trip, ts_ns, to_usd))
            self.trip = None

    def _finish(self, trip: _Trip, ts_ns: int, to_usd: ToUsd | None) -> RoundTrip:
        currency = self.valuation.currency
        return RoundTrip(
            platform=self.platform,
            root=self.root,
            side=trip.side,
            qty=float(trip.opened_qty),
            entry_ns=trip.entry_ns,
            entry_price=float(trip.opened_value / trip.opened_qty),
            exit_ns=ts_ns,
            exit_price=float(trip.closed_value / trip.closed_qty),
            pnl=to_cents(trip.pnl),
            currency=currency,
            pnl_usd=_usd(trip.pnl, currency, to_usd)[0],
        )

    def unrealized(self) -> Decimal | None:
        if abs(self.qty) <= _EPS:
            return _ZERO
        if self.mark is None:
            return None
        return (self.mark - self.avg) * self.qty * self.valuation.point_value


def _usd(amount: Decimal, currency: str, to_usd: ToUsd | None) -> tuple[Decimal | None, str]:
    """``amount`` in USD (unrounded input, cents out) and '' — or None and why not."""
    if currency == BASE_CURRENCY or not amount:
        return to_cents(amount), ""  # nothing in any currency is nothing in USD
    if to_usd is None:
        return None, f"rate {currency} (no conversion function)"
    try:
        return to_cents(to_usd(amount, currency)), ""
    except NexusGwError as exc:
        return None, f"rate {currency} ({exc})"


def _total(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """The sum, or None if any amount is unknown (a partial total would understate the risk)."""
    total = _ZERO
    for amount in amounts:
        if amount is None:
            return None
        total += amount
    return total


class PositionBook:
    """Positions per (platform, root) built from executions; see the module docstring for the rules."""

    def __init__(self, valuation: Callable[[str, str], Valuation], to_usd: ToUsd | None = None) -> None:
        """``valuation(platform, root)`` values a platform's units; ``to_usd`` converts non-USD money."""
        self._valuation = valuation
        self._to_usd = to_usd
        self._positions: dict[tuple[str, str], _Position] = {}
        self._seen: set[tuple[str, str]] = set()
        # Kept as fills arrive, so that no view costs more than the positions it shows (never the fills since start):
        self._rank: dict[tuple[str, str], int] = {}  # creation order of the positions (ties in ``round_trips``)
        self._by_root: dict[str, list[_Position]] = {}
        self._trips: list[RoundTrip] = []  # every closed trip, ordered as ``round_trips`` lists them
        self._trip_keys: list[tuple[int, int, int]] = []  # (exit_ns, position rank, trip number) of ``_trips``
        self._closed: list[RoundTrip] = []  # every closed trip in the order it closed
        # ``totals_usd`` of the USD positions (no rate involved): sums kept as positions change, each position's
        # share (realized, unrealized cents) refreshed when a fill or a mark touched it (``_changed``)
        self._usd_share: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self._usd_sums = (_ZERO, _ZERO)
        self._changed: set[tuple[str, str]] = set()
        self._foreign: dict[tuple[str, str], _Position] = {}  # traded positions in another currency

    @classmethod
    def rebuild(
        cls, fills: Iterable[FillLike], valuation: Callable[[str, str], Valuation], to_usd: ToUsd | None = None
    ) -> PositionBook:
        """A book from executions in journal order (as ``Journal.query_fills()`` returns them)."""
        book = cls(valuation, to_usd)
        for fill in fills:
            book.apply(fill)
        return book

    def _position(self, platform: str, root: str) -> _Position:
        key = (platform, root)
        position = self._positions.get(key)
        if position is None:
            position = self._positions[key] = _Position(platform, root, self._valuation(platform, root))
            self._rank[key] = len(self._rank)
            self._by_root.setdefault(root, []).append(position)
            self._by_root[root].sort(key=lambda p: p.platform)
        return position

    def apply(self, fill: FillLike) -> bool:
        """Count an execution record once; True when it was new."""
        return self.apply_fill(fill.platform, fill.root, fill.side, fill.qty, fill.price, fill.time_ns, fill.key)

    def apply_fill(
        self,
        platform: str,
        root: str,
        side: Side,
        qty: float,
        price: float,
        ts_ns: int = 0,
        key: tuple[str, str] | None = None,
    ) -> bool:
        """Apply one execution of ``qty`` (platform units) at ``price``; False (and no change) for a seen key."""
        if key is not None and key in self._seen:
            return False
        if not (0 < qty < math.inf and 0 < price < math.inf):
            raise ValueError(f"{platform} {root}: fill {key} has qty {qty} and price {price}; both must be positive")
        position = self._position(platform, root)
        closed = len(position.trips)
        position.apply(Side(side), _dec(qty), _dec(price), ts_ns, self._to_usd)
        self._touched(position)
        for number in range(closed, len(position.trips)):
            self._file_trip(position, number)
        if key is not None:
            self._seen.add(key)
        return True

    def _file_trip(self, position: _Position, number: int) -> None:
        trip = position.trips[number]
        key = (trip.exit_ns, self._rank[(position.platform, position.root)], number)
        at = bisect.bisect(self._trip_keys, key)  # at the end unless fills came out of time order
        self._trip_keys.insert(at, key)
        self._trips.insert(at, trip)
        self._closed.append(trip)

    def mark(self, root: str, platform: str, price: float) -> None:
        """Set the price that ``platform``'s position in ``root`` is marked to for unrealized P&L."""
        if not 0 < price < math.inf:
            raise ValueError(f"mark price for {platform} {root} is {price}; give the last traded or mid price")
        position = self._position(platform, root)
        position.mark = _dec(price)
        if position.traded:
            self._touched(position)

    def _touched(self, position: _Position) -> None:
        key = (position.platform, position.root)
        if position.valuation.currency == BASE_CURRENCY:
            self._changed.add(key)
        else:
            self._foreign[key] = position

    def net_qty(self, platform: str, root: str) -> float:
        """Signed position of a platform in a root, in the platform's units (0 when none)."""
        position = self._positions.get((platform, root))
        return float(position.qty) if position else 0.0

    def platform_positions(self, platform: str) -> dict[str, float]:
        """Signed non-zero positions of one platform by root (what reconciliation compares)."""
        return {root: float(p.qty) for (name, root), p in sorted(self._positions.items()) if name == platform and p.qty}

    def position(self, platform: str, root: str) -> PositionView:
        """One platform's position in a root (flat and zero if it never traded)."""
        p = self._positions.get((platform, root)) or _Position(platform, root, self._valuation(platform, root))
        currency = p.valuation.currency
        missing: list[str] = []
        realized_usd, why = _usd(p.realized, currency, self._to_usd)
        missing += [why] if why else []
        unrealized = p.unrealized()
        unrealized_usd = None
        if unrealized is None:
            missing.append("mark")
        else:
            unrealized_usd, why = _usd(unrealized, currency, self._to_usd)
            missing += [why] if why and why not in missing else []
        return PositionView(
            platform=platform,
            root=root,
            qty=float(p.qty),
            root_qty=float(p.qty / p.valuation.multiplier),
            avg_entry=float(p.avg) if p.qty else None,
            currency=currency,
            realized=to_cents(p.realized),
            realized_usd=realized_usd,
            mark=float(p.mark) if p.mark is not None else None,
            unrealized=to_cents(unrealized) if unrealized is not None else None,
            unrealized_usd=unrealized_usd,
            missing=tuple(missing),
        )

    def positions(self) -> list[PositionView]:
        """Every (platform, root) that traded, sorted by root then platform."""
        keys = sorted((key for key, p in self._positions.items() if p.traded), key=lambda key: (key[1], key[0]))
        return [self.position(platform, root) for platform, root in keys]

    def roots(self) -> list[str]:
        """Roots that traded on any platform."""
        return sorted({root for (_, root), p in self._positions.items() if p.traded})

    def aggregate(self, root: str, platforms: Iterable[str] | None = None) -> AggregateView:
        """``root`` summed over ``platforms`` (default: all that traded it; leave paper ones out if wanted)."""
        chosen = set(platforms) if platforms is not None else None
        views = [
            self.position(p, r)
            for (p, r), position in sorted(self._positions.items())
            if r == root and position.traded and (chosen is None or p in chosen)
        ]
        qty = sum(_dec(v.root_qty) for v in views)
        same_side = [v for v in views if v.avg_entry is not None and qty and (v.root_qty > 0) == (qty > 0)]
        weight = sum(abs(_dec(v.root_qty)) for v in same_side)
        avg = sum(abs(_dec(v.root_qty)) * _dec(v.avg_entry or 0) for v in same_side) / weight if weight else None
        missing = tuple(f"{v.platform}: {why}" for v in views for why in v.missing)
        return AggregateView(
            root=root,
            qty=float(qty),
            avg_entry=float(avg) if avg is not None else None,
            realized_usd=_total(v.realized_usd for v in views),
            unrealized_usd=_total(v.unrealized_usd for v in views),
            platforms=tuple(v.platform for v in views),
            missing=missing,
        )

    def round_trips(self, platform: str | None = None, root: str | None = None) -> list[RoundTrip]:
        """Closed round trips by exit time (ties: by platform and root as they first traded, then as they closed),
        optionally filtered."""
        return [
            trip
            for trip in self._trips
            if (platform is None or trip.platform == platform) and (root is None or trip.root == root)
        ]

    def trip_count(self) -> int:
        """How many round trips closed so far."""
        return len(self._closed)

    def trips_since(self, count: int) -> list[RoundTrip]:
        """The round trips that closed after the first ``count``, in the order they closed."""
        return self._closed[count:]

    def root_quantities(self, root: str) -> list[float]:
        """``root_qty`` of every platform that traded ``root``, by platform (as ``positions()`` lists them)."""
        return [float(p.qty / p.valuation.multiplier) for p in self._by_root.get(root, ()) if p.traded]

    def root_position(self, root: str) -> float:
        """``aggregate(root).qty`` (the position in root units over every platform that traded it), without the
        rest of the view."""
        return float(sum((_dec(qty) for qty in self.root_quantities(root)), _ZERO))

    def realized(self, platform: str, root: str) -> tuple[str, Decimal, Decimal | None]:
        """Currency, realized P&L (cents) and in USD (cents, None when no rate) of one position: what
        ``position()`` shows, without the rest of the view."""
        p = self._positions.get((platform, root))
        if p is None:
            currency = self._valuation(platform, root).currency
            return currency, to_cents(_ZERO), _usd(_ZERO, currency, self._to_usd)[0]
        currency = p.valuation.currency
        return currency, to_cents(p.realized), _usd(p.realized, currency, self._to_usd)[0]

    def totals_usd(self) -> tuple[Decimal, Decimal]:
        """Realized and unrealized USD over every position that traded, an unknown figure counted as 0: the sums
        of ``positions()``' ``realized_usd`` and ``unrealized_usd``. USD positions count from running sums (only
        those a fill or mark changed since the last call are computed again); others are converted now."""
        realized, unrealized = self._usd_sums
        for key in self._changed:
            p = self._positions[key]
            old_realized, old_unrealized = self._usd_share.get(key, (_ZERO, _ZERO))
            open_pnl = p.unrealized()
            share = (to_cents(p.realized), _ZERO if open_pnl is None else to_cents(open_pnl))
            self._usd_share[key] = share
            realized += share[0] - old_realized
            unrealized += share[1] - old_unrealized
        self._changed.clear()
        self._usd_sums = (realized, unrealized)
        for p in self._foreign.values():
            currency = p.valuation.currency
            realized += _usd(p.realized, currency, self._to_usd)[0] or _ZERO
            open_pnl = p.unrealized()
            if open_pnl is not None:
                unrealized += _usd(open_pnl, currency, self._to_usd)[0] or _ZERO
        return realized, unrealized
