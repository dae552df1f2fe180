from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from nexus_gw.domain.fx import RateBook, configured_rate
from nexus_gw.domain.instruments import Instrument, InstrumentSpec
from nexus_gw.domain.positions import PositionBook, Valuation, valuation_from_instrument
from nexus_gw.protocol.constants import Side

BUY, SELL = Side.BUY, Side.SELL
NQ = Valuation("USD", Decimal(20))
NAS100 = Valuation("USD", Decimal(1), Decimal(20))  # 20 CFD lots per NQ contract
WIN = Valuation("BRL", Decimal("0.2"))
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def valuations(platform: str, root: str) -> Valuation:
    if root == "WIN":
        return WIN
    return NAS100 if platform == "mt5_global" else NQ


def brl_per_usd(rate: str) -> RateBook:
    rates = RateBook(max_age=timedelta(days=1))
    rates.update(configured_rate("USD", "BRL", Decimal(rate), NOW))
    return rates


def book(rate: str | None = "5.00") -> PositionBook:
    if rate is None:
        return PositionBook(valuations)
    rates = brl_per_usd(rate)
    return PositionBook(valuations, lambda amount, ccy: rates.convert(amount, ccy, "USD", NOW))


def test_long_opened_and_closed_realizes_points_times_point_value_and_one_round_trip() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 2, 16000.25, ts_ns=1)
    b.apply_fill("nt8", "NQ", SELL, 2, 16010.50, ts_ns=2)
    view = b.position("nt8", "NQ")
    assert view.qty == 0 and view.avg_entry is None
    assert view.realized == view.realized_usd == Decimal("410.00")  # 10.25 points x 2 x 20
    (trip,) = b.round_trips()
    assert (trip.side, trip.qty, trip.entry_ns, trip.entry_price, trip.exit_ns, trip.exit_price) == (
        BUY,
        2.0,
        1,
        16000.25,
        2,
        16010.5,
    )
    assert trip.pnl == trip.pnl_usd == Decimal("410.00")


def test_adding_to_a_position_averages_the_entry_by_quantity() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 1, 100)
    b.apply_fill("nt8", "NQ", BUY, 3, 104)
    assert b.position("nt8", "NQ").avg_entry == 103.0
    assert b.position("nt8", "NQ").qty == 4


def test_partial_close_realizes_only_the_closed_part_and_keeps_the_entry() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", SELL, 3, 200)
    b.apply_fill("nt8", "NQ", BUY, 1, 190)
    view = b.position("nt8", "NQ")
    assert (view.qty, view.avg_entry, view.realized) == (-2.0, 200.0, Decimal("200.00"))
    assert b.round_trips() == []


def test_reversal_closes_one_round_trip_and_opens_another_at_the_crossing_price() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 2, 100, ts_ns=10)
    b.apply_fill("nt8", "NQ", SELL, 5, 110, ts_ns=20)
    view = b.position("nt8", "NQ")
    assert (view.qty, view.avg_entry, view.realized) == (-3.0, 110.0, Decimal("400.00"))
    b.apply_fill("nt8", "NQ", BUY, 3, 100, ts_ns=30)
    long_trip, short_trip = b.round_trips()
    assert (long_trip.side, long_trip.qty, long_trip.pnl, long_trip.exit_ns) == (BUY, 2.0, Decimal("400.00"), 20)
    assert (short_trip.side, short_trip.qty, short_trip.entry_ns, short_trip.entry_price) == (SELL, 3.0, 20, 110.0)
    assert short_trip.pnl == Decimal("600.00")
    assert b.position("nt8", "NQ").realized == Decimal("1000.00")


def test_round_trip_prices_are_quantity_weighted_over_its_fills() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 1, 100)
    b.apply_fill("nt8", "NQ", BUY, 1, 102)
    b.apply_fill("nt8", "NQ", SELL, 1, 105)
    b.apply_fill("nt8", "NQ", SELL, 1, 109)
    (trip,) = b.round_trips()
    assert (trip.qty, trip.entry_price, trip.exit_price, trip.pnl) == (2.0, 101.0, 107.0, Decimal("240.00"))


def test_repeated_execution_key_is_counted_once() -> None:
    b = book()
    assert b.apply_fill("nt8", "NQ", BUY, 1, 100, key=("o1.nt8", "f1"))
    assert not b.apply_fill("nt8", "NQ", BUY, 1, 100, key=("o1.nt8", "f1"))
    assert b.net_qty("nt8", "NQ") == 1.0


@pytest.mark.parametrize(("qty", "price"), [(0, 100), (1, 0), (-1, 100), (float("nan"), 100), (1, float("inf"))])
def test_impossible_fill_is_refused_and_changes_nothing(qty: float, price: float) -> None:
    b = book()
    with pytest.raises(ValueError, match="must be positive"):
        b.apply_fill("nt8", "NQ", BUY, qty, price, key=("l", "f"))
    assert b.positions() == []
    assert b.apply_fill("nt8", "NQ", BUY, 1, 100, key=("l", "f"))  # the key was not burnt


def test_unrealized_is_marked_to_the_given_price_and_unknown_without_one() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", SELL, 2, 100)
    view = b.position("nt8", "NQ")
    assert view.unrealized is None and "mark" in view.missing
    b.mark("NQ", "nt8", 97.5)
    view = b.position("nt8", "NQ")
    assert view.unrealized == view.unrealized_usd == Decimal("100.00")
    assert view.missing == ()


