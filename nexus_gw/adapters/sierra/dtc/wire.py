"""Declarative DTC struct layouts: one declaration per field gives its name, byte offset, C type and default.

A message class is a dataclass whose fields are declared with the helpers below, e.g.::

    @message(MessageType.HEARTBEAT, size=16)
    class Heartbeat(Message):
        NumDroppedMessages: int = u32(4)
        CurrentDateTime: int = i64(8)

Attribute names are the C++ member names of ``DTCProtocol.h`` on purpose: the JSON encoding uses exactly those
names, and a layout can be checked line by line against ``dtc-v8-struct-layout.txt``. Offsets count from the start
of the message (the 4-byte ``Size``/``Type`` header occupies bytes 0–3). Field declaration order is the struct
member order. The codecs (``binary.py``, ``json_codec.py``) read these tables; nothing else knows about bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Final, TypeVar, dataclass_transform

from nexus_gw.errors import ProtocolError

from .constants import HEADER_BYTES, MessageType

_WIRE_KEY: Final = "dtc_wire"

# ProtocolError codes raised by the DTC codecs and readers.
ERR_TRUNCATED: Final = "dtc.truncated"
"""Fewer bytes than the frame announces (or a connection closed inside a frame)."""
ERR_OVERSIZED: Final = "dtc.oversized"
"""A frame larger than the reader's maximum."""
ERR_BAD_SIZE: Final = "dtc.bad_size"
"""A binary ``Size`` smaller than the 4-byte header: the stream is out of step and cannot be resynchronised."""
ERR_UNKNOWN_TYPE: Final = "dtc.unknown_type"
"""A well-framed message whose ``Type`` this package does not implement; the frame can be skipped."""
ERR_FIELD: Final = "dtc.field"
"""A field value that cannot be encoded or decoded (wrong type, out of range, string too long)."""
ERR_JSON: Final = "dtc.json"
"""A JSON frame that is not a JSON object with an integer ``Type``."""
ERR_ENCODING: Final = "dtc.encoding"
"""Encoding negotiation failed or asked for an encoding this package does not speak."""


class UnknownMessageType(ProtocolError):
    """A complete frame with a ``Type`` missing from the decoder table. Readers stay in step after it."""

    def __init__(self, message_type: int, encoding: str) -> None:
        super().__init__(
            ERR_UNKNOWN_TYPE,
            f"DTC message type {message_type} ({encoding}) is not implemented by nexus_gw's Sierra adapter; "
            "the message was skipped. If the server sends it on purpose, add it to adapters/sierra/messages.py",
        )
        self.message_type = message_type


Scalar = int | float | str


@dataclass(frozen=True, slots=True)
class WireField:
    """Where one struct member lives in the binary encoding.

    ``code`` is a :mod:`struct` format character (``B b H i I q f d``) or ``"s"`` for a fixed ``char[width]``
    string. ``free_text`` marks descriptive strings (reject reasons, info text) that an encoder may shorten to fit;
    identifier strings (symbols, order IDs, accounts) are never shortened because a cut identifier names a
    different thing.
    """

    name: str
    offset: int
    code: str
    width: int
    default: Scalar
    free_text: bool = False

    @property
    def end(self) -> int:
        """First byte after this field."""
        return self.offset + self.width

    @property
    def is_text(self) -> bool:
        return self.code == "s"

    @property
    def is_float(self) -> bool:
        return self.code in ("f", "d")


class Message:
    """Base of every DTC message dataclass. Class attributes are filled in by :func:`message`."""

    __slots__ = ()

    TYPE: ClassVar[MessageType]
    SIZE: ClassVar[int]
    """``sizeof`` the struct in bytes; a binary encoder writes it as ``Size``."""
    FIELDS: ClassVar[tuple[WireField, ...]]


MESSAGE_CLASSES: dict[int, type[Message]] = {}
"""Decoder table: DTC type number → message class. Filled by :func:`message` when ``messages`` is imported."""

M = TypeVar("M", bound=Message)


def _spec(offset: int, code: str, width: int, default: Scalar, free_text: bool = False) -> Any:
    return dataclasses.field(default=default, metadata={_WIRE_KEY: (offset, code, width, default, free_text)})


