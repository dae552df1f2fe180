"""Signals too large or too strange to trade: refused with an ERROR naming the field, never scaled.

The largest signal quantity for a root is a full reversal at the risk limits: from ``-limit`` to ``+limit``,
i.e. twice ``risk.limits.position_limit(root)``. Anything larger cannot be meant (1e308 contracts) and is
refused outright, where a smaller excess is still scaled to fit by the risk engine as documented.
"""

from __future__ import annotations

import math

from nexus_gw.domain.risk.config import LimitsConfig
from nexus_gw.protocol import messages as m


def largest_signal_qty(limits: LimitsConfig, root: str) -> float | None:
    """The largest quantity one signal for ``root`` may ask for; None when the root may not trade at all
    (position limit 0: the risk engine refuses it with its own reason)."""
    limit = limits.position_limit(root)
    return 2.0 * limit if limit > 0 else None


def oversized_message(qty: float, root: str, largest: float) -> str:
    return (
        f"qty {qty:g} exceeds the largest signal for {root}, {largest:g} (a full reversal at the position "
        f"limit of {largest / 2:g}); oversized signals are refused, not scaled: send qty <= {largest:g}"
    )


def signal_problem(signal: m.Signal) -> str:
    """What is non-finite in a signal ("" when nothing): NaN must never become a side or a price."""
    for name in ("signal", "confidence", "qty", "limit_price", "stop_price"):
        value = getattr(signal, name)
        if value is not None and not math.isfinite(value):
            return f"{name} is {value!r}: it must be finite"
    for name in ("limit_price", "stop_price"):
        value = getattr(signal, name)
        if value is not None and value <= 0:
            return f"{name} is {value!r}: it must be positive"
    return ""
