"""DTC v8 message structs, one dataclass each, with byte offsets from ``dtc-v8-struct-layout.txt``.

Defaults are the header's ``Clear()`` values: ``DBL_MAX`` marks a price or quantity as "not set", ``FLT_MAX``
does the same for compact single-precision prices. Units of time fields are given per field because DTC mixes
seconds, milliseconds and microseconds.

Importing this module fills :data:`nexus_gw.adapters.sierra.wire.MESSAGE_CLASSES`, the decoder table.
"""

from __future__ import annotations

from .constants import (
    DBL_MAX,
    EXCHANGE_LENGTH,
    FLT_MAX,
    GENERAL_IDENTIFIER_LENGTH,
    ORDER_FILL_EXECUTION_LENGTH,
    ORDER_FREE_FORM_TEXT_LENGTH,
    ORDER_ID_LENGTH,
    PRICE_STRING_LENGTH,
    PROTOCOL_TYPE,
    PROTOCOL_VERSION,
    SYMBOL_EXCHANGE_DELIMITER_LENGTH,
    SYMBOL_LENGTH,
    TEXT_DESCRIPTION_LENGTH,
    TEXT_MESSAGE_LENGTH,
    TRADE_ACCOUNT_LENGTH,
    UINT_MAX,
    USERNAME_PASSWORD_LENGTH,
    MessageType,
    RequestAction,
)
from .wire import MESSAGE_CLASSES, Message, char, f32, f64, i8, i32, i64, message, u8, u16, u32

__all__ = ["MESSAGE_CLASSES", "Message"]

# --------------------------------------------------------------------------------------------------- session


@message(MessageType.ENCODING_REQUEST, size=16)
class EncodingRequest(Message):
    """Client's first message, always in binary: asks the server to switch to ``Encoding``."""

    ProtocolVersion: int = i32(4, PROTOCOL_VERSION)
    Encoding: int = i32(8)
    ProtocolType: str = char(12, 4, PROTOCOL_TYPE)


@message(MessageType.ENCODING_RESPONSE, size=16)
class EncodingResponse(Message):
    """Server's answer, in binary: the encoding it will actually use from now on (a different one = refusal)."""

    ProtocolVersion: int = i32(4, PROTOCOL_VERSION)
    Encoding: int = i32(8)
    ProtocolType: str = char(12, 4, PROTOCOL_TYPE)


@message(MessageType.LOGON_REQUEST, size=284)
class LogonRequest(Message):
    """Credentials and the heartbeat interval both sides will use (seconds)."""

    ProtocolVersion: int = i32(4, PROTOCOL_VERSION)
    Username: str = char(8, USERNAME_PASSWORD_LENGTH)
    Password: str = char(40, USERNAME_PASSWORD_LENGTH)
    GeneralTextData: str = char(72, GENERAL_IDENTIFIER_LENGTH, free_text=True)
    Integer_1: int = i32(136)
    Integer_2: int = i32(140)
    HeartbeatIntervalInSeconds: int = i32(144)
    Unused1: int = i32(148)
    TradeAccount: str = char(152, TRADE_ACCOUNT_LENGTH)
    HardwareIdentifier: str = char(184, GENERAL_IDENTIFIER_LENGTH)
    ClientName: str = char(248, 32, free_text=True)
    MarketDataTransmissionInterval: int = i32(280)


@message(MessageType.LOGON_RESPONSE, size=256)
class LogonResponse(Message):
    """``Result`` is a :class:`~.constants.LogonStatus`; the uint8 flags say what the server supports."""

    ProtocolVersion: int = i32(4, PROTOCOL_VERSION)
    Result: int = i32(8)
    ResultText: str = char(12, TEXT_DESCRIPTION_LENGTH, free_text=True)
    ReconnectAddress: str = char(108, 64)
    Integer_1: int = i32(172)
    ServerName: str = char(176, 60, free_text=True)
    MarketDepthUpdatesBestBidAndAsk: int = u8(236)
    TradingIsSupported: int = u8(237)
    OCOOrdersSupported: int = u8(238)
    OrderCancelReplaceSupported: int = u8(239, 1)
    SymbolExchangeDelimiter: str = char(240, SYMBOL_EXCHANGE_DELIMITER_LENGTH)
    SecurityDefinitionsSupported: int = u8(244)
    HistoricalPriceDataSupported: int = u8(245)
    ResubscribeWhenMarketDataFeedAvailable: int = u8(246)
    MarketDepthIsSupported: int = u8(247, 1)
    OneHistoricalPriceDataRequestPerConnection: int = u8(248)
    BracketOrdersSupported: int = u8(249)
    Unused_1: int = u8(250)
    UsesMultiplePositionsPerSymbolAndTradeAccount: int = u8(251)
    MarketDataSupported: int = u8(252, 1)


