from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from nexus_gw.adapters.mt5.ticks import TickReader


def tick(msc: int, bid: float = 100.0) -> SimpleNamespace:
    return SimpleNamespace(time_msc=msc, bid=bid, ask=bid + 1, last=bid, volume=1, volume_real=1.0)


class NumpyLikeRow:
    """A row read by key only, as a numpy structured array's."""

    def __init__(self, **fields: Any) -> None:
        self._fields = fields

    def __getitem__(self, name: str) -> Any:
        return self._fields[name]


def test_each_tick_is_passed_once_in_time_order_and_a_stale_feed_is_reported_once() -> None:
    reader = TickReader(stale_after_s=5)
    feed: dict[str, list[Any]] = {"NAS100": [tick(1000)]}
    asked: list[int] = []

    def fetch(symbol: str, last_msc: int) -> list[Any]:
        asked.append(last_msc)
        return feed[symbol]

    ticks, stale, _ = reader.read(["NAS100"], fetch, now=0.0)
    assert [t.ts_ns for t in ticks] == [1000 * 1_000_000] and not stale
    feed["NAS100"] = [tick(1000), tick(1300, 101.0), tick(1200, 100.5)]  # overlapping read, out of order
    ticks, _, _ = reader.read(["NAS100"], fetch, now=1.0)
    assert [t.bid for t in ticks] == [100.5, 101.0]  # no repeat, none skipped, in time order
    assert asked == [0, 1000]  # the reader asks from the last tick it passed on
    feed["NAS100"] = [tick(900)]  # an older one: dropped
    assert reader.read(["NAS100"], fetch, now=2.0)[0] == []
    assert reader.read(["NAS100"], fetch, now=7.0)[1] == ["NAS100"]  # no new tick for 5 s: stale
    assert reader.read(["NAS100"], fetch, now=9.0)[1] == []  # said once
    feed["NAS100"] = [NumpyLikeRow(time_msc=2000, bid=102.0, ask=103.0, last=0.0, volume=0, volume_real=2.0)]
    ticks, stale, back = reader.read(["NAS100"], fetch, now=10.0)
    assert [(t.bid, t.last, t.size) for t in ticks] == [(102.0, 102.5, 2.0)] and back == ["NAS100"]


def test_a_symbol_without_ticks_goes_stale() -> None:
    reader = TickReader(stale_after_s=1)
    assert reader.read(["WINZ26"], lambda s, m: [None], now=0.0)[1] == []
    assert reader.read(["WINZ26"], lambda s, m: None, now=2.0)[1] == ["WINZ26"]
