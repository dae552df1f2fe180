"""The frames of the bridge protocol: their types, their fields, and the check every received frame passes.

A frame is a JSON object whose ``type`` names it; ``docs/bridge-protocol.md`` documents each with an example.
Received frames are checked here before anyone reads them: an unknown ``type`` (``UnknownFrame``) or a missing
or mistyped field (``BadFrame``) is one bad frame, logged and skipped by the caller; the connection stays up.
Pure: no sockets, no clock.
"""

from __future__ import annotations

from typing import Any, Final

VERSION: Final = 1
"""The protocol version both hellos carry; a peer with another version is refused (both sides close)."""

NUMBER: Final = "number"
TEXT: Final = "text"
LIST: Final = "list"
OPTIONAL_NUMBER: Final = "number-or-null"

# adapter -> plug-in
HELLO: Final = "hello"
HEARTBEAT: Final = "heartbeat"
SUBSCRIBE: Final = "subscribe"
PLACE: Final = "place"
CANCEL: Final = "cancel"
REPORT_REQUEST: Final = "report_request"
# plug-in -> adapter
TICK: Final = "tick"
ORDER: Final = "order"
EXECUTION: Final = "execution"
POSITION: Final = "position"
REPORT: Final = "report"
ERROR: Final = "error"

FIELDS: Final[dict[str, dict[str, str]]] = {
    HELLO: {"version": NUMBER, "account": TEXT},
    HEARTBEAT: {"ts": NUMBER},
    SUBSCRIBE: {"instruments": LIST},
    PLACE: {
        "leg": TEXT,
        "instrument": TEXT,
        "side": TEXT,
        "qty": NUMBER,
        "order_type": TEXT,
        "limit": OPTIONAL_NUMBER,
        "stop": OPTIONAL_NUMBER,
        "tif": TEXT,
    },
    CANCEL: {"leg": TEXT},
    REPORT_REQUEST: {"id": TEXT},
    TICK: {"instrument": TEXT, "bid": NUMBER, "ask": NUMBER, "last": NUMBER, "size": NUMBER, "ts": NUMBER},
    ORDER: {"leg": TEXT, "order_id": TEXT, "state": TEXT, "filled": NUMBER, "avg_price": NUMBER, "reason": TEXT},
    EXECUTION: {"leg": TEXT, "exec_id": TEXT, "order_id": TEXT, "qty": NUMBER, "price": NUMBER, "ts": NUMBER},
    POSITION: {"instrument": TEXT, "qty": NUMBER},
    REPORT: {"id": TEXT, "orders": LIST, "executions": LIST, "positions": LIST},
    ERROR: {"reason": TEXT},
}
"""Every frame type and its required fields (a frame may carry more; they are ignored)."""

FROM_ADAPTER: Final = frozenset({HELLO, HEARTBEAT, SUBSCRIBE, PLACE, CANCEL, REPORT_REQUEST})
FROM_PLUGIN: Final = frozenset({HELLO, HEARTBEAT, TICK, ORDER, EXECUTION, POSITION, REPORT, ERROR})

REPORT_ORDER_FIELDS: Final = {"leg": TEXT, "order_id": TEXT, "state": TEXT, "filled": NUMBER}
REPORT_POSITION_FIELDS: Final = {"instrument": TEXT, "qty": NUMBER}


class UnknownFrame(Exception):
    """A frame whose ``type`` this side does not know."""


class BadFrame(Exception):
    """A frame with a missing or mistyped field."""


def _fits(value: Any, kind: str) -> bool:
    if kind == TEXT:
        return isinstance(value, str)
    if kind == LIST:
        return isinstance(value, list)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number or (kind == OPTIONAL_NUMBER and value is None)


def check_fields(frame: dict[str, Any], fields: dict[str, str], what: str) -> None:
    for name, kind in fields.items():
        if name not in frame:
            raise BadFrame(f"{what} has no {name!r} field: {frame}")
        if not _fits(frame[name], kind):
            raise BadFrame(f"{what} field {name!r} should be a {kind}, got {frame[name]!r}")


def check(frame: dict[str, Any], allowed: frozenset[str]) -> str:
    """The frame's type, once its fields are checked; raises ``UnknownFrame`` or ``BadFrame``."""
    kind = frame.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        raise UnknownFrame(f"unknown frame type {kind!r} (known: {', '.join(sorted(allowed))})")
    check_fields(frame, FIELDS[kind], f"{kind} frame")
    if kind == REPORT:
        for order in frame["orders"]:
            check_fields(order if isinstance(order, dict) else {}, REPORT_ORDER_FIELDS, "report order")
        for execution in frame["executions"]:
            check_fields(execution if isinstance(execution, dict) else {}, FIELDS[EXECUTION], "report execution")
        for position in frame["positions"]:
            check_fields(position if isinstance(position, dict) else {}, REPORT_POSITION_FIELDS, "report position")
    return kind


def frame(kind: str, **fields: Any) -> dict[str, Any]:
    """A frame to send, checked like a received one (a bug here must not reach the peer)."""
    built = {"type": kind, **fields}
    check(built, FROM_ADAPTER | FROM_PLUGIN)
    return built