@message(MessageType.HEARTBEAT, size=16)
class Heartbeat(Message):
    """Sent by both sides every ``HeartbeatIntervalInSeconds``. ``CurrentDateTime`` is Unix seconds."""

    NumDroppedMessages: int = u32(4)
    CurrentDateTime: int = i64(8)


@message(MessageType.LOGOFF, size=102)
class Logoff(Message):
    """Either side ends the session; ``DoNotReconnect=1`` asks the peer not to come back on its own."""

    Reason: str = char(4, TEXT_DESCRIPTION_LENGTH, free_text=True)
    DoNotReconnect: int = u8(100)


# ----------------------------------------------------------------------------------------------- market data


@message(MessageType.MARKET_DATA_FEED_STATUS, size=8)
class MarketDataFeedStatusMessage(Message):
    """Whether the server's own data feed is up (:class:`~.constants.MarketDataFeedStatus`)."""

    Status: int = i32(4)


@message(MessageType.MARKET_DATA_FEED_SYMBOL_STATUS, size=12)
class MarketDataFeedSymbolStatus(Message):
    SymbolID: int = u32(4)
    Status: int = i32(8)


@message(MessageType.TRADING_SYMBOL_STATUS, size=12)
class TradingSymbolStatus(Message):
    SymbolID: int = u32(4)
    Status: int = i8(8)


@message(MessageType.MARKET_DATA_REQUEST, size=96)
class MarketDataRequest(Message):
    """Subscribe/unsubscribe ``Symbol`` under a client-chosen non-zero ``SymbolID``."""

    RequestAction: int = i32(4, RequestAction.SUBSCRIBE)
    SymbolID: int = u32(8)
    Symbol: str = char(12, SYMBOL_LENGTH)
    Exchange: str = char(76, EXCHANGE_LENGTH)
    IntervalForSnapshotUpdatesInMilliseconds: int = u32(92)


@message(MessageType.MARKET_DATA_REJECT, size=104)
class MarketDataReject(Message):
    SymbolID: int = u32(4)
    RejectText: str = char(8, TEXT_DESCRIPTION_LENGTH, free_text=True)


@message(MessageType.MARKET_DATA_SNAPSHOT, size=144)
class MarketDataSnapshot(Message):
    """Full state of one symbol. Note the field order AskQuantity before BidQuantity. Times: double seconds."""

    SymbolID: int = u32(4)
    SessionSettlementPrice: float = f64(8, DBL_MAX)
    SessionOpenPrice: float = f64(16, DBL_MAX)
    SessionHighPrice: float = f64(24, DBL_MAX)
    SessionLowPrice: float = f64(32, DBL_MAX)
    SessionVolume: float = f64(40, DBL_MAX)
    SessionNumTrades: int = u32(48, UINT_MAX)
    OpenInterest: int = u32(52, UINT_MAX)
    BidPrice: float = f64(56, DBL_MAX)
    AskPrice: float = f64(64, DBL_MAX)
    AskQuantity: float = f64(72, DBL_MAX)
    BidQuantity: float = f64(80, DBL_MAX)
    LastTradePrice: float = f64(88, DBL_MAX)
    LastTradeVolume: float = f64(96, DBL_MAX)
    LastTradeDateTime: float = f64(104)
    BidAskDateTime: float = f64(112)
    SessionSettlementDateTime: int = u32(120)
    TradingSessionDate: int = u32(124)
    TradingStatus: int = i8(128)
    MarketDepthUpdateDateTime: float = f64(136)


