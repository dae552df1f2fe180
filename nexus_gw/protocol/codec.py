"""Frames ⇄ typed messages.

``encode`` returns the two frames of a message; ``Decoder`` turns two frames back into a typed payload
using a per-socket table (an ORDER_UPDATE from an adapter is a ``LegUpdate``; to NEXUS an ``OrderUpdate``).
Every failure raises ``ProtocolError`` with a code from ``ErrorCode`` and a message that says what to send.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import messages as m
from nexus_gw.protocol import validate
from nexus_gw.protocol.constants import (
    MAX_HEADER_BYTES,
    MAX_PAYLOAD_BYTES,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    ErrorCode,
    MsgType,
    header_for,
)

_encoder = msgspec.msgpack.Encoder()

PLATFORM_TO_GATEWAY: Mapping[MsgType, type[m.Message]] = {
    MsgType.HELLO: m.Hello,
    MsgType.HEARTBEAT: m.Heartbeat,
    MsgType.MARKET_DATA: m.MarketData,
    MsgType.ORDER_UPDATE: m.LegUpdate,
    MsgType.FILL: m.LegFill,
    MsgType.ERROR: m.Error,
    MsgType.ACK: m.Ack,
    MsgType.POSITION: m.PlatformReport,
}
GATEWAY_TO_PLATFORM: Mapping[MsgType, type[m.Message]] = {
    MsgType.WELCOME: m.Welcome,
    MsgType.HEARTBEAT: m.Heartbeat,
    MsgType.ORDER: m.Order,
    MsgType.CANCEL: m.Cancel,
    MsgType.ERROR: m.Error,
    MsgType.ACK: m.Ack,
    MsgType.STATUS: m.ReportRequest,
}
NEXUS_TO_GATEWAY: Mapping[MsgType, type[m.Message]] = {
    MsgType.HELLO: m.Hello,
    MsgType.HEARTBEAT: m.Heartbeat,
    MsgType.SIGNAL: m.Signal,
    MsgType.CANCEL: m.Cancel,
    MsgType.ERROR: m.Error,
    MsgType.ACK: m.Ack,
}
GATEWAY_TO_NEXUS: Mapping[MsgType, type[m.Message]] = {
    MsgType.WELCOME: m.Welcome,
    MsgType.HEARTBEAT: m.Heartbeat,
    MsgType.MARKET_DATA: m.MarketData,
    MsgType.ORDER_UPDATE: m.OrderUpdate,
    MsgType.FILL: m.FillReport,
    MsgType.ERROR: m.Error,
}
OPERATOR_TO_GATEWAY: Mapping[MsgType, type[m.Message]] = {MsgType.ADMIN: m.Admin}
GATEWAY_TO_OPERATOR: Mapping[MsgType, type[m.Message]] = {
    MsgType.STATUS: m.Status,
    MsgType.ERROR: m.Error,
}

_HEADERS: dict[bytes, tuple[MsgType, int]] = {header_for(t, v): (t, v) for t in MsgType for v in SUPPORTED_VERSIONS}


# Quantities and prices the gateway computes (a sum over no fills is the int 0) go out as floats: 0.0, never 0.
_FLOAT_FIELDS: dict[type, tuple[str, ...]] = {
    m.Order: ("qty", "limit_price", "stop_price"),
    m.LegReport: ("qty", "filled_qty", "avg_price", "multiplier"),
    m.OrderUpdate: ("qty", "filled_qty", "avg_price"),
    m.FillReport: ("qty", "filled_qty", "avg_price", "realized_pnl", "realized_pnl_usd", "position"),
}


def _as_floats(msg: object) -> None:
    names = _FLOAT_FIELDS.get(type(msg))
    if names is None:
        return
    for name in names:
        if type(getattr(msg, name)) is int:
            setattr(msg, name, float(getattr(msg, name)))
    for leg in getattr(msg, "legs", ()):
        _as_floats(leg)


def encode(msg_type: MsgType, payload: m.Message) -> tuple[bytes, bytes]:
    """The ``(header, payload)`` frames of a message."""
    _as_floats(payload)
    return header_for(msg_type), _encoder.encode(payload)


def parse_header(header: bytes) -> tuple[MsgType, int]:
    """Read ``TYPE/VERSION``; raise ProtocolError naming what is supported."""
    known = _HEADERS.get(header)
    if known is not None:
        return known
    if len(header) > MAX_HEADER_BYTES or b"/" not in header:
        raise ProtocolError(
            ErrorCode.BAD_FRAME,
            f"first frame {header[:MAX_HEADER_BYTES]!r} is not a header; send frames [b'TYPE/{PROTOCOL_VERSION}', "
            "msgpack payload], e.g. b'SIGNAL/1'",
        )
    name, _, version = header.decode("ascii", "replace").partition("/")
    if name not in MsgType.__members__:
        raise ProtocolError(
            ErrorCode.UNKNOWN_TYPE,
            f"unknown message type {name!r}; supported: {', '.join(t.value for t in MsgType)}",
        )
    raise ProtocolError(
        ErrorCode.UNSUPPORTED_VERSION,
        f"{name} version {version!r} is not supported; supported versions: "
        f"{', '.join(str(v) for v in sorted(SUPPORTED_VERSIONS))}",
    )


class Decoder:
    """Decodes the messages one socket may receive, by the table for that direction."""

    def __init__(self, table: Mapping[MsgType, type[m.Message]]) -> None:
        self._table = table
        self._decoders = {t: msgspec.msgpack.Decoder(cls) for t, cls in table.items()}

    def decode(self, header: bytes, payload: bytes) -> tuple[MsgType, m.Message]:
        msg_type, _version = parse_header(header)
        decoder = self._decoders.get(msg_type)
        if decoder is None:
            allowed = ", ".join(t.value for t in self._table)
            raise ProtocolError(
                ErrorCode.UNKNOWN_TYPE,
                f"{msg_type.value} is not accepted on this socket; accepted: {allowed}",
            )
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise ProtocolError(
                ErrorCode.BAD_FRAME,
                f"{msg_type.value} payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}; split it",
            )
        try:
            msg = decoder.decode(payload)
        except msgspec.ValidationError as exc:
            if msg_type is MsgType.MARKET_DATA:
                validate.explain_market_data(payload)  # a tick number out of range, named as validate names it
            raise ProtocolError(ErrorCode.INVALID_FIELD, f"{msg_type.value}: {_explain(exc)}") from None
        except msgspec.DecodeError as exc:
            raise ProtocolError(
                ErrorCode.BAD_PAYLOAD, f"{msg_type.value} payload is not valid MessagePack ({exc})"
            ) from None
        except RecursionError:
            raise ProtocolError(
                ErrorCode.BAD_PAYLOAD, f"{msg_type.value} payload nests too deeply; send a flat map as documented"
            ) from None
        except Exception as exc:  # whatever the decoder chokes on is the peer's bad payload
            raise ProtocolError(
                ErrorCode.BAD_PAYLOAD, f"{msg_type.value} payload could not be decoded ({type(exc).__name__})"
            ) from None
        validate.check(msg_type, msg)
        return msg_type, msg


def _explain(exc: msgspec.ValidationError) -> str:
    """msgspec's message, plus what to do where the fix is not obvious (``ts_ns`` as a float)."""
    text = str(exc)
    if "ts_ns" in text and "`int`" in text:
        text += (
            "; ts_ns must be a 64-bit integer (nanoseconds since the Unix epoch): a JavaScript Number above 2^53 "
            "is sent as a float, send a BigInt or omit ts_ns"
        )
    return text


class _RefProbe(msgspec.Struct):
    client_id: object = None


_ref_decoder = msgspec.msgpack.Decoder(_RefProbe)


def recover_ref(payload: bytes) -> str:
    """The ``client_id`` a payload carries, even when the payload is otherwise invalid ("" when none)."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return ""
    try:
        probe = _ref_decoder.decode(payload)
    except Exception:  # best effort: an unreadable payload has no ref
        return ""
    return probe.client_id[:200] if isinstance(probe.client_id, str) else ""