def test_foreign_currency_pnl_is_converted_to_usd_by_the_given_function() -> None:
    b = book("5.00")
    b.apply_fill("mt5_brazil", "WIN", BUY, 10, 130000)
    b.apply_fill("mt5_brazil", "WIN", SELL, 10, 130500)
    view = b.position("mt5_brazil", "WIN")
    assert view.currency == "BRL"
    assert view.realized == Decimal("1000.00")  # 500 points x 10 x 0.2
    assert view.realized_usd == Decimal("200.00")
    assert b.round_trips()[0].pnl_usd == Decimal("200.00")


def test_missing_rate_leaves_usd_unknown_but_native_pnl_and_quantities_intact() -> None:
    b = book(None)
    b.apply_fill("mt5_brazil", "WIN", BUY, 10, 130000)
    b.apply_fill("mt5_brazil", "WIN", SELL, 4, 130500)
    view = b.position("mt5_brazil", "WIN")
    assert (view.qty, view.realized, view.realized_usd) == (6.0, Decimal("400.00"), None)
    assert any(reason.startswith("rate BRL") for reason in view.missing)
    b.apply_fill("mt5_brazil", "WIN", SELL, 6, 130500)
    assert b.round_trips()[0].pnl_usd is None and b.round_trips()[0].pnl == Decimal("1000.00")


def test_stale_rate_is_reported_as_missing_not_raised() -> None:
    rates = brl_per_usd("5.00")
    later = datetime(2026, 3, 5, tzinfo=UTC)
    b = PositionBook(valuations, lambda amount, ccy: rates.convert(amount, ccy, "USD", later))
    b.apply_fill("mt5_brazil", "WIN", BUY, 1, 130000)
    b.apply_fill("mt5_brazil", "WIN", SELL, 1, 130100)
    view = b.position("mt5_brazil", "WIN")
    assert view.realized_usd is None and "stale" in " ".join(view.missing)


def test_aggregate_sums_platforms_in_root_units_and_usd() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 1, 100)
    b.apply_fill("mt5_global", "NQ", BUY, 20, 103)  # one contract's worth of CFD lots
    b.mark("NQ", "nt8", 110)
    b.mark("NQ", "mt5_global", 110)
    agg = b.aggregate("NQ")
    assert agg.qty == 2.0
    assert agg.avg_entry == 101.5
    assert agg.unrealized_usd == Decimal("200.00") + Decimal("140.00")
    assert agg.realized_usd == Decimal("0.00")
    assert agg.platforms == ("mt5_global", "nt8")


def test_aggregate_usd_total_is_unknown_when_any_platform_is_unpriced() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 1, 100)
    b.apply_fill("sierra", "NQ", BUY, 1, 100)
    b.mark("NQ", "nt8", 101)
    agg = b.aggregate("NQ")
    assert agg.unrealized_usd is None
    assert agg.missing == ("sierra: mark",)
    assert b.aggregate("NQ", platforms=["nt8"]).unrealized_usd == Decimal("20.00")


def test_opposite_platform_positions_net_out_in_the_aggregate() -> None:
    b = book()
    b.apply_fill("nt8", "NQ", BUY, 2, 100)
    b.apply_fill("sierra", "NQ", SELL, 2, 101)
    agg = b.aggregate("NQ")
    assert agg.qty == 0 and agg.avg_entry is None


@dataclass(frozen=True)
class Fill:
    platform: str
    root: str
    side: Side
    qty: float
    price: float
    time_ns: int
    key: tuple[str, str]


def test_rebuild_from_fill_records_matches_the_live_book() -> None:
    fills = [
        Fill("nt8", "NQ", BUY, 2, 100, 1, ("a", "1")),
        Fill("mt5_brazil", "WIN", SELL, 5, 130000, 2, ("b", "1")),
        Fill("nt8", "NQ", SELL, 3, 104, 3, ("a", "2")),
        Fill("nt8", "NQ", SELL, 3, 104, 3, ("a", "2")),  # journal never has it twice; the book ignores it anyway
        Fill("mt5_brazil", "WIN", BUY, 5, 129900, 4, ("b", "2")),
    ]
    live = book()
    for f in fills:
        live.apply_fill(f.platform, f.root, f.side, f.qty, f.price, f.time_ns, f.key)
    rates = brl_per_usd("5.00")
    rebuilt = PositionBook.rebuild(fills, valuations, lambda a, c: rates.convert(a, c, "USD", NOW))
    assert rebuilt.positions() == live.positions()
    assert rebuilt.round_trips() == live.round_trips()
    assert rebuilt.platform_positions("nt8") == {"NQ": -1.0}
    assert rebuilt.platform_positions("mt5_brazil") == {}


def test_valuation_from_instrument_divides_point_value_by_the_lot_multiplier() -> None:
    spec = InstrumentSpec.model_validate(
        {
            "exchange": "CME",
            "currency": "USD",
            "timezone": "America/Chicago",
            "tick_size": "0.25",
            "point_value": "20",
            "contract_months": "HMUZ",
            "expiry_rule": "cme_equity_index",
        }
    )
    nq = Instrument.from_spec("NQ", spec)
    assert valuation_from_instrument(nq, 20) == Valuation("USD", Decimal(1), Decimal(20))
    with pytest.raises(ValueError, match="must be positive"):
        valuation_from_instrument(nq, 0)


def test_marking_with_a_non_positive_price_is_refused() -> None:
    with pytest.raises(ValueError, match="mark price"):
        book().mark("NQ", "nt8", 0)


def test_mark_alone_does_not_create_a_position() -> None:
    b = book()
    b.mark("NQ", "nt8", 100)
    assert b.positions() == [] and b.roots() == []
