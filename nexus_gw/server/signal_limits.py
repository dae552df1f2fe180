"""Signals too large or too strange to trade: refused with an ERROR naming the field, never scaled.

The largest signal quantity for a root is a full reversal at the risk limits: from ``-limit`` to ``+limit``,
i.e. twice ``risk.limits.position_limit(root)``. Anything larger cannot be meant (1e308 contracts) and is
refused outright, where a smaller excess is still scaled to fit by the risk engine as documented.
"""

from __future__ import annotations

import math

from nexus_gw.config.models import Profile
from nexus_gw.domain import intake
from nexus_gw.domain.instruments import InstrumentRegistry
from nexus_gw.domain.risk.config import LimitsConfig
from nexus_gw.errors import NexusGwError
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, OrderType, Side


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


class SignalRejected(NexusGwError):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_signal(signal: m.Signal, profile: Profile, instruments: InstrumentRegistry) -> tuple[Side, float]:
    """The side and quantity of a signal the profile can trade, or ``SignalRejected`` naming what is wrong."""
    try:
        instruments.get(signal.symbol)
    except LookupError as exc:
        raise SignalRejected(ErrorCode.UNKNOWN_SYMBOL, str(exc)) from None
    if signal.symbol not in profile.symbols:
        raise SignalRejected(
            ErrorCode.UNKNOWN_SYMBOL,
            f"{signal.symbol} is not traded by profile {profile.name}; traded: {', '.join(profile.symbols)}",
        )
    problem = signal_problem(signal)  # the decoder refuses these already; a desk driven directly must too
    if problem:
        raise SignalRejected(ErrorCode.INVALID_FIELD, problem)
    trading = profile.trading
    try:
        side, qty = intake.check_signal(
            signal.signal, signal.confidence, signal.qty, trading.default_qty, trading.signal_mode
        )
    except intake.SignalRefused as exc:
        raise SignalRejected(ErrorCode.INVALID_FIELD, str(exc)) from None
    largest = largest_signal_qty(profile.risk.limits, signal.symbol)
    if largest is not None and qty > largest:
        raise SignalRejected(ErrorCode.INVALID_FIELD, oversized_message(qty, signal.symbol, largest))
    if signal.order_type is OrderType.LIMIT and signal.limit_price is None:
        raise SignalRejected(ErrorCode.INVALID_FIELD, "a LIMIT signal needs limit_price")
    if signal.order_type is OrderType.STOP and signal.stop_price is None:
        raise SignalRejected(ErrorCode.INVALID_FIELD, "a STOP signal needs stop_price")
    return side, qty
