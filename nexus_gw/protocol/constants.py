"""Protocol constants shared by every peer (gateway, adapters, SDK, C# bridges mirror them).

A message is two ZeroMQ frames: ``header`` then ``payload``.
The header is ASCII ``TYPE/VERSION`` (for example ``SIGNAL/1``), so a router can dispatch on it without
decoding the payload. The payload is a MessagePack map whose fields ``docs/protocol.md`` lists.

``Side``, ``OrderType``, ``OrderStatus`` and ``TERMINAL_STATUSES`` belong to the domain (``nexus_gw.domain.types``);
the protocol carries their values and re-exports them here for peers that speak only the protocol.
"""

from __future__ import annotations

from enum import StrEnum

from nexus_gw.domain.types import TERMINAL_STATUSES, OrderStatus, OrderType, Side

__all__ = [
    "MAX_HEADER_BYTES",
    "MAX_PAYLOAD_BYTES",
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "TERMINAL_STATUSES",
    "ErrorCode",
    "MsgType",
    "OrderStatus",
    "OrderType",
    "Side",
    "header_for",
]

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({PROTOCOL_VERSION})
MAX_HEADER_BYTES = 32
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024


class MsgType(StrEnum):
    HELLO = "HELLO"
    WELCOME = "WELCOME"
    HEARTBEAT = "HEARTBEAT"
    MARKET_DATA = "MARKET_DATA"
    SIGNAL = "SIGNAL"
    ORDER = "ORDER"
    CANCEL = "CANCEL"
    ORDER_UPDATE = "ORDER_UPDATE"
    FILL = "FILL"
    POSITION = "POSITION"
    STATUS = "STATUS"
    ERROR = "ERROR"
    ADMIN = "ADMIN"
    ACK = "ACK"


class ErrorCode(StrEnum):
    """Codes carried by ERROR messages; the message text says what to do."""

    BAD_FRAME = "BAD_FRAME"
    BAD_PAYLOAD = "BAD_PAYLOAD"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    INVALID_FIELD = "INVALID_FIELD"
    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    UNKNOWN_PLATFORM = "UNKNOWN_PLATFORM"
    UNKNOWN_PEER = "UNKNOWN_PEER"
    UNKNOWN_ORDER = "UNKNOWN_ORDER"
    UNEXPECTED = "UNEXPECTED"


def header_for(msg_type: MsgType, version: int = PROTOCOL_VERSION) -> bytes:
    return f"{msg_type.value}/{version}".encode("ascii")
