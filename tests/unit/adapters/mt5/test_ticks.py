from __future__ import annotations

from types import SimpleNamespace

from nexus_gw.adapters.mt5.ticks import TickReader


def tick(msc: int, bid: float = 100.0) -> SimpleNamespace:
    return SimpleNamespace(time_msc=msc, bid=bid, ask=bid + 1, last=bid, volume=1, volume_real=1.0)


def test_each_tick_is_passed_once_in_time_order_and_a_stale_feed_is_reported_once() -> None:
    reader = TickReader(stale_after_s=5)
    feed = {"NAS100": tick(1000)}
    ticks, stale, _ = reader.read(["NAS100"], feed.get, now=0.0)
    assert [t.ts_ns for t in ticks] == [1000 * 1_000_000] and not stale
    ticks, stale, _ = reader.read(["NAS100"], feed.get, now=1.0)  # the same tick again: not repeated
    assert ticks == [] and stale == []
    feed["NAS100"] = tick(900)  # an older one: dropped
    assert reader.read(["NAS100"], feed.get, now=2.0)[0] == []
    assert reader.read(["NAS100"], feed.get, now=7.0)[1] == ["NAS100"]  # no new tick for 5 s: stale
    assert reader.read(["NAS100"], feed.get, now=9.0)[1] == []  # said once
    feed["NAS100"] = tick(2000, 101.0)
    ticks, stale, back = reader.read(["NAS100"], feed.get, now=10.0)
    assert [t.bid for t in ticks] == [101.0] and back == ["NAS100"]


def test_a_symbol_without_ticks_goes_stale() -> None:
    reader = TickReader(stale_after_s=1)
    assert reader.read(["WINZ26"], lambda s: None, now=0.0)[1] == []
    assert reader.read(["WINZ26"], lambda s: None, now=2.0)[1] == ["WINZ26"]
