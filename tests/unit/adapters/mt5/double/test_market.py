"""The quote stream: deterministic, ordered by time_msc without repeats, silent while the market is closed."""

from __future__ import annotations

from types import ModuleType

from tests.unit.adapters.mt5.double.conftest import OPEN, started


def test_ticks_are_ordered_by_time_msc_without_repeats(b3: ModuleType) -> None:
    b3._double.advance(30)
    ticks = b3.copy_ticks_from("WINZ26", OPEN, 10_000, b3.COPY_TICKS_ALL)
    times = [t["time_msc"] for t in ticks]
    assert len(times) > 50 and times == sorted(set(times))


def test_resuming_after_the_last_time_msc_misses_nothing(mt5: ModuleType) -> None:
    mt5._double.advance(5)
    first = mt5.copy_ticks_from("NAS100", OPEN, 10_000, mt5.COPY_TICKS_ALL)
    mt5._double.advance(5)
    second = mt5.copy_ticks_range("NAS100", (first[-1].time_msc + 1) / 1000, mt5._double.now_msc() / 1000, -1)
    everything = mt5.copy_ticks_from("NAS100", OPEN, 10_000, mt5.COPY_TICKS_ALL)
    assert list(first) + list(second) == list(everything)


def test_copy_ticks_flags(b3: ModuleType) -> None:
    b3._double.advance(20)
    trades = b3.copy_ticks_from("WINZ26", OPEN, 10_000, b3.COPY_TICKS_TRADE)
    assert trades and all(t.flags & b3.TICK_FLAG_LAST for t in trades)
    assert len(trades) < len(b3.copy_ticks_from("WINZ26", OPEN, 10_000, b3.COPY_TICKS_ALL))
    assert b3.copy_ticks_from("WINZ26", OPEN, 3, b3.COPY_TICKS_ALL)[2].time_msc > OPEN.timestamp() * 1000


def test_cfd_ticks_carry_no_last_price(mt5: ModuleType) -> None:
    mt5._double.advance(3)
    assert {t.last for t in mt5.copy_ticks_from("US500", OPEN, 100, mt5.COPY_TICKS_ALL)} == {0.0}


def test_the_walk_is_deterministic_per_seed() -> None:
    one, two, other = started("global", seed=1), started("global", seed=1), started("global", seed=2)
    for mt5 in (one, two, other):
        mt5._double.advance(10)
    bids = [[t.bid for t in m.copy_ticks_from("NAS100", OPEN, 100, -1)] for m in (one, two, other)]
    assert bids[0] == bids[1] != bids[2]


def test_no_ticks_while_the_market_is_closed(mt5: ModuleType) -> None:
    mt5._double.set_market_open(False, "NAS100")
    before = len(mt5.copy_ticks_from("NAS100", OPEN, 10_000, -1))
    mt5._double.advance(10)
    assert len(mt5.copy_ticks_from("NAS100", OPEN, 10_000, -1)) == before
    assert len(mt5.copy_ticks_from("US500", OPEN, 10_000, -1)) > before
    mt5._double.set_market_open(None, "NAS100")
    mt5._double.advance(1)
    assert len(mt5.copy_ticks_from("NAS100", OPEN, 10_000, -1)) > before


def test_unknown_symbol_ticks_are_none(mt5: ModuleType) -> None:
    assert mt5.copy_ticks_from("NQ", OPEN, 10, -1) is None
    assert mt5.last_error()[0] == mt5.RES_E_INVALID_PARAMS


def test_realtime_clock_follows_the_wall_clock() -> None:
    now = [OPEN.timestamp()]
    from nexus_gw.adapters.mt5.double.brokers import global_cfd
    from nexus_gw.adapters.mt5.double.terminal import Terminal

    terminal = Terminal(global_cfd(), realtime=True, wall_clock=lambda: now[0])
    assert terminal.initialize()
    now[0] += 3
    terminal.symbol_select("NAS100")
    assert terminal.symbol_info_tick("NAS100").time_msc == int(now[0] * 1000)