@message(MessageType.MARKET_DATA_UPDATE_TRADE, size=40)
class MarketDataUpdateTrade(Message):
    """One trade. ``DateTime`` is Unix seconds as a double (millisecond precision)."""

    SymbolID: int = u32(4)
    AtBidOrAsk: int = u16(8)
    Price: float = f64(16)
    Volume: float = f64(24)
    DateTime: float = f64(32)


@message(MessageType.MARKET_DATA_UPDATE_BID_ASK, size=40)
class MarketDataUpdateBidAsk(Message):
    """Best bid/ask. Quantities are float32, ``DateTime`` is uint32 Unix seconds; DBL_MAX price = side unset."""

    SymbolID: int = u32(4)
    BidPrice: float = f64(8, DBL_MAX)
    BidQuantity: float = f32(16)
    AskPrice: float = f64(24, DBL_MAX)
    AskQuantity: float = f32(32)
    DateTime: int = u32(36)


@message(MessageType.MARKET_DATA_UPDATE_TRADE_COMPACT, size=24)
class MarketDataUpdateTradeCompact(Message):
    """Single-precision trade; ``DateTime`` is uint32 Unix seconds."""

    Price: float = f32(4)
    Volume: float = f32(8)
    DateTime: int = u32(12)
    SymbolID: int = u32(16)
    AtBidOrAsk: int = u16(20)


@message(MessageType.MARKET_DATA_UPDATE_BID_ASK_COMPACT, size=28)
class MarketDataUpdateBidAskCompact(Message):
    """Single-precision bid/ask; FLT_MAX price = side unset; ``DateTime`` is uint32 Unix seconds."""

    BidPrice: float = f32(4, FLT_MAX)
    BidQuantity: float = f32(8)
    AskPrice: float = f32(12, FLT_MAX)
    AskQuantity: float = f32(16)
    DateTime: int = u32(20)
    SymbolID: int = u32(24)


@message(MessageType.MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR, size=40)
class MarketDataUpdateTradeWithUnbundledIndicator(Message):
    """Trade with sub-trade markers; ``Volume`` is uint32, ``DateTime`` double seconds."""

    SymbolID: int = u32(4)
    AtBidOrAsk: int = u8(8)
    UnbundledTradeIndicator: int = i8(9)
    TradeCondition: int = u8(10)
    Reserve_1: int = u8(11)
    Reserve_2: int = u32(12)
    Price: float = f64(16)
    Volume: int = u32(24)
    Reserve_3: int = u32(28)
    DateTime: float = f64(32)


@message(MessageType.MARKET_DATA_UPDATE_TRADE_NO_TIMESTAMP, size=19)
class MarketDataUpdateTradeNoTimestamp(Message):
    """Packed (pack(1)) trade without a time; the receiver stamps it."""

    SymbolID: int = u32(4)
    Price: float = f32(8)
    Volume: int = u32(12)
    AtBidOrAsk: int = u8(16)
    UnbundledTradeIndicator: int = i8(17)
    TradeCondition: int = i8(18)


@message(MessageType.MARKET_DATA_UPDATE_BID_ASK_NO_TIMESTAMP, size=24)
class MarketDataUpdateBidAskNoTimestamp(Message):
    """Bid/ask without a time; quantities are uint32, FLT_MAX price = side unset."""

    SymbolID: int = u32(4)
    BidPrice: float = f32(8, FLT_MAX)
    BidQuantity: int = u32(12)
    AskPrice: float = f32(16, FLT_MAX)
    AskQuantity: int = u32(20)


@message(MessageType.MARKET_DATA_UPDATE_BID_ASK_FLOAT_WITH_MICROSECONDS, size=32)
class MarketDataUpdateBidAskFloatWithMicroseconds(Message):
    """Packed bid/ask; ``DateTime`` is int64 Unix microseconds; FLT_MAX price = side unset."""

    SymbolID: int = u32(4)
    BidPrice: float = f32(8, FLT_MAX)
    BidQuantity: float = f32(12)
    AskPrice: float = f32(16, FLT_MAX)
    AskQuantity: float = f32(20)
    DateTime: int = i64(24)


