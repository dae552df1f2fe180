"""Signal intake policy: what one signal asks the gateway to trade. Pure functions, no state, no I/O.

- ``check_signal``: a signal's own numbers are usable (a direction in order mode, a confidence in 0..1, a
  positive quantity, ``default_qty`` when it gives none); the side it names.
- ``plan``: in ``order`` mode the signal is one order of ``qty``; in ``target`` mode it names the position to
  hold, and the plan is the difference from the current position (two parts, close then open, when it crosses
  flat; none when the position is already there).
- ``scale``: the risk engine allowed less than asked: the opening part is cut first, so an exit is never trapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nexus_gw.domain.sizing import SignalMode, target_position, trades_for_signal
from nexus_gw.domain.types import Side

ORDER = "order"
TARGET = "target"


class SignalRefused(ValueError):
    """The signal cannot be traded as sent; the message says what to change."""


def check_signal(
    signal: float, confidence: float, qty: float | None, default_qty: float, mode: str
) -> tuple[Side, float]:
    """The side and quantity a signal names, or ``SignalRefused`` saying what is wrong."""
    if signal == 0 and mode == ORDER:
        raise SignalRefused("signal is 0: give a direction (>0 buy, <0 sell)")
    if not 0.0 <= confidence <= 1.0:
        raise SignalRefused(f"confidence {confidence} is outside 0..1")
    size = qty if qty is not None else default_qty
    if size <= 0:
        raise SignalRefused(f"qty {size} must be positive")
    return (Side.BUY if signal >= 0 else Side.SELL), size


@dataclass(frozen=True)
class Plan:
    """What to trade for one signal: ``side`` and the ``parts`` (one, or close then open), or a refusal."""

    side: Side
    parts: list[float]
    target: float | None = None
    position: float | None = None
    trades: list[tuple[Side, float]] = field(default_factory=list)
    refusal: str = ""

    @property
    def qty(self) -> float:
        return sum(self.parts)

    def decision(self, client_id: str, root: str, signal: float) -> dict[str, object]:
        """The journal record of a target-mode decision (``signal.decision`` event)."""
        return {
            "client_id": client_id,
            "mode": TARGET,
            "root": root,
            "signal": signal,
            "target": self.target,
            "position": self.position,
            "orders": [[s.value, q] for s, q in self.trades],
        }


def plan(mode: str, root: str, signal: float, side: Side, qty: float, position: float = 0.0) -> Plan:
    """The plan for one checked signal; ``position``: the root's current (projected) position, target mode only."""
    if mode != TARGET:
        return Plan(side, [qty])
    trades = trades_for_signal(SignalMode.TARGET, signal, qty, position)
    target = target_position(signal, qty)
    if not trades:
        return Plan(side, [qty], target, position, [], f"AT_TARGET: {root} is already at {target:+g}")
    return Plan(trades[0][0], [q for _, q in trades], target, position, trades)


def scale(parts: list[float], allowed: float) -> list[float]:
    """The parts after the risk engine allowed only ``allowed`` in total: the opening part is cut first."""
    if not allowed < sum(parts):
        return parts
    if len(parts) == 2 and allowed > parts[0]:
        return [parts[0], allowed - parts[0]]
    return [allowed]
