"""A client library for the DTC (Data and Trading Communications) protocol, version 8, as Sierra Chart serves it.

It imports nothing of the gateway (no server, journal, wire protocol or config): only ``nexus_gw.errors`` and
``nexus_gw.domain.backoff`` (the one reconnect backoff).

Layers, bottom to top (each imports only the ones before it):

- ``constants`` message type numbers and enumerations; ``wire`` + ``messages`` the struct layouts;
- ``binary`` / ``json_codec`` / ``codec`` the encodings and stream framing; ``transport`` the TCP socket;
- ``data`` (market data), ``execution`` (orders, fills), ``requests`` (RequestID correlation),
  ``reconcile`` (post-logon reconciliation), ``events`` (what the session reports);
- ``settings`` + ``loop`` + ``session`` the client session (``loop`` its I/O thread: logon, heartbeat,
  reconnect; ``session`` its public API).

The gateway driver that uses it is ``nexus_gw.adapters.sierra.driver``; a DTC server simulator is
``nexus_gw.adapters.sierra.simulator``.
"""

from __future__ import annotations

from .constants import BuySell, Encoding, OrderStatus, OrderType, OrderUpdateReason, TimeInForce
from .events import (
    Fill,
    LogonInfo,
    MarketSnapshot,
    OrderReport,
    Position,
    Quote,
    Reconciliation,
    SessionListener,
    Trade,
)
from .execution import OrderRequest
from .session import DtcSession
from .settings import SessionConfig, SessionState

__all__ = [
    "BuySell",
    "DtcSession",
    "Encoding",
    "Fill",
    "LogonInfo",
    "MarketSnapshot",
    "OrderReport",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "OrderUpdateReason",
    "Position",
    "Quote",
    "Reconciliation",
    "SessionConfig",
    "SessionListener",
    "SessionState",
    "TimeInForce",
    "Trade",
]