@message(MessageType.MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR_2, size=27)
class MarketDataUpdateTradeWithUnbundledIndicator2(Message):
    """Packed trade; ``Volume`` is uint32, ``DateTime`` int64 Unix microseconds."""

    SymbolID: int = u32(4)
    Price: float = f32(8)
    Volume: int = u32(12)
    DateTime: int = i64(16)
    AtBidOrAsk: int = u8(24)
    UnbundledTradeIndicator: int = i8(25)
    TradeCondition: int = i8(26)


@message(MessageType.MARKET_DATA_UPDATE_SESSION_VOLUME, size=24)
class MarketDataUpdateSessionVolume(Message):
    SymbolID: int = u32(4)
    Volume: float = f64(8)
    TradingSessionDate: int = u32(16)
    IsFinalSessionVolume: int = u8(20)


@message(MessageType.MARKET_DATA_UPDATE_SESSION_HIGH, size=24)
class MarketDataUpdateSessionHigh(Message):
    SymbolID: int = u32(4)
    Price: float = f64(8)
    TradingSessionDate: int = u32(16)


@message(MessageType.MARKET_DATA_UPDATE_SESSION_LOW, size=24)
class MarketDataUpdateSessionLow(Message):
    SymbolID: int = u32(4)
    Price: float = f64(8)
    TradingSessionDate: int = u32(16)


@message(MessageType.MARKET_DATA_UPDATE_SESSION_SETTLEMENT, size=24)
class MarketDataUpdateSessionSettlement(Message):
    SymbolID: int = u32(4)
    Price: float = f64(8)
    DateTime: int = u32(16)


@message(MessageType.MARKET_DATA_UPDATE_SESSION_OPEN, size=24)
class MarketDataUpdateSessionOpen(Message):
    SymbolID: int = u32(4)
    Price: float = f64(8)
    TradingSessionDate: int = u32(16)


@message(MessageType.MARKET_DATA_UPDATE_OPEN_INTEREST, size=16)
class MarketDataUpdateOpenInterest(Message):
    SymbolID: int = u32(4)
    OpenInterest: int = u32(8)
    TradingSessionDate: int = u32(12)


@message(MessageType.MARKET_DATA_UPDATE_LAST_TRADE_SNAPSHOT, size=32)
class MarketDataUpdateLastTradeSnapshot(Message):
    """Last trade only (no new trade happened); ``LastTradeDateTime`` is double seconds."""

    SymbolID: int = u32(4)
    LastTradePrice: float = f64(8)
    LastTradeVolume: float = f64(16)
    LastTradeDateTime: float = f64(24)


@message(MessageType.MARKET_DATA_UPDATE_SESSION_NUM_TRADES, size=16)
class MarketDataUpdateSessionNumTrades(Message):
    SymbolID: int = u32(4)
    NumTrades: int = i32(8)
    TradingSessionDate: int = u32(12)


@message(MessageType.MARKET_DATA_UPDATE_TRADING_SESSION_DATE, size=12)
class MarketDataUpdateTradingSessionDate(Message):
    SymbolID: int = u32(4)
    Date: int = u32(8)


# ---------------------------------------------------------------------------------------------------- orders


@message(MessageType.SUBMIT_NEW_SINGLE_ORDER, size=296)
class SubmitNewSingleOrder(Message):
    """A new order. Price1 = limit (LIMIT) or stop (STOP); Price2 = limit of a STOP_LIMIT; unused for MARKET.

    ``GoodTillDateTime`` is int64 Unix seconds. ``IsAutomatedOrder=1`` marks orders sent by software.
    """

    Symbol: str = char(4, SYMBOL_LENGTH)
    Exchange: str = char(68, EXCHANGE_LENGTH)
    TradeAccount: str = char(84, TRADE_ACCOUNT_LENGTH)
    ClientOrderID: str = char(116, ORDER_ID_LENGTH)
    OrderType: int = i32(148)
    BuySell: int = i32(152)
    Price1: float = f64(160)
    Price2: float = f64(168)
    Quantity: float = f64(176)
    TimeInForce: int = i32(184)
    GoodTillDateTime: int = i64(192)
    IsAutomatedOrder: int = u8(200)
    IsParentOrder: int = u8(201)
    FreeFormText: str = char(202, ORDER_FREE_FORM_TEXT_LENGTH, free_text=True)
    OpenOrClose: int = i32(252)
    MaxShowQuantity: float = f64(256)
    Price1AsString: str = char(264, PRICE_STRING_LENGTH)
    Price2AsString: str = char(280, PRICE_STRING_LENGTH)


