"""Rounding a leg's quantity to the symbol's ``volume_step`` within ``volume_min``/``volume_max``. Pure.

Never rounds up (exposure is never increased): the quantity is floored to the step, with a tolerance for float
noise. What cannot be rounded is refused with the reason.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal


class VolumeRefused(ValueError):
    """The quantity cannot be sent: the message says why and what the symbol allows."""


def round_volume(qty: float, step: float, vmin: float, vmax: float, symbol: str = "") -> float:
    """``qty`` floored to ``step``; raises ``VolumeRefused`` when the result is outside ``[vmin, vmax]``."""
    what = f"{symbol} " if symbol else ""
    if qty <= 0:
        raise VolumeRefused(f"{what}volume {qty:g} is not positive")
    if step <= 0:
        raise VolumeRefused(f"{what}volume_step {step:g} reported by the broker is not positive")
    d_qty, d_step = Decimal(repr(qty)), Decimal(repr(step))
    steps = (d_qty / d_step + Decimal("1e-9")).to_integral_value(rounding=ROUND_FLOOR)
    lots = float(steps * d_step)
    if lots < vmin - 1e-12:
        raise VolumeRefused(f"{what}volume {qty:g} rounds to {lots:g} lots (step {step:g}), below volume_min {vmin:g}")
    if vmax > 0 and lots > vmax + 1e-12:
        raise VolumeRefused(f"{what}volume {qty:g} is above volume_max {vmax:g}; send it as smaller legs")
    return lots
