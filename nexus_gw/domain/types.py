"""The words of the domain: which way an order goes, what kind it is, and where it stands.

The wire protocol reuses these enums (``nexus_gw.protocol.constants`` re-exports them), so their values are the
strings the protocol carries: ``BUY``/``SELL``, ``MARKET``/``LIMIT``/``STOP``, ``NEW``…``EXPIRED``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["TERMINAL_STATUSES", "OrderStatus", "OrderType", "Side"]


class Side(StrEnum):
    """Direction of an order. Its sign is +1 for a buy and -1 for a sell; ``int(side)`` gives the sign."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for BUY, -1 for SELL: the change one contract of this side makes to a net position."""
        return 1 if self is Side.BUY else -1

    def __int__(self) -> int:
        return self.sign

    @classmethod
    def coerce(cls, value: object) -> Side:
        """A ``Side`` from a ``Side``, its name/value (``"BUY"``) or its sign (``+1``/``-1``).

        Raises ``ValueError`` naming the value for anything else (including ``0`` and booleans).
        """
        if isinstance(value, Side):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if value == 1:
                return cls.BUY
            if value == -1:
                return cls.SELL
        elif isinstance(value, str) and value in cls.__members__:
            return cls[value]
        raise ValueError(f"side must be BUY or SELL (or its sign, +1 or -1), got {value!r}")


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP = "STOP"


class OrderStatus(StrEnum):
    """States of a leg, and of an order as the aggregate of its legs."""

    NEW = "NEW"
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


TERMINAL_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED})