@message(MessageType.CANCEL_ORDER, size=100)
class CancelOrder(Message):
    """Cancel by ``ServerOrderID``; ClientOrderID and TradeAccount are informational."""

    ServerOrderID: str = char(4, ORDER_ID_LENGTH)
    ClientOrderID: str = char(36, ORDER_ID_LENGTH)
    TradeAccount: str = char(68, TRADE_ACCOUNT_LENGTH)


@message(MessageType.CANCEL_REPLACE_ORDER, size=192)
class CancelReplaceOrder(Message):
    """Modify a working order; ``Price1IsSet``/``Price2IsSet`` say which prices change (default: both)."""

    ServerOrderID: str = char(4, ORDER_ID_LENGTH)
    ClientOrderID: str = char(36, ORDER_ID_LENGTH)
    Price1: float = f64(72)
    Price2: float = f64(80)
    Quantity: float = f64(88)
    Price1IsSet: int = u8(96, 1)
    Price2IsSet: int = u8(97, 1)
    Unused: int = i32(100)
    TimeInForce: int = i32(104)
    GoodTillDateTime: int = i64(112)
    UpdatePrice1OffsetToParent: int = u8(120)
    TradeAccount: str = char(121, TRADE_ACCOUNT_LENGTH)
    Price1AsString: str = char(153, PRICE_STRING_LENGTH)
    Price2AsString: str = char(169, PRICE_STRING_LENGTH)


# --------------------------------------------------------------------------------------------------- trading


@message(MessageType.OPEN_ORDERS_REQUEST, size=76)
class OpenOrdersRequest(Message):
    RequestID: int = i32(4)
    RequestAllOrders: int = i32(8, 1)
    ServerOrderID: str = char(12, ORDER_ID_LENGTH)
    TradeAccount: str = char(44, TRADE_ACCOUNT_LENGTH)


@message(MessageType.ORDER_UPDATE, size=720)
class OrderUpdate(Message):
    """State of one order after an event. Batch fields are set when answering an open-orders request.

    Quantities are cumulative (``FilledQuantity``) and ``AverageFillPrice`` is volume-weighted over all fills;
    ``LastFill*`` describe the execution that caused this update. ``LastFillDateTime`` and
    ``OrderReceivedDateTime`` are int64 Unix **milliseconds**; ``LatestTransactionDateTime`` is double seconds.
    """

    RequestID: int = i32(4)
    TotalNumMessages: int = i32(8)
    MessageNumber: int = i32(12)
    Symbol: str = char(16, SYMBOL_LENGTH)
    Exchange: str = char(80, EXCHANGE_LENGTH)
    PreviousServerOrderID: str = char(96, ORDER_ID_LENGTH)
    ServerOrderID: str = char(128, ORDER_ID_LENGTH)
    ClientOrderID: str = char(160, ORDER_ID_LENGTH)
    ExchangeOrderID: str = char(192, ORDER_ID_LENGTH)
    OrderStatus: int = i32(224)
    OrderUpdateReason: int = i32(228)
    OrderType: int = i32(232)
    BuySell: int = i32(236)
    Price1: float = f64(240, DBL_MAX)
    Price2: float = f64(248, DBL_MAX)
    TimeInForce: int = i32(256)
    GoodTillDateTime: int = i64(264)
    OrderQuantity: float = f64(272, DBL_MAX)
    FilledQuantity: float = f64(280, DBL_MAX)
    RemainingQuantity: float = f64(288, DBL_MAX)
    AverageFillPrice: float = f64(296, DBL_MAX)
    LastFillPrice: float = f64(304, DBL_MAX)
    LastFillDateTime: int = i64(312)
    LastFillQuantity: float = f64(320, DBL_MAX)
    LastFillExecutionID: str = char(328, ORDER_FILL_EXECUTION_LENGTH)
    TradeAccount: str = char(392, TRADE_ACCOUNT_LENGTH)
    InfoText: str = char(424, TEXT_DESCRIPTION_LENGTH, free_text=True)
    NoOrders: int = u8(520)
    ParentServerOrderID: str = char(521, ORDER_ID_LENGTH)
    OCOLinkedOrderServerOrderID: str = char(553, ORDER_ID_LENGTH)
    OpenOrClose: int = i32(588)
    PreviousClientOrderID: str = char(592, ORDER_ID_LENGTH)
    FreeFormText: str = char(624, ORDER_FREE_FORM_TEXT_LENGTH, free_text=True)
    OrderReceivedDateTime: int = i64(672)
    LatestTransactionDateTime: float = f64(680)
    Username: str = char(688, USERNAME_PASSWORD_LENGTH)


