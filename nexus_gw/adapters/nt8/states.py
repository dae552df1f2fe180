"""NinjaTrader order states as leg statuses; shared by both modes. Pure.

NinjaTrader's OrderState names, upper-cased (the bridge sends them so, ATI's order state files write them so),
with the spellings of a partial fill seen in the wild (``PARTFILLED``, ``PARTIALLYFILLED``, ``PARTIALLY FILLED``).
Fills never come from a state: the bridge sends each execution, ATI's quantities are turned into fills by the ATI
driver. A state names whether the leg works (ACCEPTED), ended (CANCELLED, REJECTED, EXPIRED), or is filled.
"""

from __future__ import annotations

from typing import Final

from nexus_gw.protocol.constants import OrderStatus

WORKING: Final = frozenset(
    {
        "INITIALIZED",
        "SUBMITTED",
        "ACCEPTED",
        "WORKING",
        "TRIGGERPENDING",
        "CHANGEPENDING",
        "CHANGESUBMITTED",
        "CANCELPENDING",
        "CANCELSUBMITTED",
        "PARTFILLED",
        "PARTIALLYFILLED",
    }
)
ENDED: Final = {"CANCELLED": OrderStatus.CANCELLED, "REJECTED": OrderStatus.REJECTED, "EXPIRED": OrderStatus.EXPIRED}
FILLED: Final = "FILLED"


def normal(state: str) -> str:
    """``Partially filled`` → ``PARTIALLYFILLED``: upper case without spaces or underscores."""
    return state.strip().upper().replace(" ", "").replace("_", "")


def leg_status(state: str) -> OrderStatus | None:
    """ACCEPTED for a working state, the final status of an ended one, FILLED, or None for an unknown state."""
    key = normal(state)
    if key in WORKING:
        return OrderStatus.ACCEPTED
    if key == FILLED:
        return OrderStatus.FILLED
    return ENDED.get(key)