def u8(offset: int, default: int = 0) -> Any:
    """``uint8_t`` (flags and 8-bit enums)."""
    return _spec(offset, "B", 1, default)


def i8(offset: int, default: int = 0) -> Any:
    """``int8_t``."""
    return _spec(offset, "b", 1, default)


def u16(offset: int, default: int = 0) -> Any:
    """``uint16_t``."""
    return _spec(offset, "H", 2, default)


def i32(offset: int, default: int = 0) -> Any:
    """``int32_t`` (most enums)."""
    return _spec(offset, "i", 4, default)


def u32(offset: int, default: int = 0) -> Any:
    """``uint32_t`` (SymbolID, 4-byte Unix seconds)."""
    return _spec(offset, "I", 4, default)


def i64(offset: int, default: int = 0) -> Any:
    """``int64_t`` (Unix seconds, milliseconds or microseconds depending on the field)."""
    return _spec(offset, "q", 8, default)


def f32(offset: int, default: float = 0.0) -> Any:
    """``float``."""
    return _spec(offset, "f", 4, default)


def f64(offset: int, default: float = 0.0) -> Any:
    """``double``."""
    return _spec(offset, "d", 8, default)


def char(offset: int, length: int, default: str = "", *, free_text: bool = False) -> Any:
    """``char[length]``: NUL-terminated, NUL-padded, at most ``length - 1`` bytes of text."""
    return _spec(offset, "s", length, default, free_text)


@dataclass_transform()  # the field helpers are seen as plain defaults: every DTC field has one
def message(type_: MessageType, *, size: int) -> Callable[[type[M]], type[M]]:
    """Turn a class into a DTC message dataclass, check its layout and register it in the decoder table."""

    def wrap(cls: type[M]) -> type[M]:
        dc = dataclass(slots=True)(cls)
        members: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(dc)  # type: ignore[arg-type]
        layout = tuple(WireField(f.name, *f.metadata[_WIRE_KEY]) for f in members if _WIRE_KEY in f.metadata)
        _check_layout(dc.__name__, layout, size)
        dc.TYPE = type_
        dc.SIZE = size
        dc.FIELDS = layout
        if type_ in MESSAGE_CLASSES:
            raise TypeError(f"DTC type {int(type_)} is declared twice ({MESSAGE_CLASSES[type_].__name__})")
        MESSAGE_CLASSES[type_] = dc
        return dc

    return wrap


def _check_layout(name: str, layout: tuple[WireField, ...], size: int) -> None:
    """Refuse overlapping, out-of-order or out-of-bounds fields: a typo in a layout must fail at import."""
    previous_end = HEADER_BYTES
    for f in layout:
        if f.offset < previous_end:
            raise TypeError(f"{name}.{f.name} at offset {f.offset} overlaps the previous field (ends {previous_end})")
        if f.end > size:
            raise TypeError(f"{name}.{f.name} ends at byte {f.end}, past the struct size {size}")
        previous_end = f.end


def fit_text(owner: str, f: WireField, value: object) -> bytes:
    """UTF-8 bytes of a ``char[N]`` field value, at most ``N - 1`` bytes so a NUL terminator always fits.

    Identifier fields that do not fit raise :class:`ProtocolError` (a shortened symbol, account or order ID
    would name something else). Free-text fields are cut at a character boundary instead, and embedded NULs
    in them become spaces.
    """
    if not isinstance(value, str):
        raise ProtocolError(ERR_FIELD, f"{owner}.{f.name} must be a str, got {type(value).__name__} {value!r}")
    limit = f.width - 1
    if f.free_text:
        data = value.replace("\0", " ").encode("utf-8")
        if len(data) > limit:
            data = data[:limit].decode("utf-8", errors="ignore").encode("utf-8")
        return data
    if "\0" in value:
        raise ProtocolError(ERR_FIELD, f"{owner}.{f.name} contains a NUL character ({value!r}); remove it")
    data = value.encode("utf-8")
    if len(data) > limit:
        raise ProtocolError(
            ERR_FIELD,
            f"{owner}.{f.name} is {len(data)} bytes ({value!r}) but DTC char[{f.width}] holds at most {limit}; "
            "use a shorter value (identifiers are never cut, a cut one would name something else)",
        )
    return data