@message(MessageType.OPEN_ORDERS_REJECT, size=104)
class OpenOrdersReject(Message):
    RequestID: int = i32(4)
    RejectText: str = char(8, TEXT_DESCRIPTION_LENGTH, free_text=True)


@message(MessageType.HISTORICAL_ORDER_FILLS_REQUEST, size=88)
class HistoricalOrderFillsRequest(Message):
    """Fills of the last ``NumberOfDays`` (or since ``StartDateTime``, int64 Unix seconds), optionally one order."""

    RequestID: int = i32(4)
    ServerOrderID: str = char(8, ORDER_ID_LENGTH)
    NumberOfDays: int = i32(40)
    TradeAccount: str = char(44, TRADE_ACCOUNT_LENGTH)
    StartDateTime: int = i64(80)


@message(MessageType.HISTORICAL_ORDER_FILL_RESPONSE, size=384)
class HistoricalOrderFillResponse(Message):
    """One past execution; ``DateTime`` is int64 Unix seconds. ``NoOrderFills=1`` means "there are none"."""

    RequestID: int = i32(4)
    TotalNumberMessages: int = i32(8)
    MessageNumber: int = i32(12)
    Symbol: str = char(16, SYMBOL_LENGTH)
    Exchange: str = char(80, EXCHANGE_LENGTH)
    ServerOrderID: str = char(96, ORDER_ID_LENGTH)
    BuySell: int = i32(128)
    Price: float = f64(136)
    DateTime: int = i64(144)
    Quantity: float = f64(152)
    UniqueExecutionID: str = char(160, ORDER_FILL_EXECUTION_LENGTH)
    TradeAccount: str = char(224, TRADE_ACCOUNT_LENGTH)
    OpenClose: int = i32(256)
    NoOrderFills: int = u8(260)
    InfoText: str = char(261, TEXT_DESCRIPTION_LENGTH, free_text=True)
    HighPriceDuringPosition: float = f64(360)
    LowPriceDuringPosition: float = f64(368)
    PositionQuantity: float = f64(376, DBL_MAX)


@message(MessageType.HISTORICAL_ORDER_FILLS_REJECT, size=104)
class HistoricalOrderFillsReject(Message):
    RequestID: int = i32(4)
    RejectText: str = char(8, TEXT_DESCRIPTION_LENGTH, free_text=True)


@message(MessageType.CURRENT_POSITIONS_REQUEST, size=40)
class CurrentPositionsRequest(Message):
    RequestID: int = i32(4)
    TradeAccount: str = char(8, TRADE_ACCOUNT_LENGTH)


