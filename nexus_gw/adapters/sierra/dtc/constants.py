"""DTC protocol constants: message type numbers, enumerations, string lengths and "unset" sentinels.

Values follow the public-domain ``DTCProtocol.h`` at protocol version 8 (see
``shared/reference/platforms.md`` §1.2–1.3). Every table here is a named ``IntEnum`` so a log line or an
assertion prints ``OrderStatus.FILLED`` rather than a bare ``7``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

PROTOCOL_VERSION: Final = 8
"""DTC ``CURRENT_VERSION`` that this implementation speaks."""

PROTOCOL_TYPE: Final = "DTC"
"""Content of ``EncodingRequest.ProtocolType``."""

DBL_MAX: Final = 1.7976931348623157e308
"""C ``DBL_MAX``: the value DTC uses for "this double is not set"."""

FLT_MAX: Final = 3.4028234663852886e38
"""C ``FLT_MAX``: "not set" for the single-precision prices of the compact messages."""

UINT_MAX: Final = 0xFFFFFFFF
"""C ``UINT_MAX``: "not set" for ``SessionNumTrades`` and ``OpenInterest`` in a snapshot."""

HEADER_BYTES: Final = 4
"""Binary header: ``uint16 Size`` then ``uint16 Type``, little-endian."""

DEFAULT_MAX_FRAME_BYTES: Final = 16 * 1024
"""Largest frame a reader accepts (binary ``Size`` or one NUL-terminated JSON object), in bytes.

