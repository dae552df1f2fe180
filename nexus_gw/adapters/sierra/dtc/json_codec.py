"""DTC JSON encodings: JSON (EncodingEnum 2) and JSON compact (3).

A JSON message is one UTF-8 object ``{"Type": n, "<Member>": value, ...}`` followed by a single NUL byte; there
is no length prefix. Member names are the C++ names (the message dataclass attributes). The compact form is
``{"Type": n, "F": [v1, v2, ...]}`` with values in struct member order. A reader takes members it knows,
ignores members it does not (newer peer) and keeps defaults for members that are absent (older peer).
"""

from __future__ import annotations

import json
import math
from typing import Final

from nexus_gw.errors import ProtocolError

from . import messages as _messages  # noqa: F401  (fills the decoder table)
from .constants import DEFAULT_MAX_FRAME_BYTES
from .wire import (
    ERR_FIELD,
    ERR_JSON,
    ERR_OVERSIZED,
    ERR_TRUNCATED,
    MESSAGE_CLASSES,
    Message,
    UnknownMessageType,
    WireField,
    fit_text,
)

TERMINATOR: Final = b"\0"

_INT_RANGES: Final = {
    "B": (0, 0xFF),
    "b": (-0x80, 0x7F),
    "H": (0, 0xFFFF),
    "i": (-0x8000_0000, 0x7FFF_FFFF),
    "I": (0, 0xFFFF_FFFF),
    "q": (-0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF),
}


def _wire_value(owner: str, f: WireField, value: object) -> object:
    """Check one field for encoding and return its JSON value (ints stay ints, enums become plain ints)."""
    if f.is_text:
        return fit_text(owner, f, value).decode("utf-8")
    if f.is_float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProtocolError(ERR_FIELD, f"{owner}.{f.name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ProtocolError(ERR_FIELD, f"{owner}.{f.name}={value!r} is not finite; DTC uses DBL_MAX for unset")
        return float(value)
    if not isinstance(value, int):
        raise ProtocolError(ERR_FIELD, f"{owner}.{f.name} must be an integer, got {value!r}")
    low, high = _INT_RANGES[f.code]
    if not low <= value <= high:
        raise ProtocolError(ERR_FIELD, f"{owner}.{f.name}={value} is outside its C type range [{low}, {high}]")
    return int(value)


def encode_json(msg: Message, *, compact: bool = False) -> bytes:
    """Serialize ``msg`` as one NUL-terminated JSON object (``compact`` selects the ``"F"`` array form)."""
    cls = type(msg)
    values = [_wire_value(cls.__name__, f, getattr(msg, f.name)) for f in cls.FIELDS]
    obj: dict[str, object] = {"Type": int(cls.TYPE)}
    if compact:
        obj["F"] = values
    else:
        obj.update(zip((f.name for f in cls.FIELDS), values, strict=True))
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8") + TERMINATOR


def _read_value(owner: str, f: WireField, value: object) -> object:
    if f.is_text:
        if not isinstance(value, str):
            raise ProtocolError(ERR_FIELD, f"JSON {owner}.{f.name} should be a string, got {value!r}")
        return value
    if isinstance(value, bool):
        return int(value)
    if f.is_float:
        if not isinstance(value, int | float):
            raise ProtocolError(ERR_FIELD, f"JSON {owner}.{f.name} should be a number, got {value!r}")
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int):
        raise ProtocolError(ERR_FIELD, f"JSON {owner}.{f.name} should be an integer, got {value!r}")
    return value


def decode_json(frame: bytes | bytearray) -> Message:
    """Decode one JSON frame (without its NUL terminator) in either the named or the compact form."""
    try:
        obj = json.loads(bytes(frame).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(
            ERR_JSON,
            f"DTC JSON frame is not valid UTF-8 JSON ({exc}); first bytes: {bytes(frame[:60])!r}. "
            "Check that both sides use the same encoding",
        ) from exc
    if not isinstance(obj, dict):
        raise ProtocolError(ERR_JSON, f"DTC JSON frame must be an object, got {type(obj).__name__}")
    type_ = obj.get("Type")
    if isinstance(type_, bool) or not isinstance(type_, int):
        raise ProtocolError(ERR_JSON, f'DTC JSON frame has no integer "Type" member: {bytes(frame[:80])!r}')
    cls = MESSAGE_CLASSES.get(type_)
    if cls is None:
        raise UnknownMessageType(type_, "JSON")
    owner = cls.__name__
    values: dict[str, object] = {}
    compact = obj.get("F")
    if isinstance(compact, list):
        for f, value in zip(cls.FIELDS, compact, strict=False):
            values[f.name] = _read_value(owner, f, value)
    else:
        for f in cls.FIELDS:
            if f.name in obj:
                values[f.name] = _read_value(owner, f, obj[f.name])
    return cls(**values)


class JsonFrameReader:
    """Splits a byte stream into NUL-terminated JSON frames (returned without the NUL).

    Empty frames (two NULs in a row) are skipped. A frame longer than ``max_frame_bytes`` raises as soon as that
    many bytes have arrived without a terminator, so a peer that never sends NUL cannot make the reader buffer
    forever.
    """

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._buf = bytearray()
        self._scanned = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next_frame(self) -> bytes | None:
        while True:
            end = self._buf.find(TERMINATOR, self._scanned)
            if end < 0:
                self._scanned = len(self._buf)
                if len(self._buf) > self.max_frame_bytes:
                    raise ProtocolError(
                        ERR_OVERSIZED,
                        f"DTC JSON frame exceeds {self.max_frame_bytes} bytes without a NUL terminator; the peer "
                        "is not speaking DTC JSON (binary server?) or is broken. Check the encoding setting",
                    )
                return None
            if end > self.max_frame_bytes:
                raise ProtocolError(
                    ERR_OVERSIZED, f"DTC JSON frame of {end} bytes exceeds the {self.max_frame_bytes}-byte limit"
                )
            frame = bytes(self._buf[:end])
            del self._buf[: end + 1]
            self._scanned = 0
            if frame.strip():
                return frame

    @property
    def pending(self) -> int:
        return len(self._buf)

    def take_remaining(self) -> bytes:
        data = bytes(self._buf)
        self._buf.clear()
        self._scanned = 0
        return data

    def check_complete(self) -> None:
        """Raise if the stream ended inside a frame (call when the connection closes)."""
        if self._buf.strip():
            raise ProtocolError(
                ERR_TRUNCATED,
                f"DTC JSON stream ended inside a frame: {len(self._buf)} bytes without a NUL terminator "
                f"(starting {bytes(self._buf[:40])!r})",
            )