@message(MessageType.POSITION_UPDATE, size=240)
class PositionUpdate(Message):
    """Net position in one symbol: ``Quantity`` > 0 long, < 0 short. ``Unsolicited=1`` for real-time changes.

    ``NoPositions=1`` answers a request when the account is flat everywhere. ``EntryDateTime`` is uint32 seconds.
    """

    RequestID: int = i32(4)
    TotalNumberMessages: int = i32(8)
    MessageNumber: int = i32(12)
    Symbol: str = char(16, SYMBOL_LENGTH)
    Exchange: str = char(80, EXCHANGE_LENGTH)
    Quantity: float = f64(96)
    AveragePrice: float = f64(104)
    PositionIdentifier: str = char(112, ORDER_ID_LENGTH)
    TradeAccount: str = char(144, TRADE_ACCOUNT_LENGTH)
    NoPositions: int = u8(176)
    Unsolicited: int = u8(177)
    MarginRequirement: float = f64(184)
    EntryDateTime: int = u32(192)
    OpenProfitLoss: float = f64(200)
    HighPriceDuringPosition: float = f64(208)
    LowPriceDuringPosition: float = f64(216)
    QuantityLimit: float = f64(224)
    MaxPotentialPostionQuantity: float = f64(232)


@message(MessageType.CURRENT_POSITIONS_REJECT, size=104)
class CurrentPositionsReject(Message):
    RequestID: int = i32(4)
    RejectText: str = char(8, TEXT_DESCRIPTION_LENGTH, free_text=True)


# -------------------------------------------------------------------------------------------------- accounts


@message(MessageType.TRADE_ACCOUNTS_REQUEST, size=8)
class TradeAccountsRequest(Message):
    RequestID: int = i32(4)


@message(MessageType.TRADE_ACCOUNT_RESPONSE, size=48)
class TradeAccountResponse(Message):
    """One account per message; ``MessageNumber`` counts from 1 to ``TotalNumberMessages``."""

    TotalNumberMessages: int = i32(4)
    MessageNumber: int = i32(8)
    TradeAccount: str = char(12, TRADE_ACCOUNT_LENGTH)
    RequestID: int = i32(44)


# --------------------------------------------------------------------------------------------------- symbols


@message(MessageType.SECURITY_DEFINITION_FOR_SYMBOL_REQUEST, size=88)
class SecurityDefinitionForSymbolRequest(Message):
    """Does the server know ``Symbol`` (on ``Exchange``)? Answered by a RESPONSE or a REJECT with the RequestID."""

    RequestID: int = i32(4)
    Symbol: str = char(8, SYMBOL_LENGTH)
    Exchange: str = char(72, EXCHANGE_LENGTH)


@message(MessageType.SECURITY_DEFINITION_RESPONSE, size=432)
class SecurityDefinitionResponse(Message):
    """The server's definition of one symbol (the fields the adapter reads; the rest keep their zero bytes)."""

    RequestID: int = i32(4)
    Symbol: str = char(8, SYMBOL_LENGTH)
    Exchange: str = char(72, EXCHANGE_LENGTH)
    SecurityType: int = i32(88)
    Description: str = char(92, 64, free_text=True)
    MinPriceIncrement: float = f32(156)
    PriceDisplayFormat: int = i32(160)
    CurrencyValuePerIncrement: float = f32(164)
    IsFinalMessage: int = u8(168, 1)
    SecurityExpirationDate: int = u32(228)
    ExchangeSymbol: str = char(260, SYMBOL_LENGTH)
    Currency: str = char(332, 8)
    ContractSize: float = f32(340)


@message(MessageType.SECURITY_DEFINITION_REJECT, size=104)
class SecurityDefinitionReject(Message):
    RequestID: int = i32(4)
    RejectText: str = char(8, TEXT_DESCRIPTION_LENGTH, free_text=True)


# --------------------------------------------------------------------------------------------------- logging


@message(MessageType.USER_MESSAGE, size=262)
class UserMessage(Message):
    UserMessage: str = char(4, TEXT_MESSAGE_LENGTH, free_text=True)
    IsPopupMessage: int = u8(260, 1)


@message(MessageType.GENERAL_LOG_MESSAGE, size=132)
class GeneralLogMessage(Message):
    MessageText: str = char(4, 128, free_text=True)


@message(MessageType.ALERT_MESSAGE, size=164)
class AlertMessage(Message):
    MessageText: str = char(4, 128, free_text=True)
    TradeAccount: str = char(132, TRADE_ACCOUNT_LENGTH)
