"""What a signal asks to trade, and how much of it each platform trades. Pure functions, no state.

Signal semantics (``SignalMode``):

- ``ORDER``: the signal is an order. Its sign is the side (> 0 buy, < 0 sell) and ``qty`` the size; 0 trades
  nothing. The current position does not matter.
- ``TARGET``: the signal names the position to hold: ``+qty`` for a positive signal, ``-qty`` for a negative
  one, flat for 0. The gateway trades the difference from the current position. Crossing zero (long → short
  or short → long) is split into two orders, a close to flat and an open on the other side, so a rejection of
  the second never leaves a larger position than before and each half carries its own reason.

Platform quantity: a root's quantity (contracts of the signal) becomes each platform's quantity by a
multiplier (lots per contract: 20 NAS100 CFD lots ≈ 1 NQ contract), rounded to the platform's volume step and
kept within its minimum and maximum volume. A result of 0 means the platform gets no leg; ``PlatformSize``
says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, Decimal
from enum import StrEnum

from nexus_gw.domain.types import Side

#: Quantities closer than this are equal (matches the order state machine's tolerance).
QTY_EPSILON = 1e-9

Trade = tuple[Side, float]
"""One order to send: side and positive quantity in the root's units."""


class SignalMode(StrEnum):
    """How a signal's value is read: an order to trade, or the position to hold."""

    ORDER = "order"
    TARGET = "target"


def _check_size(qty: float, what: str) -> None:
    if not math.isfinite(qty) or qty < 0:
        raise ValueError(f"{what} is {qty}; give a finite quantity of 0 or more")


def _side_of(value: float) -> Side:
    return Side.BUY if value > 0 else Side.SELL


def order_qty(signal: float, qty: float) -> list[Trade]:
    """ORDER semantics: buy ``qty`` on a positive signal, sell it on a negative one, nothing on 0."""
    if not math.isfinite(signal):
        raise ValueError(f"signal is {signal}; give a finite number (its sign is the side)")
    _check_size(qty, "order qty")
    if signal == 0 or qty <= QTY_EPSILON:
        return []
    return [(_side_of(signal), qty)]


def target_position(signal: float, qty: float) -> float:
    """TARGET semantics: the signed position a signal asks for (``+qty``, ``-qty`` or 0)."""
    if not math.isfinite(signal):
        raise ValueError(f"signal is {signal}; give a finite number (its sign is the direction to hold)")
    _check_size(qty, "target qty")
    if signal == 0:
        return 0.0
    return qty if signal > 0 else -qty


def target_delta(current_position: float, target: float) -> list[Trade]:
    """Orders that take a signed position to a signed target; a sign change is closed to flat first.

    ``[]`` when already at the target; one order when the position only grows or shrinks on one side of
    zero; two orders (close ``|current|``, then open ``|target|``) when it crosses zero.
    """
    for value, what in ((current_position, "current position"), (target, "target position")):
        if not math.isfinite(value):
            raise ValueError(f"{what} is {value}; give a finite signed quantity (negative = short)")
    delta = target - current_position
    if abs(delta) <= QTY_EPSILON:
        return []
    crosses_zero = (current_position > QTY_EPSILON and target < -QTY_EPSILON) or (
        current_position < -QTY_EPSILON and target > QTY_EPSILON
    )
    if crosses_zero:
        side = _side_of(delta)
        return [(side, abs(current_position)), (side, abs(target))]
    return [(_side_of(delta), abs(delta))]


def trades_for_signal(mode: SignalMode, signal: float, qty: float, current_position: float) -> list[Trade]:
    """The orders a signal asks for under ``mode`` (``current_position`` matters only for TARGET)."""
    if SignalMode(mode) is SignalMode.ORDER:
        return order_qty(signal, qty)
    return target_delta(current_position, target_position(signal, qty))


@dataclass(frozen=True, slots=True)
class PlatformSize:
    """A platform's quantity for one order and, when it is not simply the multiplied quantity, why."""

    qty: float
    reason: str = ""

    @property
    def gets_leg(self) -> bool:
        return self.qty > 0


def _dec(value: float) -> Decimal:
    # str() first, so 0.1 is the decimal 0.1 and not its binary expansion.
    return Decimal(str(value))


def size_for_platform(
    qty: float, multiplier: float, volume_step: float, min_volume: float, max_volume: float
) -> PlatformSize:
    """A platform's quantity for ``qty`` root units: ``qty × multiplier`` to the nearest ``volume_step``.

    A value exactly halfway between two steps rounds down (never more exposure than asked). Below
    ``min_volume`` the platform gets no leg (qty 0) rather than the minimum, which would trade more than the
    signal asked. Above ``max_volume`` it is cut to the largest step not over the maximum.
    """
    _check_size(qty, "order qty")
    for value, what in ((multiplier, "multiplier"), (volume_step, "volume_step")):
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{what} is {value}; it must be a positive number (see the platform's settings)")
    if not (math.isfinite(min_volume) and math.isfinite(max_volume)) or min_volume < 0 or max_volume < min_volume:
        raise ValueError(f"volume limits {min_volume}..{max_volume} are not a range; set 0 <= min_volume <= max_volume")
    step = _dec(volume_step)
    wanted = _dec(qty) * _dec(multiplier)
    steps = (wanted / step).to_integral_value(rounding=ROUND_HALF_DOWN)
    rounded = steps * step
    if rounded <= 0:
        return PlatformSize(0.0, f"{wanted} rounds to 0 at volume step {step}; the platform gets no leg")
    if rounded < _dec(min_volume):
        return PlatformSize(
            0.0,
            f"{wanted} (rounded {rounded}) is below the platform's minimum volume {min_volume}; trading the "
            "minimum would exceed the signal's exposure, so the platform gets no leg",
        )
    cap = (_dec(max_volume) / step).to_integral_value(rounding=ROUND_FLOOR) * step
    if rounded > cap:
        if cap < _dec(min_volume) or cap <= 0:
            return PlatformSize(
                0.0, f"no multiple of volume step {step} lies within {min_volume}..{max_volume}; no leg"
            )
        return PlatformSize(float(cap), f"{wanted} cut to the platform's maximum volume {max_volume}")
    reason = "" if rounded == wanted else f"{wanted} rounded to {rounded} (volume step {step})"
    return PlatformSize(float(rounded), reason)


def platform_qty(qty: float, multiplier: float, volume_step: float, min_volume: float, max_volume: float) -> float:
    """The platform's quantity for ``qty`` root units; 0 means no leg (``size_for_platform`` says why)."""
    return size_for_platform(qty, multiplier, volume_step, min_volume, max_volume).qty
