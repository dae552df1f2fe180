"""Journals on real SQLite files in tmp_path, with a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.domain.orders import Leg, Order
from nexus_gw.journal import Journal
from nexus_gw.protocol.constants import Side

#: 2026-03-02 00:00:00 UTC in nanoseconds.
T0 = 1_772_409_600_000_000_000
HOUR = 3_600_000_000_000


class FakeNs:
    """A nanosecond clock that advances one microsecond per reading unless set."""

    def __init__(self, start: int = T0) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1_000
        return self.now


@pytest.fixture
def clock() -> FakeNs:
    return FakeNs()


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "journal.sqlite3"


@pytest.fixture
def journal(journal_file: Path, clock: FakeNs) -> Iterator[Journal]:
    with Journal.open(journal_file, now_ns=clock) as j:
        yield j


def make_order(
    order_id: str = "o1",
    platforms: tuple[str, ...] = ("nt8", "sierra"),
    qty: float = 2.0,
    side: Side = Side.BUY,
    root: str = "NQ",
    created_ns: int = T0,
) -> Order:
    order = Order(order_id, f"client-{order_id}", root, side, qty, created_ns=created_ns)
    for platform in platforms:
        order.add_leg(Leg(f"{order_id}.{platform}", platform, f"{root}@{platform}", side, qty))
    return order
