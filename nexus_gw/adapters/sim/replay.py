"""Recorded tick files: CSV with a header ``time,symbol,bid,ask,last,size``.

``time`` is ISO-8601 (``2025-03-14T14:30:00.250Z``) or Unix seconds. Rows must be in time order.
``symbol`` is a root (``NQ``) or the platform's own symbol (``NQ 03-25``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nexus_gw.errors import ConfigError

COLUMNS = ("time", "symbol", "bid", "ask", "last", "size")


@dataclass(frozen=True)
class RecordedTick:
    t: float
    symbol: str
    bid: float
    ask: float
    last: float
    size: float


def _parse_time(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def read_ticks(path: Path) -> Iterator[RecordedTick]:
    """Yield the ticks of a recorded file; a bad row raises ConfigError naming file and line."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or tuple(f.strip() for f in reader.fieldnames) != COLUMNS:
            raise ConfigError(f"{path}: header must be {','.join(COLUMNS)} (was {reader.fieldnames})")
        previous = float("-inf")
        for row in reader:
            try:
                tick = RecordedTick(
                    t=_parse_time(row["time"].strip()),
                    symbol=row["symbol"].strip(),
                    bid=float(row["bid"]),
                    ask=float(row["ask"]),
                    last=float(row["last"]),
                    size=float(row["size"]),
                )
            except (ValueError, TypeError, AttributeError) as exc:
                raise ConfigError(f"{path}:{reader.line_num}: bad row {row}: {exc}") from None
            if tick.t < previous:
                raise ConfigError(f"{path}:{reader.line_num}: time goes backwards; sort the file by time")
            previous = tick.t
            yield tick


class Replayer:
    """Plays recorded ticks against the monotonic clock at ``speed``; ``due(now)`` returns what is due."""

    def __init__(self, path: Path, speed: float, loop: bool, start: float) -> None:
        self._path = path
        self._speed = speed
        self._loop = loop
        self._start = start
        self._restart(start)

    def _restart(self, now: float) -> None:
        self._ticks = read_ticks(self._path)
        self._next = next(self._ticks, None)
        self._first_t = self._next.t if self._next else 0.0
        self._start = now

    def due(self, now: float) -> list[RecordedTick]:
        out: list[RecordedTick] = []
        while self._next is not None and self._start + (self._next.t - self._first_t) / self._speed <= now:
            out.append(self._next)
            self._next = next(self._ticks, None)
            if self._next is None and self._loop:
                self._restart(now)
        return out

    def next_due(self) -> float | None:
        if self._next is None:
            return None
        return self._start + (self._next.t - self._first_t) / self._speed

    @property
    def finished(self) -> bool:
        return self._next is None
