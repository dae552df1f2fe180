"""DTC binary encoding (EncodingEnum 0): fixed little-endian structs with natural alignment.

Every message starts with ``uint16 Size`` (bytes of the whole message, header included) and ``uint16 Type``.
Strings are ``char[N]``: NUL-terminated, NUL-padded. The reader follows the reference ``CopyFrom()`` rule:
it reads exactly ``Size`` bytes and takes every field that lies wholly inside them; a field past ``Size``
(an older, shorter peer) keeps its ``Clear()`` default, and bytes past the struct (a newer peer) are ignored.
"""

from __future__ import annotations

import struct
from typing import Final

from nexus_gw.errors import ProtocolError

from . import messages as _messages  # noqa: F401  (fills the decoder table)
from .constants import DEFAULT_MAX_FRAME_BYTES, HEADER_BYTES
from .wire import (
    ERR_BAD_SIZE,
    ERR_FIELD,
    ERR_OVERSIZED,
    ERR_TRUNCATED,
    MESSAGE_CLASSES,
    Message,
    UnknownMessageType,
    WireField,
    fit_text,
)

_HEADER: Final = struct.Struct("<HH")
_SCALARS: Final = {code: struct.Struct("<" + code) for code in "BbHiIqfd"}


def encode_binary(msg: Message) -> bytes:
    """Serialize ``msg`` into exactly ``type(msg).SIZE`` bytes."""
    cls = type(msg)
    buf = bytearray(cls.SIZE)
    _HEADER.pack_into(buf, 0, cls.SIZE, int(cls.TYPE))
    for f in cls.FIELDS:
        value = getattr(msg, f.name)
        if f.is_text:
            data = fit_text(cls.__name__, f, value)
            buf[f.offset : f.offset + len(data)] = data
        else:
            _pack_scalar(cls.__name__, f, buf, value)
    return bytes(buf)


def _pack_scalar(owner: str, f: WireField, buf: bytearray, value: object) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) if f.is_float else isinstance(value, int)
    if not ok:
        kind = "a number" if f.is_float else "an integer"
        raise ProtocolError(ERR_FIELD, f"{owner}.{f.name} must be {kind}, got {type(value).__name__} {value!r}")
    try:
        _SCALARS[f.code].pack_into(buf, f.offset, value)
    except (struct.error, OverflowError) as exc:
        raise ProtocolError(
            ERR_FIELD, f"{owner}.{f.name}={value!r} does not fit its C type ({f.code!r}, {f.width} bytes): {exc}"
        ) from exc


def peek_header(frame: bytes | bytearray | memoryview) -> tuple[int, int]:
    """``(Size, Type)`` of a binary frame; raises if fewer than 4 bytes are present."""
    if len(frame) < HEADER_BYTES:
        raise ProtocolError(
            ERR_TRUNCATED, f"DTC binary frame has {len(frame)} bytes, fewer than the 4-byte Size/Type header"
        )
    size, type_ = _HEADER.unpack_from(frame, 0)
    return size, type_


def decode_binary(frame: bytes | bytearray | memoryview) -> Message:
    """Decode one complete binary frame (exactly ``Size`` bytes) into its message dataclass.

    Raises :class:`ProtocolError` for a frame shorter or longer than its ``Size``, and
    :class:`~.wire.UnknownMessageType` for a type missing from the decoder table.
    """
    size, type_ = peek_header(frame)
    if size < HEADER_BYTES:
        raise ProtocolError(ERR_BAD_SIZE, f"DTC binary frame declares Size={size}, smaller than its 4-byte header")
    if len(frame) != size:
        problem = ERR_TRUNCATED if len(frame) < size else ERR_BAD_SIZE
        raise ProtocolError(
            problem,
            f"DTC binary frame (Type={type_}) declares Size={size} but {len(frame)} bytes were given; "
            "pass exactly one frame (BinaryFrameReader splits a stream)",
        )
    cls = MESSAGE_CLASSES.get(type_)
    if cls is None:
        raise UnknownMessageType(type_, "binary")
    values: dict[str, object] = {}
    view = memoryview(frame)
    for f in cls.FIELDS:
        if f.end > size:
            continue  # older peer: the field is not on the wire, keep the Clear() default
        if f.is_text:
            raw = bytes(view[f.offset : f.end])
            values[f.name] = raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")
        else:
            values[f.name] = _SCALARS[f.code].unpack_from(view, f.offset)[0]
    return cls(**values)


class BinaryFrameReader:
    """Splits a byte stream into binary DTC frames using each frame's ``Size``.

    ``feed()`` bytes as they arrive and call ``next_frame()`` until it returns ``None``. A ``Size`` below 4 or
    above ``max_frame_bytes`` raises at once (the header alone proves the stream is broken, so the reader never
    waits for a body that will not come). After an error the reader is unusable: close the connection.
    """

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next_frame(self) -> bytes | None:
        """The next complete frame, or ``None`` when more bytes are needed."""
        if len(self._buf) < 2:
            return None
        size = int.from_bytes(self._buf[0:2], "little")
        if size < HEADER_BYTES:
            raise ProtocolError(
                ERR_BAD_SIZE,
                f"DTC binary stream has a frame with Size={size} (< 4-byte header); the peer is not speaking "
                "binary DTC or the stream is out of step. Check the encoding setting on both sides",
            )
        if size > self.max_frame_bytes:
            raise ProtocolError(
                ERR_OVERSIZED,
                f"DTC binary frame of {size} bytes exceeds the {self.max_frame_bytes}-byte limit; the peer is "
                "not speaking binary DTC (JSON server?) or is broken. Check the encoding setting",
            )
        if len(self._buf) < size:
            return None
        frame = bytes(self._buf[:size])
        del self._buf[:size]
        return frame

    @property
    def pending(self) -> int:
        """Bytes received but not yet returned as a frame."""
        return len(self._buf)

    def take_remaining(self) -> bytes:
        """Hand over the unread bytes (used when the encoding switches mid-stream)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data

    def check_complete(self) -> None:
        """Raise if the stream ended inside a frame (call when the connection closes)."""
        if self._buf:
            announced = int.from_bytes(self._buf[0:2], "little") if len(self._buf) >= 2 else None
            raise ProtocolError(
                ERR_TRUNCATED,
                f"DTC binary stream ended inside a frame: {len(self._buf)} bytes of "
                f"{announced if announced is not None else 'an unknown number of'} bytes arrived",
            )
