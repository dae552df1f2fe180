"""Quantower order statuses as leg statuses. Pure.

The plug-in sends Quantower's ``OrderStatus`` names upper-cased (``OPENED``, ``PARTIALLYFILLED``, ``FILLED``,
``CANCELLED``, ``REFUSED``, ``INACTIVE``…); the bridge's own state names (``ACCEPTED``, ``REJECTED``…, what the
compiled test harness sends) read as they do for NinjaTrader.
"""

from __future__ import annotations

from typing import Final

from nexus_gw.adapters.nt8.states import leg_status as bridge_status
from nexus_gw.adapters.nt8.states import normal
from nexus_gw.protocol.constants import OrderStatus

QUANTOWER: Final = {
    "OPENED": OrderStatus.ACCEPTED,
    "INACTIVE": OrderStatus.ACCEPTED,
    "MODIFYING": OrderStatus.ACCEPTED,
    "CANCELLING": OrderStatus.ACCEPTED,
    "PARTIALLYFILLED": OrderStatus.ACCEPTED,
    "FILLED": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "REFUSED": OrderStatus.REJECTED,
}


def leg_status(state: str) -> OrderStatus | None:
    """ACCEPTED, FILLED, an ended status, or None for a state neither Quantower nor the bridge names."""
    found = QUANTOWER.get(normal(state))
    return found if found is not None else bridge_status(state)
