"""Bookmap's RPC wire format, as the ``bookmap`` package (0.1.2) reads and writes it. Pure: no I/O.

A message is one UTF-8 line ending in LF (a CR before it is stripped); fields are separated by U+E000 and the
first field is the message-type token. The package parses a line from Bookmap *before* any handler runs, and a
line it cannot parse (a missing field, a non-number, bad JSON) stops the whole addon; a line that is not UTF-8
kills its reading thread silently. :func:`problem` tells, for every token the package parses, why a line would
break it, so the driver drops such a line with a log line instead (``session.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final

SEP: Final = "\ue000"

CLIENT_INIT: Final = "0"
SERVER_INIT: Final = "1"
INSTRUMENT_INFO: Final = "2"
REQ_DATA: Final = "3"
RESP_DATA: Final = "4"
TRADE: Final = "5"
INSTRUMENT_DETACHED: Final = "7"
DEPTH: Final = "8"
REGISTER_INDICATOR: Final = "9"
INDICATOR_RESPONSE: Final = "10"
ON_INTERVAL: Final = "12"
FINISHED_INITIALIZATION: Final = "13"
SETTINGS_CHANGED: Final = "15"
MBO: Final = "18"
SEND_ORDER: Final = "19"
EXECUTE_ORDER: Final = "20"
UPDATE_ORDER: Final = "21"
ORDER_INFO: Final = "22"
CANCEL_ORDER: Final = "23"
MOVE_ORDER: Final = "24"
MOVE_ORDER_TO_MARKET: Final = "25"
RESIZE_ORDER: Final = "26"
BALANCE_UPDATE: Final = "27"
POSITION_UPDATE: Final = "28"
BROADCASTING: Final = "29"
PROVIDERS_STATUS: Final = "31"
BROADCASTING_SETTINGS: Final = "32"

MAX_LINE: Final = 1 << 20
"""A line longer than this (bytes, no LF yet) is garbage: dropped."""


def join(*fields: object) -> str:
    """One line (without the LF) of ``fields``, each with ``str()``."""
    return SEP.join(str(f) for f in fields)


def encode(*fields: object) -> bytes:
    """One line of ``fields`` with its LF, UTF-8."""
    return (join(*fields) + "\n").encode("utf-8")


def fields(line: str) -> list[str]:
    return line.split(SEP)


def _int(v: str) -> None:
    int(v)


def _float(v: str) -> None:
    float(v)


def _json(v: str) -> None:
    json.loads(v)


def _any(v: str) -> None:
    return None


def _color(v: str) -> None:
    raise ValueError("the package cannot parse a COLOR setting change")


# token -> the check of each field after the token, as bookmap.bookmap._get_parameters_from_msg reads them
_LAYOUTS: Final[dict[str, tuple[Callable[[str], None], ...]]] = {
    DEPTH: (_any, _any, _int, _int),
    MBO: (_any, _any, _any, _int, _int),
    TRADE: (_any, _float, _int, _any, _any, _any, _any, _any, _any),
    INSTRUMENT_INFO: (_any, _any, _any, _float, _float, _float, _json),
    INDICATOR_RESPONSE: (_int, _int),
    ON_INTERVAL: (_any,),
    RESP_DATA: (_int,),
    INSTRUMENT_DETACHED: (_any,),
    SERVER_INIT: (),
    EXECUTE_ORDER: (_any, _json),
    UPDATE_ORDER: (_json,),
    BALANCE_UPDATE: (_json,),
    POSITION_UPDATE: (_json,),
    BROADCASTING: (_any, _json),
    PROVIDERS_STATUS: (_json,),
    BROADCASTING_SETTINGS: (_any, _json),
}


def problem(raw: bytes) -> str | None:
    """Why the package would fail on this line from Bookmap (without its LF); None when it parses."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    parts = fields(line.removesuffix("\r"))
    token = parts[0]
    if token == SETTINGS_CHANGED:
        if len(parts) < 5:
            return f"token {token} needs 4 fields, got {len(parts) - 1}"
        check = {"NUMBER": _float, "COLOR": _color}.get(parts[3], _any)
        layout: tuple[Callable[[str], None], ...] = (_any, _any, _any, check)
    else:
        found = _LAYOUTS.get(token)
        if found is None:
            return None  # no handler for it: the package drops it
        layout = found
    if len(parts) - 1 < len(layout):
        return f"token {token} needs {len(layout)} fields, got {len(parts) - 1}"
    for index, (check_field, value) in enumerate(zip(layout, parts[1:], strict=False), start=1):
        try:
            check_field(value)
        except ValueError as exc:
            return f"token {token} field {index} {value[:40]!r}: {exc}"
    return None


class LineSplitter:
    """Complete lines out of a byte stream, each checked with :func:`problem`; bad ones reported, not passed."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> tuple[bytes, list[tuple[bytes, str]]]:
        """The good complete lines (with their LF) in ``data`` and the dropped ones with the reason."""
        self._buffer.extend(data)
        good: list[bytes] = []
        bad: list[tuple[bytes, str]] = []
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                break
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            why = problem(line)
            if why is None:
                good.append(line + b"\n")
            else:
                bad.append((line, why))
        if len(self._buffer) > MAX_LINE:
            bad.append((bytes(self._buffer[:80]), f"no line end in {len(self._buffer)} bytes"))
            self._buffer.clear()
        return b"".join(good), bad

    def rest(self) -> bytes:
        """Bytes of an unfinished line (a frame truncated by the end of the connection)."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        return rest
