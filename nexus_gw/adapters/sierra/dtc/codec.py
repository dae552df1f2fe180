"""One object per DTC encoding, so the transport and the simulator never branch on the encoding themselves.

``codec_for(Encoding.JSON)`` returns a :class:`Codec` whose ``encode``/``decode``/``reader`` speak JSON. The
ENCODING_REQUEST/RESPONSE pair is always binary whatever the current encoding (see :func:`negotiation_codec`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from nexus_gw.errors import ProtocolError

from .binary import BinaryFrameReader, decode_binary, encode_binary
from .constants import DEFAULT_MAX_FRAME_BYTES, SUPPORTED_ENCODINGS, Encoding
from .json_codec import JsonFrameReader, decode_json, encode_json
from .wire import ERR_ENCODING, Message


class FrameReader(Protocol):
    """Splits a byte stream into frames of one encoding (see ``BinaryFrameReader``, ``JsonFrameReader``)."""

    def feed(self, data: bytes) -> None: ...

    def next_frame(self) -> bytes | None: ...

    def take_remaining(self) -> bytes: ...

    def check_complete(self) -> None: ...

    @property
    def pending(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Codec:
    """Encoder, decoder and stream splitter of one encoding."""

    encoding: Encoding

    def encode(self, msg: Message) -> bytes:
        if self.encoding is Encoding.BINARY:
            return encode_binary(msg)
        return encode_json(msg, compact=self.encoding is Encoding.JSON_COMPACT)

    def decode(self, frame: bytes) -> Message:
        if self.encoding is Encoding.BINARY:
            return decode_binary(frame)
        return decode_json(frame)

    def reader(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> FrameReader:
        if self.encoding is Encoding.BINARY:
            return BinaryFrameReader(max_frame_bytes)
        return JsonFrameReader(max_frame_bytes)


def codec_for(encoding: Encoding | int) -> Codec:
    """The codec for ``encoding``; raises :class:`ProtocolError` for encodings this package does not speak."""
    try:
        enc = Encoding(encoding)
    except ValueError:
        enc = None
    if enc is None or enc not in SUPPORTED_ENCODINGS:
        supported = ", ".join(e.name for e in sorted(SUPPORTED_ENCODINGS))
        raise ProtocolError(
            ERR_ENCODING,
            f"DTC encoding {encoding!r} is not supported; use one of {supported} "
            "(in Sierra Chart set the DTC server's Encoding to Automatic)",
        )
    return Codec(enc)


def negotiation_codec() -> Codec:
    """ENCODING_REQUEST and ENCODING_RESPONSE always travel in binary."""
    return Codec(Encoding.BINARY)


def parse_encoding_name(name: str) -> Encoding:
    """``"binary"``/``"json"``/``"json_compact"`` (any case) → :class:`Encoding`, with a helpful error."""
    key = name.strip().upper().replace("-", "_")
    try:
        enc = Encoding[key]
    except KeyError:
        enc = None
    if enc is None or enc not in SUPPORTED_ENCODINGS:
        choices = ", ".join(e.name.lower() for e in sorted(SUPPORTED_ENCODINGS))
        raise ProtocolError(ERR_ENCODING, f"unknown DTC encoding {name!r}; choose one of {choices}")
    return enc
