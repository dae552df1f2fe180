"""The position book's running figures equal a full recomputation from its positions, whatever the fills.

``round_trips``, ``root_quantities``, ``realized``, ``totals_usd`` and ``trips_since`` are kept as fills arrive;
the reference here is how they were computed from every position (and every trip since start) on each call.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_gw.domain.positions import PositionBook, RoundTrip, Valuation
from nexus_gw.errors import NexusGwError
from nexus_gw.protocol.constants import Side

PLATFORMS = ("nt8", "sierra", "mt5_global")
ROOTS = ("NQ", "WIN")


def valuations(platform: str, root: str) -> Valuation:
    if root == "WIN":
        return Valuation("BRL", Decimal("0.2"))
    return Valuation("USD", Decimal(1), Decimal(20)) if platform == "mt5_global" else Valuation("USD", Decimal(20))


class Rates:
    """BRL at 5 per USD, or no rate at all (a stale feed) while ``down``."""

    down = False

    def __call__(self, amount: Decimal, currency: str) -> Decimal:
        if self.down:
            raise NexusGwError(f"no usable {currency}/USD rate")
        return amount / Decimal(5)


fill = st.tuples(
    st.sampled_from(PLATFORMS),
    st.sampled_from(ROOTS),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.sampled_from([1.0, 2.0, 0.5, 3.0]),
    st.sampled_from([100.0, 100.25, 99.5, 101.0]),
    st.integers(0, 3),  # time: out of order and with ties, as reports from several platforms come
    st.sampled_from(["fill", "fill", "fill", "mark", "rate down", "rate up", "repeat"]),
)


def _old_round_trips(book: PositionBook, platform: str | None, root: str | None) -> list[RoundTrip]:
    trips = [
        trip
        for (name, symbol), position in book._positions.items()
        if (platform is None or name == platform) and (root is None or symbol == root)
        for trip in position.trips
    ]
    return sorted(trips, key=lambda trip: trip.exit_ns)


def _apply(book: PositionBook, rates: Rates, n: int, step: tuple) -> None:
    """One generated step: a mark, a change of the FX rate, or fill number ``n`` (a "repeat" resends fill n - 1)."""
    platform, root, side, qty, price, ts, what = step
    if what == "mark":
        book.mark(root, platform, price)
    elif what in ("rate down", "rate up"):
        rates.down = what == "rate down"
    else:
        book.apply_fill(platform, root, side, qty, price, ts, key=("leg", str(n - 1 if what == "repeat" else n)))


def _old_totals(book: PositionBook) -> tuple[Decimal, Decimal]:
    realized = unrealized = Decimal(0)
    for view in book.positions():
        realized += view.realized_usd or Decimal(0)
        unrealized += view.unrealized_usd or Decimal(0)
    return realized, unrealized


@settings(max_examples=300, deadline=None)
@given(st.lists(fill, min_size=10, max_size=80))
def test_running_figures_equal_a_full_recomputation_after_every_fill(fills: list[tuple]) -> None:
    rates = Rates()
    book = PositionBook(valuations, rates)
    seen: list[RoundTrip] = []
    for n, step in enumerate(fills):
        _apply(book, rates, n, step)
        for p in (None, *PLATFORMS):
            for r in (None, *ROOTS):
                assert book.round_trips(p, r) == _old_round_trips(book, p, r)
        for r in ROOTS:
            assert book.root_quantities(r) == [v.root_qty for v in book.positions() if v.root == r]
            assert book.root_position(r) == book.aggregate(r).qty
        for p in PLATFORMS:
            for r in ROOTS:
                view = book.position(p, r)
                assert book.realized(p, r) == (view.currency, view.realized, view.realized_usd)
        assert book.totals_usd() == _old_totals(book)
        seen += book.trips_since(len(seen))
        assert book.trip_count() == len(seen)
        assert sorted(seen, key=id) == sorted(_old_round_trips(book, None, None), key=id)  # each trip once


def test_trips_since_gives_trips_in_the_order_they_closed_even_when_their_times_are_not() -> None:
    book = PositionBook(valuations)
    book.apply_fill("nt8", "NQ", Side.BUY, 1, 100.0, ts_ns=50)
    book.apply_fill("nt8", "NQ", Side.SELL, 1, 101.0, ts_ns=60)  # closes at 60
    book.apply_fill("sierra", "NQ", Side.BUY, 1, 100.0, ts_ns=10)
    book.apply_fill("sierra", "NQ", Side.SELL, 1, 99.0, ts_ns=20)  # closes later, stamped earlier
    assert [t.platform for t in book.trips_since(0)] == ["nt8", "sierra"]
    assert [t.platform for t in book.trips_since(1)] == ["sierra"]
    assert [t.platform for t in book.round_trips()] == ["sierra", "nt8"]  # by exit time


def test_trips_closing_at_the_same_time_are_listed_as_their_positions_first_traded() -> None:
    book = PositionBook(valuations)
    book.apply_fill("nt8", "NQ", Side.BUY, 1, 100.0, ts_ns=0)
    book.apply_fill("sierra", "NQ", Side.BUY, 1, 100.0, ts_ns=0)
    book.apply_fill("sierra", "NQ", Side.SELL, 1, 100.0, ts_ns=2)
    book.apply_fill("nt8", "NQ", Side.SELL, 1, 100.0, ts_ns=2)
    assert [t.platform for t in book.round_trips()] == ["nt8", "sierra"]
    assert book.round_trips() == _old_round_trips(book, None, None)


@settings(max_examples=300, deadline=None)
@given(st.lists(fill, min_size=10, max_size=80), st.lists(st.booleans(), min_size=80, max_size=80))
def test_totals_asked_now_and_then_equal_a_full_recomputation(fills: list[tuple], asks: list[bool]) -> None:
    """Several fills and marks between two calls (the running sums catch up on every position they touched)."""
    rates = Rates()
    book = PositionBook(valuations, rates)
    for n, step in enumerate(fills):
        _apply(book, rates, n, step)
        if asks[n]:
            assert book.totals_usd() == _old_totals(book)
    assert book.totals_usd() == _old_totals(book)