The largest fixed DTC v8 struct is 720 bytes (ORDER_UPDATE) and its JSON form is about 1.5 KiB, so a peer
that announces more than this is broken or hostile; the reader raises instead of buffering without bound.
"""

# Fixed char[N] lengths (bytes, including the terminating NUL).
USERNAME_PASSWORD_LENGTH: Final = 32
SYMBOL_LENGTH: Final = 64
EXCHANGE_LENGTH: Final = 16
ORDER_ID_LENGTH: Final = 32
TRADE_ACCOUNT_LENGTH: Final = 32
TEXT_DESCRIPTION_LENGTH: Final = 96
TEXT_MESSAGE_LENGTH: Final = 256
ORDER_FREE_FORM_TEXT_LENGTH: Final = 48
GENERAL_IDENTIFIER_LENGTH: Final = 64
ORDER_FILL_EXECUTION_LENGTH: Final = 64
PRICE_STRING_LENGTH: Final = 16
SYMBOL_EXCHANGE_DELIMITER_LENGTH: Final = 4


class MessageType(IntEnum):
    """DTC message type numbers (``uint16 Type``) for the messages this package encodes or decodes."""

    LOGON_REQUEST = 1
    LOGON_RESPONSE = 2
    HEARTBEAT = 3
    LOGOFF = 5
    ENCODING_REQUEST = 6
    ENCODING_RESPONSE = 7

    MARKET_DATA_FEED_STATUS = 100
    MARKET_DATA_REQUEST = 101
    MARKET_DEPTH_REQUEST = 102
    MARKET_DATA_REJECT = 103
    MARKET_DATA_SNAPSHOT = 104
    MARKET_DATA_UPDATE_TRADE = 107
    MARKET_DATA_UPDATE_BID_ASK = 108
    MARKET_DATA_UPDATE_TRADE_COMPACT = 112
    MARKET_DATA_UPDATE_SESSION_VOLUME = 113
    MARKET_DATA_UPDATE_SESSION_HIGH = 114
    MARKET_DATA_UPDATE_SESSION_LOW = 115
    MARKET_DATA_FEED_SYMBOL_STATUS = 116
    MARKET_DATA_UPDATE_BID_ASK_COMPACT = 117
    MARKET_DATA_UPDATE_SESSION_SETTLEMENT = 119
    MARKET_DATA_UPDATE_SESSION_OPEN = 120
    MARKET_DEPTH_REJECT = 121
    MARKET_DATA_UPDATE_OPEN_INTEREST = 124
    MARKET_DATA_UPDATE_LAST_TRADE_SNAPSHOT = 134
    MARKET_DATA_UPDATE_SESSION_NUM_TRADES = 135
    MARKET_DATA_UPDATE_TRADING_SESSION_DATE = 136
    MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR = 137
    TRADING_SYMBOL_STATUS = 138
    MARKET_DATA_UPDATE_TRADE_NO_TIMESTAMP = 142
    MARKET_DATA_UPDATE_BID_ASK_NO_TIMESTAMP = 143
    MARKET_DATA_UPDATE_BID_ASK_FLOAT_WITH_MICROSECONDS = 144
    MARKET_DATA_UPDATE_TRADE_WITH_UNBUNDLED_INDICATOR_2 = 146

    CANCEL_ORDER = 203
    CANCEL_REPLACE_ORDER = 204
    SUBMIT_NEW_SINGLE_ORDER = 208

    OPEN_ORDERS_REQUEST = 300
    ORDER_UPDATE = 301
    OPEN_ORDERS_REJECT = 302
    HISTORICAL_ORDER_FILLS_REQUEST = 303
    HISTORICAL_ORDER_FILL_RESPONSE = 304
    CURRENT_POSITIONS_REQUEST = 305
    POSITION_UPDATE = 306
    CURRENT_POSITIONS_REJECT = 307
    HISTORICAL_ORDER_FILLS_REJECT = 308

    TRADE_ACCOUNTS_REQUEST = 400
    TRADE_ACCOUNT_RESPONSE = 401

    SECURITY_DEFINITION_FOR_SYMBOL_REQUEST = 506
    SECURITY_DEFINITION_RESPONSE = 507
    SECURITY_DEFINITION_REJECT = 509

    USER_MESSAGE = 700
    GENERAL_LOG_MESSAGE = 701
    ALERT_MESSAGE = 702


class Encoding(IntEnum):
    """``EncodingEnum``: how messages are serialized on the socket."""

    BINARY = 0
    BINARY_WITH_VARIABLE_LENGTH_STRINGS = 1
    JSON = 2
    JSON_COMPACT = 3
    PROTOCOL_BUFFERS = 4


SUPPORTED_ENCODINGS: Final = frozenset({Encoding.BINARY, Encoding.JSON, Encoding.JSON_COMPACT})
"""Encodings this package can speak; any other one in an ENCODING_RESPONSE is a hard error."""


class LogonStatus(IntEnum):
    """``LogonStatusEnum`` carried in ``LogonResponse.Result``."""

    SUCCESS = 1
    ERROR = 2
    ERROR_NO_RECONNECT = 3
    RECONNECT_NEW_ADDRESS = 4


class RequestAction(IntEnum):
    """``RequestActionEnum`` of MARKET_DATA_REQUEST."""

    SUBSCRIBE = 1
    UNSUBSCRIBE = 2
    SNAPSHOT = 3
    SNAPSHOT_WITH_INTERVAL_UPDATES = 4


class OrderStatus(IntEnum):
    """``OrderStatusEnum`` (``ORDER_STATUS_*``) carried in ``OrderUpdate.OrderStatus``."""

    UNSPECIFIED = 0
    ORDER_SENT = 1
    PENDING_OPEN = 2
    PENDING_CHILD = 3
    OPEN = 4
    PENDING_CANCEL_REPLACE = 5
    PENDING_CANCEL = 6
    FILLED = 7
    CANCELED = 8
    REJECTED = 9
    PARTIALLY_FILLED = 10


class OrderUpdateReason(IntEnum):
    """``OrderUpdateReasonEnum``: why the server sent an ORDER_UPDATE."""

    UNSET = 0
    OPEN_ORDERS_REQUEST_RESPONSE = 1
    NEW_ORDER_ACCEPTED = 2
    GENERAL_ORDER_UPDATE = 3
    ORDER_FILLED = 4
    ORDER_FILLED_PARTIALLY = 5
    ORDER_CANCELED = 6
    ORDER_CANCEL_REPLACE_COMPLETE = 7
    NEW_ORDER_REJECTED = 8
    ORDER_CANCEL_REJECTED = 9
    ORDER_CANCEL_REPLACE_REJECTED = 10


class OrderType(IntEnum):
    """``OrderTypeEnum``. Price1 is the limit price (LIMIT) or the stop price (STOP, STOP_LIMIT)."""

    UNSET = 0
    MARKET = 1
    LIMIT = 2
    STOP = 3
    STOP_LIMIT = 4
    MARKET_IF_TOUCHED = 5
    LIMIT_IF_TOUCHED = 6
    MARKET_LIMIT = 7


class TimeInForce(IntEnum):
    """``TimeInForceEnum``."""

    UNSET = 0
    DAY = 1
    GOOD_TILL_CANCELED = 2
    GOOD_TILL_DATE_TIME = 3
    IMMEDIATE_OR_CANCEL = 4
    ALL_OR_NONE = 5
    FILL_OR_KILL = 6


class BuySell(IntEnum):
    """``BuySellEnum``."""

    UNSET = 0
    BUY = 1
    SELL = 2


class OpenClose(IntEnum):
    """``OpenCloseTradeEnum``."""

    UNSET = 0
    OPEN = 1
    CLOSE = 2


class AtBidOrAsk(IntEnum):
    """``AtBidOrAskEnum``: AT_BID means the seller was the aggressor, AT_ASK the buyer."""

    UNSET = 0
    AT_BID = 1
    AT_ASK = 2


class MarketDataFeedStatus(IntEnum):
    """``MarketDataFeedStatusEnum``."""

    UNSET = 0
    UNAVAILABLE = 1
    AVAILABLE = 2


class TradingStatus(IntEnum):
    """``TradingStatusEnum`` (int8)."""

    UNKNOWN = 0
    PRE_OPEN = 1
    OPEN = 2
    CLOSE = 3
    HALT = 4


# Named tables: how the session reacts to a value (lesson: venue codes live in tables, not in if-chains).

TERMINAL_ORDER_STATUSES: Final = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED})
"""An order in one of these states never changes again."""

WORKING_ORDER_STATUSES: Final = frozenset(
    {
        OrderStatus.ORDER_SENT,
        OrderStatus.PENDING_OPEN,
        OrderStatus.PENDING_CHILD,
        OrderStatus.OPEN,
        OrderStatus.PENDING_CANCEL_REPLACE,
        OrderStatus.PENDING_CANCEL,
        OrderStatus.PARTIALLY_FILLED,
    }
)
"""An order in one of these states may still fill; an open-orders request lists it."""

FILL_REASONS: Final = frozenset({OrderUpdateReason.ORDER_FILLED, OrderUpdateReason.ORDER_FILLED_PARTIALLY})
"""ORDER_UPDATE reasons whose ``LastFill*`` fields describe a new execution."""

LOGON_RETRYABLE: Final = frozenset({LogonStatus.ERROR})
"""Logon results after which reconnecting may help (only when the session is configured to retry)."""

LOGON_FINAL: Final = frozenset({LogonStatus.ERROR_NO_RECONNECT})
"""Logon results after which the client must not reconnect on its own."""
