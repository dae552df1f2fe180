"""Market-data book: SymbolID assignment, resubscription, and every trade/quote variant → events."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.constants import DBL_MAX, FLT_MAX, AtBidOrAsk, RequestAction
from nexus_gw.adapters.sierra.dtc.data import MarketDataBook, Rejection
from nexus_gw.adapters.sierra.dtc.events import MarketSnapshot, Quote, Trade
from nexus_gw.errors import ProtocolError

NOW = 1_700_000_123.0


@pytest.fixture
def book() -> MarketDataBook:
    b = MarketDataBook(default_exchange="CME", now=lambda: NOW)
    b.subscribe("NQH25")
    b.subscribe("ESH25", exchange="")
    return b


def test_symbol_ids_are_stable_and_requests_carry_the_exchange(book: MarketDataBook) -> None:
    assert book.subscriptions == {"NQH25": 1, "ESH25": 2}
    again = book.subscribe("NQH25")
    assert again.SymbolID == 1 and again.Exchange == "CME" and again.RequestAction == RequestAction.SUBSCRIBE
    assert [(r.SymbolID, r.Symbol, r.Exchange) for r in book.resubscribe_requests()] == [
        (1, "NQH25", "CME"),
        (2, "ESH25", ""),
    ]


def test_unsubscribe_returns_request_and_forgets(book: MarketDataBook) -> None:
    request = book.unsubscribe("NQH25")
    assert request is not None and request.RequestAction == RequestAction.UNSUBSCRIBE and request.SymbolID == 1
    assert book.unsubscribe("NQH25") is None
    assert book.handle(m.MarketDataUpdateTrade(SymbolID=1, Price=1.0, Volume=1.0)) is None


def test_empty_symbol_is_refused() -> None:
    with pytest.raises(ProtocolError, match="empty symbol"):
        MarketDataBook().subscribe("  ")


def test_snapshot_maps_unset_values_to_none(book: MarketDataBook) -> None:
    event = book.handle(m.MarketDataSnapshot(SymbolID=1, BidPrice=100.0, BidQuantity=5.0, LastTradeDateTime=0.0))
    assert isinstance(event, MarketSnapshot)
    assert (event.symbol, event.bid, event.bid_size) == ("NQH25", 100.0, 5.0)
    assert event.ask is None and event.ask_size is None and event.last_price is None and event.last_time is None


@pytest.mark.parametrize(
    ("msg", "price", "size", "side", "when"),
    [
        (
            m.MarketDataUpdateTrade(SymbolID=2, AtBidOrAsk=2, Price=6000.25, Volume=3.0, DateTime=5.5),
            6000.25,
            3.0,
            AtBidOrAsk.AT_ASK,
            5.5,
        ),
        (
            m.MarketDataUpdateTradeCompact(SymbolID=2, AtBidOrAsk=1, Price=6000.5, Volume=2.0, DateTime=7),
            6000.5,
            2.0,
            AtBidOrAsk.AT_BID,
            7.0,
        ),
        (
            m.MarketDataUpdateTradeWithUnbundledIndicator(SymbolID=2, AtBidOrAsk=2, Price=1.0, Volume=4, DateTime=8.0),
            1.0,
            4.0,
            AtBidOrAsk.AT_ASK,
            8.0,
        ),
        (
            m.MarketDataUpdateTradeWithUnbundledIndicator2(
                SymbolID=2, AtBidOrAsk=1, Price=2.0, Volume=6, DateTime=9_500_000
            ),
            2.0,
            6.0,
            AtBidOrAsk.AT_BID,
            9.5,
        ),
        (
            m.MarketDataUpdateTradeNoTimestamp(SymbolID=2, AtBidOrAsk=9, Price=3.0, Volume=1),
            3.0,
            1.0,
            AtBidOrAsk.UNSET,
            NOW,
        ),
    ],
    ids=["107", "112", "137", "146", "142"],
)
def test_trade_variants(
    book: MarketDataBook, msg: m.Message, price: float, size: float, side: AtBidOrAsk, when: float
) -> None:
    event = book.handle(msg)
    assert event == Trade("ESH25", price, size, side, when)


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        (
            m.MarketDataUpdateBidAsk(
                SymbolID=1, BidPrice=10.0, BidQuantity=2.0, AskPrice=DBL_MAX, AskQuantity=0.0, DateTime=11
            ),
            Quote("NQH25", 10.0, 2.0, None, None, 11.0),
        ),
        (
            m.MarketDataUpdateBidAskCompact(SymbolID=1, BidPrice=FLT_MAX, AskPrice=10.5, AskQuantity=4.0, DateTime=12),
            Quote("NQH25", None, None, 10.5, 4.0, 12.0),
        ),
        (
            m.MarketDataUpdateBidAskFloatWithMicroseconds(
                SymbolID=1, BidPrice=10.0, BidQuantity=1.0, AskPrice=10.5, AskQuantity=2.0, DateTime=13_250_000
            ),
            Quote("NQH25", 10.0, 1.0, 10.5, 2.0, 13.25),
        ),
        (
            m.MarketDataUpdateBidAskNoTimestamp(
                SymbolID=1, BidPrice=10.0, BidQuantity=3, AskPrice=10.25, AskQuantity=4
            ),
            Quote("NQH25", 10.0, 3.0, 10.25, 4.0, NOW),
        ),
    ],
    ids=["108", "117", "144", "143"],
)
def test_quote_variants(book: MarketDataBook, msg: m.Message, expected: Quote) -> None:
    assert book.handle(msg) == expected


def test_reject_forgets_the_symbol(book: MarketDataBook) -> None:
    event = book.handle(m.MarketDataReject(SymbolID=1, RejectText="no such symbol"))
    assert event == Rejection("NQH25", "no such symbol")
    assert "NQH25" not in book.subscriptions
    assert book.handle(m.MarketDataReject(SymbolID=42, RejectText="?")) is None


def test_updates_for_unknown_symbol_ids_are_dropped(book: MarketDataBook) -> None:
    assert book.handle(m.MarketDataUpdateTrade(SymbolID=77, Price=1.0, Volume=1.0)) is None
    assert not book.handles(m.Heartbeat())


def test_overlong_symbol_is_refused_before_it_is_remembered() -> None:
    book = MarketDataBook()
    with pytest.raises(ProtocolError, match="at most 63"):
        book.subscribe("S" * 64)
    assert book.subscriptions == {}
