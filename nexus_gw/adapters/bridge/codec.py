"""Framing of the bridge protocol: a 4-byte big-endian payload length, then the payload, a UTF-8 JSON object.

JSON because the C# side writes and reads it without any library (``adapters/nt8/BridgeCodec.cs``, C# 7).
A payload longer than ``MAX_FRAME`` cannot be trusted to end where it says: the stream is out of step and the
connection must be dropped (``FrameTooLarge``). A payload that is not a JSON object is one bad frame: the stream
is still in step, the frame is skipped (``BadPayload``). Pure: no sockets.
"""

from __future__ import annotations

import json
import struct
from typing import Any, Final

HEADER: Final = struct.Struct(">I")
MAX_FRAME: Final = 1 << 20
"""Longest payload either side accepts (1 MiB); a report of many executions stays far below it."""


class FrameTooLarge(Exception):
    """The length prefix announces more than ``MAX_FRAME`` bytes: drop the connection."""


class BadPayload(Exception):
    """A complete frame whose payload is not a UTF-8 JSON object: skip it."""


def encode(frame: dict[str, Any]) -> bytes:
    """One frame: the length prefix and the compact JSON of ``frame``."""
    payload = json.dumps(frame, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")
    if len(payload) > MAX_FRAME:
        raise FrameTooLarge(f"a {frame.get('type')!r} frame of {len(payload)} bytes exceeds {MAX_FRAME}")
    return HEADER.pack(len(payload)) + payload


def decode_payload(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload(f"frame payload is not UTF-8 JSON ({exc}): {payload[:80]!r}") from None
    if not isinstance(value, dict):
        raise BadPayload(f"frame payload is not a JSON object: {payload[:80]!r}")
    return value


class FrameReader:
    """Splits a byte stream into payloads; ``feed`` returns the complete ones, keeps the rest."""

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame held (non-zero when the stream ended: a truncated frame)."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        payloads: list[bytes] = []
        while len(self._buffer) >= HEADER.size:
            (length,) = HEADER.unpack_from(self._buffer)
            if length > self.max_frame:
                raise FrameTooLarge(f"frame length {length} exceeds the limit of {self.max_frame} bytes")
            end = HEADER.size + length
            if len(self._buffer) < end:
                break
            payloads.append(bytes(self._buffer[HEADER.size : end]))
            del self._buffer[:end]
        return payloads
