"""Market-data subscriptions (symbol ↔ SymbolID) and conversion of every DTC trade/quote variant to events.

Pure bookkeeping, no sockets: the session asks for request messages and hands incoming messages over.
A SymbolID is chosen once per symbol and kept for the life of the book, so a reconnect resubscribes with
the same IDs. Updates that carry only a SymbolID the book does not know are dropped (late updates after an
unsubscribe).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nexus_gw.errors import ProtocolError

from . import messages as m
from .binary import encode_binary
from .constants import AtBidOrAsk, RequestAction
from .events import MarketSnapshot, Quote, Trade, unset_to_none
from .wire import ERR_FIELD, Message

log = logging.getLogger(__name__)

MarketEvent = MarketSnapshot | Trade | Quote


@dataclass(frozen=True, slots=True)
class Rejection:
    """The server refused the subscription of ``symbol``."""

    symbol: str
    text: str


class MarketDataBook:
    """Symbol ↔ SymbolID map plus the decoder from DTC market-data messages to events."""

    def __init__(self, default_exchange: str = "", now: Callable[[], float] = time.time) -> None:
        self.default_exchange = default_exchange
        self._now = now
        self._ids: dict[str, int] = {}
        self._symbols: dict[int, str] = {}
        self._exchanges: dict[str, str] = {}
        self._next_id = 1
        self._handlers: dict[type[Message], Callable[[Any, str], MarketEvent | None]] = {
            m.MarketDataSnapshot: self._snapshot,
            m.MarketDataUpdateTrade: self._trade_double,
            m.MarketDataUpdateTradeCompact: self._trade_compact,
            m.MarketDataUpdateTradeWithUnbundledIndicator: self._trade_double,
            m.MarketDataUpdateTradeWithUnbundledIndicator2: self._trade_micros,
            m.MarketDataUpdateTradeNoTimestamp: self._trade_no_time,
            m.MarketDataUpdateBidAsk: self._quote,
            m.MarketDataUpdateBidAskCompact: self._quote,
            m.MarketDataUpdateBidAskFloatWithMicroseconds: self._quote_micros,
            m.MarketDataUpdateBidAskNoTimestamp: self._quote_no_time,
        }

    # ------------------------------------------------------------------------------------------ subscriptions

    @property
    def subscriptions(self) -> dict[str, int]:
        """Currently subscribed symbols and their SymbolIDs."""
        return dict(self._ids)

    def symbol_for(self, symbol_id: int) -> str | None:
        return self._symbols.get(symbol_id)

    def subscribe(self, symbol: str, exchange: str | None = None) -> m.MarketDataRequest:
        """Remember ``symbol`` and return its SUBSCRIBE request (same SymbolID if it was subscribed before)."""
        if not symbol.strip():
            raise ProtocolError(ERR_FIELD, "cannot subscribe to an empty symbol; pass the Sierra symbol, e.g. NQH25")
        chosen_exchange = self.default_exchange if exchange is None else exchange
        encode_binary(m.MarketDataRequest(Symbol=symbol, Exchange=chosen_exchange))  # too long? fail before storing
        symbol_id = self._ids.get(symbol)
        if symbol_id is None:
            symbol_id = self._next_id
            self._next_id += 1
            self._ids[symbol] = symbol_id
            self._symbols[symbol_id] = symbol
        self._exchanges[symbol] = chosen_exchange
        return self._request(symbol, RequestAction.SUBSCRIBE)

    def unsubscribe(self, symbol: str) -> m.MarketDataRequest | None:
        """Forget ``symbol`` and return its UNSUBSCRIBE request, or ``None`` if it was not subscribed."""
        if symbol not in self._ids:
            return None
        request = self._request(symbol, RequestAction.UNSUBSCRIBE)
        self._forget(symbol)
        return request

    def resubscribe_requests(self) -> list[m.MarketDataRequest]:
        """SUBSCRIBE requests for every remembered symbol (after a reconnect)."""
        return [self._request(symbol, RequestAction.SUBSCRIBE) for symbol in self._ids]

    def _request(self, symbol: str, action: RequestAction) -> m.MarketDataRequest:
        return m.MarketDataRequest(
            RequestAction=action, SymbolID=self._ids[symbol], Symbol=symbol, Exchange=self._exchanges[symbol]
        )

    def _forget(self, symbol: str) -> None:
        symbol_id = self._ids.pop(symbol)
        self._symbols.pop(symbol_id, None)
        self._exchanges.pop(symbol, None)

    # ------------------------------------------------------------------------------------------------ decoding

    def handles(self, msg: Message) -> bool:
        return type(msg) in self._handlers or isinstance(msg, m.MarketDataReject)

    def handle(self, msg: Message) -> MarketEvent | Rejection | None:
        """The event for a market-data message, or ``None`` when it is for an unknown SymbolID."""
        if isinstance(msg, m.MarketDataReject):
            symbol = self._symbols.get(msg.SymbolID)
            if symbol is None:
                log.warning("MARKET_DATA_REJECT for unknown SymbolID %d: %s", msg.SymbolID, msg.RejectText)
                return None
            self._forget(symbol)
            return Rejection(symbol, msg.RejectText)
        handler = self._handlers.get(type(msg))
        if handler is None:
            return None
        symbol_id: int = getattr(msg, "SymbolID", 0)
        symbol = self._symbols.get(symbol_id)
        if symbol is None:
            log.debug("dropping %s for unknown SymbolID %d", type(msg).__name__, symbol_id)
            return None
        return handler(msg, symbol)

    def _snapshot(self, s: m.MarketDataSnapshot, symbol: str) -> MarketSnapshot:
        return MarketSnapshot(
            symbol=symbol,
            symbol_id=s.SymbolID,
            bid=unset_to_none(s.BidPrice),
            bid_size=unset_to_none(s.BidQuantity),
            ask=unset_to_none(s.AskPrice),
            ask_size=unset_to_none(s.AskQuantity),
            last_price=unset_to_none(s.LastTradePrice),
            last_size=unset_to_none(s.LastTradeVolume),
            last_time=s.LastTradeDateTime or None,
            session_open=unset_to_none(s.SessionOpenPrice),
            session_high=unset_to_none(s.SessionHighPrice),
            session_low=unset_to_none(s.SessionLowPrice),
            session_volume=unset_to_none(s.SessionVolume),
            settlement=unset_to_none(s.SessionSettlementPrice),
        )

    def _trade_double(
        self, t: m.MarketDataUpdateTrade | m.MarketDataUpdateTradeWithUnbundledIndicator, symbol: str
    ) -> Trade:
        return Trade(symbol, t.Price, float(t.Volume), _side(t.AtBidOrAsk), t.DateTime or self._now())

    def _trade_compact(self, t: m.MarketDataUpdateTradeCompact, symbol: str) -> Trade:
        return Trade(symbol, t.Price, t.Volume, _side(t.AtBidOrAsk), float(t.DateTime) or self._now())

    def _trade_micros(self, t: m.MarketDataUpdateTradeWithUnbundledIndicator2, symbol: str) -> Trade:
        when = t.DateTime / 1_000_000 if t.DateTime else self._now()
        return Trade(symbol, t.Price, float(t.Volume), _side(t.AtBidOrAsk), when)

    def _trade_no_time(self, t: m.MarketDataUpdateTradeNoTimestamp, symbol: str) -> Trade:
        return Trade(symbol, t.Price, float(t.Volume), _side(t.AtBidOrAsk), self._now())

    def _quote(self, q: m.MarketDataUpdateBidAsk | m.MarketDataUpdateBidAskCompact, symbol: str) -> Quote:
        return _make_quote(symbol, q.BidPrice, q.BidQuantity, q.AskPrice, q.AskQuantity, q.DateTime or self._now())

    def _quote_micros(self, q: m.MarketDataUpdateBidAskFloatWithMicroseconds, symbol: str) -> Quote:
        when = q.DateTime / 1_000_000 if q.DateTime else self._now()
        return _make_quote(symbol, q.BidPrice, q.BidQuantity, q.AskPrice, q.AskQuantity, when)

    def _quote_no_time(self, q: m.MarketDataUpdateBidAskNoTimestamp, symbol: str) -> Quote:
        return _make_quote(symbol, q.BidPrice, q.BidQuantity, q.AskPrice, q.AskQuantity, self._now())


def _side(value: int) -> AtBidOrAsk:
    try:
        return AtBidOrAsk(value)
    except ValueError:
        return AtBidOrAsk.UNSET


def _make_quote(symbol: str, bid: float, bid_qty: float, ask: float, ask_qty: float, when: float) -> Quote:
    bid_price = unset_to_none(bid)
    ask_price = unset_to_none(ask)
    return Quote(
        symbol=symbol,
        bid=bid_price,
        bid_size=float(bid_qty) if bid_price is not None else None,
        ask=ask_price,
        ask_size=float(ask_qty) if ask_price is not None else None,
        time=float(when),
    )
