"""Binary DTC encoding checked against byte layouts written out by hand from dtc-v8-struct-layout.txt.

Expected bytes are built here with ``bytearray(size)`` and ``struct.pack_into`` at the offsets listed in the
layout file, never with the codec's own tables, so a wrong offset in ``messages.py`` fails these tests.
"""

from __future__ import annotations

import struct

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.binary import decode_binary, encode_binary
from nexus_gw.adapters.sierra.dtc.constants import (
    DBL_MAX,
    FLT_MAX,
    UINT_MAX,
    AtBidOrAsk,
    BuySell,
    Encoding,
    LogonStatus,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
    TimeInForce,
)
from nexus_gw.adapters.sierra.dtc.wire import ERR_FIELD, UnknownMessageType
from nexus_gw.errors import ProtocolError


def blank(size: int, type_: int) -> bytearray:
    buf = bytearray(size)
    struct.pack_into("<HH", buf, 0, size, type_)
    return buf


def put(buf: bytearray, offset: int, fmt: str, value: object) -> None:
    struct.pack_into("<" + fmt, buf, offset, value)


def put_text(buf: bytearray, offset: int, text: str) -> None:
    data = text.encode()
    buf[offset : offset + len(data)] = data


# ----------------------------------------------------------------------------------------- reference example


def test_encoding_request_for_json_matches_the_reference_bytes() -> None:
    expected = bytes.fromhex("10 00 06 00 08 00 00 00 02 00 00 00 44 54 43 00")
    assert encode_binary(m.EncodingRequest(Encoding=Encoding.JSON)) == expected
    assert decode_binary(expected) == m.EncodingRequest(ProtocolVersion=8, Encoding=2, ProtocolType="DTC")


def test_encoding_response_is_16_bytes_with_type_7() -> None:
    data = encode_binary(m.EncodingResponse(Encoding=Encoding.BINARY))
    assert data == bytes.fromhex("10 00 07 00 08 00 00 00 00 00 00 00 44 54 43 00")


# ------------------------------------------------------------------------------------------------ session


def test_logon_request_layout() -> None:
    msg = m.LogonRequest(
        Username="trader",
        Password="s3cret",
        GeneralTextData="gtd",
        Integer_1=2,
        Integer_2=-7,
        HeartbeatIntervalInSeconds=10,
        TradeAccount="Sim1",
        HardwareIdentifier="hw",
        ClientName="nexusgw",
        MarketDataTransmissionInterval=250,
    )
    exp = blank(284, 1)
    put(exp, 4, "i", 8)
    put_text(exp, 8, "trader")
    put_text(exp, 40, "s3cret")
    put_text(exp, 72, "gtd")
    put(exp, 136, "i", 2)
    put(exp, 140, "i", -7)
    put(exp, 144, "i", 10)
    put_text(exp, 152, "Sim1")
    put_text(exp, 184, "hw")
    put_text(exp, 248, "nexusgw")
    put(exp, 280, "i", 250)
    assert encode_binary(msg) == bytes(exp)
    assert decode_binary(bytes(exp)) == msg


def test_logon_response_flags_and_defaults() -> None:
    exp = blank(256, 2)
    put(exp, 4, "i", 8)
    put(exp, 8, "i", LogonStatus.SUCCESS)
    put_text(exp, 12, "welcome")
    put_text(exp, 176, "SC DTC")
    exp[237] = 1  # TradingIsSupported
    exp[239] = 1  # OrderCancelReplaceSupported (Clear() default 1)
    exp[247] = 1  # MarketDepthIsSupported (Clear() default 1)
    exp[252] = 1  # MarketDataSupported (Clear() default 1)
    msg = m.LogonResponse(Result=LogonStatus.SUCCESS, ResultText="welcome", ServerName="SC DTC", TradingIsSupported=1)
    assert encode_binary(msg) == bytes(exp)
    decoded = decode_binary(bytes(exp))
    assert isinstance(decoded, m.LogonResponse)
    assert (decoded.Result, decoded.TradingIsSupported, decoded.MarketDataSupported) == (1, 1, 1)


def test_heartbeat_and_logoff_layouts() -> None:
    hb = blank(16, 3)
    put(hb, 4, "I", 3)
    put(hb, 8, "q", 1_700_000_000)
    assert encode_binary(m.Heartbeat(NumDroppedMessages=3, CurrentDateTime=1_700_000_000)) == bytes(hb)

    off = blank(102, 5)
    put_text(off, 4, "bye")
    off[100] = 1
    assert encode_binary(m.Logoff(Reason="bye", DoNotReconnect=1)) == bytes(off)


# -------------------------------------------------------------------------------------------- market data


def test_market_data_request_layout() -> None:
    exp = blank(96, 101)
    put(exp, 4, "i", 1)
    put(exp, 8, "I", 7)
    put_text(exp, 12, "NQH25_FUT_CME")
    put_text(exp, 76, "CME")
    put(exp, 92, "I", 500)
    msg = m.MarketDataRequest(
        SymbolID=7, Symbol="NQH25_FUT_CME", Exchange="CME", IntervalForSnapshotUpdatesInMilliseconds=500
    )
    assert encode_binary(msg) == bytes(exp)


def test_market_data_snapshot_defaults_are_dbl_max_and_uint_max() -> None:
    exp = blank(144, 104)
    put(exp, 4, "I", 9)
    for offset in (8, 16, 24, 32, 40, 56, 64, 72, 80, 88, 96):
        put(exp, offset, "d", DBL_MAX)
    put(exp, 48, "I", UINT_MAX)
    put(exp, 52, "I", UINT_MAX)
    assert encode_binary(m.MarketDataSnapshot(SymbolID=9)) == bytes(exp)


def test_market_data_snapshot_ask_quantity_comes_before_bid_quantity() -> None:
    exp = blank(144, 104)
    put(exp, 4, "I", 1)
    for offset in (8, 16, 24, 32, 40, 88, 96):
        put(exp, offset, "d", DBL_MAX)
    put(exp, 48, "I", UINT_MAX)
    put(exp, 52, "I", UINT_MAX)
    put(exp, 56, "d", 100.25)  # BidPrice
    put(exp, 64, "d", 100.5)  # AskPrice
    put(exp, 72, "d", 7.0)  # AskQuantity
    put(exp, 80, "d", 3.0)  # BidQuantity
    put(exp, 104, "d", 1_700_000_000.5)
    exp[128] = 2  # TradingStatus OPEN
    put(exp, 136, "d", 1.5)
    decoded = decode_binary(bytes(exp))
    assert isinstance(decoded, m.MarketDataSnapshot)
    assert (decoded.BidPrice, decoded.AskPrice, decoded.AskQuantity, decoded.BidQuantity) == (100.25, 100.5, 7.0, 3.0)
    assert decoded.LastTradeDateTime == 1_700_000_000.5
    assert decoded.TradingStatus == 2
    assert decoded.MarketDepthUpdateDateTime == 1.5
    assert decoded.SessionNumTrades == UINT_MAX


def test_trade_and_bid_ask_layouts() -> None:
    trade = blank(40, 107)
    put(trade, 4, "I", 3)
    put(trade, 8, "H", AtBidOrAsk.AT_ASK)
    put(trade, 16, "d", 21000.25)
    put(trade, 24, "d", 4.0)
    put(trade, 32, "d", 1_700_000_000.125)
    msg = m.MarketDataUpdateTrade(SymbolID=3, AtBidOrAsk=2, Price=21000.25, Volume=4.0, DateTime=1_700_000_000.125)
    assert encode_binary(msg) == bytes(trade)

    quote = blank(40, 108)
    put(quote, 4, "I", 3)
    put(quote, 8, "d", 21000.0)
    put(quote, 16, "f", 12.0)
    put(quote, 24, "d", 21000.25)
    put(quote, 32, "f", 9.0)
    put(quote, 36, "I", 1_700_000_000)
    msg2 = m.MarketDataUpdateBidAsk(
        SymbolID=3, BidPrice=21000.0, BidQuantity=12.0, AskPrice=21000.25, AskQuantity=9.0, DateTime=1_700_000_000
    )
    assert encode_binary(msg2) == bytes(quote)
    assert m.MarketDataUpdateBidAsk().BidPrice == DBL_MAX


@pytest.mark.parametrize(
    ("size", "type_", "fields", "cls", "expected"),
    [
        (
            24,
            112,
            [(4, "f", 5000.5), (8, "f", 2.0), (12, "I", 1_700_000_001), (16, "I", 4), (20, "H", 1)],
            m.MarketDataUpdateTradeCompact,
            {"Price": 5000.5, "Volume": 2.0, "DateTime": 1_700_000_001, "SymbolID": 4, "AtBidOrAsk": 1},
        ),
        (
            28,
            117,
            [(4, "f", 99.5), (8, "f", 3.0), (12, "f", FLT_MAX), (16, "f", 0.0), (20, "I", 5), (24, "I", 6)],
            m.MarketDataUpdateBidAskCompact,
            {"BidPrice": 99.5, "BidQuantity": 3.0, "AskPrice": FLT_MAX, "DateTime": 5, "SymbolID": 6},
        ),
        (
            27,
            146,
            [(4, "I", 8), (8, "f", 1.5), (12, "I", 30), (16, "q", 1_700_000_000_123_456), (24, "B", 2), (25, "b", 1)],
            m.MarketDataUpdateTradeWithUnbundledIndicator2,
            {"SymbolID": 8, "Price": 1.5, "Volume": 30, "DateTime": 1_700_000_000_123_456, "AtBidOrAsk": 2},
        ),
        (
            19,
            142,
            [(4, "I", 8), (8, "f", 2.5), (12, "I", 11), (16, "B", 1), (17, "b", 2), (18, "b", 0)],
            m.MarketDataUpdateTradeNoTimestamp,
            {"SymbolID": 8, "Price": 2.5, "Volume": 11, "AtBidOrAsk": 1, "UnbundledTradeIndicator": 2},
        ),
        (
            24,
            143,
            [(4, "I", 8), (8, "f", 10.0), (12, "I", 4), (16, "f", 10.5), (20, "I", 6)],
            m.MarketDataUpdateBidAskNoTimestamp,
            {"BidPrice": 10.0, "BidQuantity": 4, "AskPrice": 10.5, "AskQuantity": 6},
        ),
        (
            32,
            144,
            [(4, "I", 8), (8, "f", 10.0), (12, "f", 4.0), (16, "f", 10.5), (20, "f", 6.0), (24, "q", 17)],
            m.MarketDataUpdateBidAskFloatWithMicroseconds,
            {"BidPrice": 10.0, "BidQuantity": 4.0, "AskPrice": 10.5, "AskQuantity": 6.0, "DateTime": 17},
        ),
    ],
    ids=[
        "trade-compact-112",
        "bid-ask-compact-117",
        "trade-unbundled2-146",
        "trade-no-ts-142",
        "bid-ask-no-ts-143",
        "bid-ask-float-us-144",
    ],
)
def test_compact_and_packed_variants_decode_from_hand_built_bytes(
    size: int, type_: int, fields: list[tuple[int, str, object]], cls: type, expected: dict[str, object]
) -> None:
    buf = blank(size, type_)
    for offset, fmt, value in fields:
        put(buf, offset, fmt, value)
    decoded = decode_binary(bytes(buf))
    assert isinstance(decoded, cls)
    for name, value in expected.items():
        assert getattr(decoded, name) == value
    assert encode_binary(decoded) == bytes(buf)


# ------------------------------------------------------------------------------------------------ trading


def test_submit_new_single_order_layout() -> None:
    msg = m.SubmitNewSingleOrder(
        Symbol="NQH25_FUT_CME",
        Exchange="",
        TradeAccount="Sim1",
        ClientOrderID="leg-42",
        OrderType=OrderType.STOP_LIMIT,
        BuySell=BuySell.SELL,
        Price1=20990.0,
        Price2=20989.75,
        Quantity=3.0,
        TimeInForce=TimeInForce.GOOD_TILL_CANCELED,
        GoodTillDateTime=0,
        IsAutomatedOrder=1,
        FreeFormText="nexus",
    )
    exp = blank(296, 208)
    put_text(exp, 4, "NQH25_FUT_CME")
    put_text(exp, 84, "Sim1")
    put_text(exp, 116, "leg-42")
    put(exp, 148, "i", 4)
    put(exp, 152, "i", 2)
    put(exp, 160, "d", 20990.0)
    put(exp, 168, "d", 20989.75)
    put(exp, 176, "d", 3.0)
    put(exp, 184, "i", 2)
    exp[200] = 1
    put_text(exp, 202, "nexus")
    assert encode_binary(msg) == bytes(exp)
    assert decode_binary(bytes(exp)) == msg


def test_cancel_order_layout() -> None:
    exp = blank(100, 203)
    put_text(exp, 4, "S-17")
    put_text(exp, 36, "leg-42")
    put_text(exp, 68, "Sim1")
    assert encode_binary(m.CancelOrder(ServerOrderID="S-17", ClientOrderID="leg-42", TradeAccount="Sim1")) == bytes(exp)


def test_order_update_decodes_fill_fields_at_their_offsets() -> None:
    buf = blank(720, 301)
    put(buf, 4, "i", 0)
    put(buf, 8, "i", 1)
    put(buf, 12, "i", 1)
    put_text(buf, 16, "ESH25")
    put_text(buf, 128, "S-1")
    put_text(buf, 160, "C-1")
    put(buf, 224, "i", OrderStatus.PARTIALLY_FILLED)
    put(buf, 228, "i", OrderUpdateReason.ORDER_FILLED_PARTIALLY)
    put(buf, 232, "i", OrderType.LIMIT)
    put(buf, 236, "i", BuySell.BUY)
    put(buf, 240, "d", 6000.0)
    put(buf, 248, "d", DBL_MAX)
    put(buf, 256, "i", TimeInForce.DAY)
    put(buf, 272, "d", 5.0)
    put(buf, 280, "d", 2.0)
    put(buf, 288, "d", 3.0)
    put(buf, 296, "d", 5999.875)
    put(buf, 304, "d", 5999.75)
    put(buf, 312, "q", 1_700_000_000_250)
    put(buf, 320, "d", 1.0)
    put_text(buf, 328, "EXEC-9")
    put_text(buf, 392, "Sim1")
    put_text(buf, 424, "partial")
    put(buf, 588, "i", 1)
    put(buf, 672, "q", 1_700_000_000_000)
    put(buf, 680, "d", 1_700_000_000.25)
    put_text(buf, 688, "trader")
    msg = decode_binary(bytes(buf))
    assert isinstance(msg, m.OrderUpdate)
    assert (msg.Symbol, msg.ServerOrderID, msg.ClientOrderID) == ("ESH25", "S-1", "C-1")
    assert (msg.OrderStatus, msg.OrderUpdateReason, msg.OrderType, msg.BuySell) == (10, 5, 2, 1)
    assert (msg.OrderQuantity, msg.FilledQuantity, msg.RemainingQuantity) == (5.0, 2.0, 3.0)
    assert (msg.AverageFillPrice, msg.LastFillPrice, msg.LastFillQuantity) == (5999.875, 5999.75, 1.0)
    assert msg.LastFillDateTime == 1_700_000_000_250
    assert (msg.LastFillExecutionID, msg.TradeAccount, msg.InfoText) == ("EXEC-9", "Sim1", "partial")
    assert msg.Price2 == DBL_MAX
    assert (msg.OpenOrClose, msg.OrderReceivedDateTime, msg.Username) == (1, 1_700_000_000_000, "trader")
    assert encode_binary(msg) == bytes(buf)


def test_order_update_clear_defaults_are_dbl_max() -> None:
    data = encode_binary(m.OrderUpdate())
    for offset in (240, 248, 272, 280, 288, 296, 304, 320):
        assert struct.unpack_from("<d", data, offset)[0] == DBL_MAX


def test_position_update_and_trade_account_layouts() -> None:
    pos = blank(240, 306)
    put(pos, 4, "i", 5)
    put(pos, 8, "i", 2)
    put(pos, 12, "i", 1)
    put_text(pos, 16, "NQH25")
    put(pos, 96, "d", -2.0)
    put(pos, 104, "d", 21001.5)
    put_text(pos, 144, "Sim1")
    pos[177] = 0
    decoded = decode_binary(bytes(pos))
    assert isinstance(decoded, m.PositionUpdate)
    assert (decoded.RequestID, decoded.TotalNumberMessages, decoded.MessageNumber) == (5, 2, 1)
    assert (decoded.Quantity, decoded.AveragePrice, decoded.TradeAccount) == (-2.0, 21001.5, "Sim1")

    acct = blank(48, 401)
    put(acct, 4, "i", 2)
    put(acct, 8, "i", 1)
    put_text(acct, 12, "Sim1")
    put(acct, 44, "i", 77)
    msg = m.TradeAccountResponse(TotalNumberMessages=2, MessageNumber=1, TradeAccount="Sim1", RequestID=77)
    assert encode_binary(msg) == bytes(acct)


def test_requests_for_open_orders_fills_and_positions() -> None:
    oo = blank(76, 300)
    put(oo, 4, "i", 11)
    put(oo, 8, "i", 1)
    put_text(oo, 44, "Sim1")
    assert encode_binary(m.OpenOrdersRequest(RequestID=11, TradeAccount="Sim1")) == bytes(oo)

    hf = blank(88, 303)
    put(hf, 4, "i", 12)
    put(hf, 40, "i", 3)
    put_text(hf, 44, "Sim1")
    put(hf, 80, "q", 0)
    assert encode_binary(m.HistoricalOrderFillsRequest(RequestID=12, NumberOfDays=3, TradeAccount="Sim1")) == bytes(hf)

    cp = blank(40, 305)
    put(cp, 4, "i", 13)
    put_text(cp, 8, "Sim1")
    assert encode_binary(m.CurrentPositionsRequest(RequestID=13, TradeAccount="Sim1")) == bytes(cp)

    ta = blank(8, 400)
    put(ta, 4, "i", 14)
    assert encode_binary(m.TradeAccountsRequest(RequestID=14)) == bytes(ta)


def test_historical_fill_response_layout() -> None:
    buf = blank(384, 304)
    put(buf, 4, "i", 12)
    put(buf, 8, "i", 1)
    put(buf, 12, "i", 1)
    put_text(buf, 16, "NQH25")
    put_text(buf, 96, "S-1")
    put(buf, 128, "i", 2)
    put(buf, 136, "d", 21000.5)
    put(buf, 144, "q", 1_700_000_000)
    put(buf, 152, "d", 2.0)
    put_text(buf, 160, "EXEC-1")
    put_text(buf, 224, "Sim1")
    put(buf, 256, "i", 1)
    buf[260] = 0
    put(buf, 376, "d", -2.0)
    msg = decode_binary(bytes(buf))
    assert isinstance(msg, m.HistoricalOrderFillResponse)
    assert (msg.Price, msg.DateTime, msg.Quantity, msg.UniqueExecutionID) == (21000.5, 1_700_000_000, 2.0, "EXEC-1")
    assert (msg.BuySell, msg.OpenClose, msg.PositionQuantity) == (2, 1, -2.0)


# ---------------------------------------------------------------------------------------------- strings


def test_strings_are_nul_terminated_and_nul_padded() -> None:
    data = encode_binary(m.CancelOrder(ServerOrderID="ABC"))
    assert data[4:36] == b"ABC" + b"\0" * 29


def test_identifier_of_exactly_n_minus_1_bytes_fits() -> None:
    cid = "x" * 31
    data = encode_binary(m.CancelOrder(ClientOrderID=cid))
    assert data[36:67] == cid.encode() and data[67] == 0
    decoded = decode_binary(data)
    assert isinstance(decoded, m.CancelOrder) and decoded.ClientOrderID == cid


def test_overlong_identifier_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ProtocolError) as err:
        encode_binary(m.CancelOrder(ClientOrderID="x" * 32))
    assert err.value.code == ERR_FIELD
    assert "ClientOrderID" in str(err.value) and "at most 31" in str(err.value)


def test_overlong_free_text_is_cut_to_n_minus_1_bytes_on_a_character_boundary() -> None:
    data = encode_binary(m.Logoff(Reason="é" * 60))  # 120 bytes of UTF-8 for a char[96] (95 usable)
    assert data[4:98] == ("é" * 47).encode()  # 94 bytes: the 48th "é" would be split, so it is dropped
    assert data[98:100] == b"\0\0"
    decoded = decode_binary(data)
    assert isinstance(decoded, m.Logoff)
    assert decoded.Reason == "é" * 47


def test_reader_stops_a_string_at_the_first_nul_and_tolerates_a_full_field() -> None:
    buf = blank(100, 203)
    buf[4:36] = b"Z" * 32  # no terminator at all: the reader takes the 32 bytes
    put_text(buf, 36, "abc")
    buf[40] = ord("q")  # garbage after the terminator is ignored
    decoded = decode_binary(bytes(buf))
    assert isinstance(decoded, m.CancelOrder)
    assert decoded.ServerOrderID == "Z" * 32
    assert decoded.ClientOrderID == "abc"


def test_numbers_are_little_endian() -> None:
    data = encode_binary(m.MarketDataRequest(SymbolID=0x01020304))
    assert data[8:12] == bytes([4, 3, 2, 1])
    assert data[0:4] == bytes([96, 0, 101, 0])


def test_out_of_range_integer_is_refused() -> None:
    with pytest.raises(ProtocolError, match="SymbolID"):
        encode_binary(m.MarketDataRequest(SymbolID=-1))


# ---------------------------------------------------------------------------------------- compatibility


def test_older_peer_shorter_size_keeps_defaults_for_missing_fields() -> None:
    full = bytearray(encode_binary(m.OrderUpdate(ServerOrderID="S-1", OrderStatus=OrderStatus.OPEN, OrderQuantity=2.0)))
    short = full[:280]  # ends right after OrderQuantity (272..280)
    put(short, 0, "H", 280)
    decoded = decode_binary(bytes(short))
    assert isinstance(decoded, m.OrderUpdate)
    assert decoded.ServerOrderID == "S-1" and decoded.OrderQuantity == 2.0
    assert decoded.FilledQuantity == DBL_MAX  # not on the wire: Clear() default
    assert decoded.TradeAccount == ""


def test_field_cut_by_a_short_size_is_treated_as_missing() -> None:
    buf = blank(12, 104)  # MarketDataSnapshot cut inside SessionSettlementPrice (8..16)
    put(buf, 4, "I", 5)
    buf[8:12] = b"\xff\xff\xff\xff"
    decoded = decode_binary(bytes(buf))
    assert isinstance(decoded, m.MarketDataSnapshot)
    assert decoded.SymbolID == 5 and decoded.SessionSettlementPrice == DBL_MAX


def test_newer_peer_larger_size_ignores_trailing_bytes() -> None:
    data = bytearray(encode_binary(m.Heartbeat(NumDroppedMessages=1, CurrentDateTime=99)))
    data += b"\xaa" * 24
    put(data, 0, "H", len(data))
    decoded = decode_binary(bytes(data))
    assert decoded == m.Heartbeat(NumDroppedMessages=1, CurrentDateTime=99)


def test_unknown_type_raises_unknown_message_type() -> None:
    buf = blank(8, 9999)
    with pytest.raises(UnknownMessageType) as err:
        decode_binary(bytes(buf))
    assert err.value.message_type == 9999


def test_frame_shorter_than_its_size_is_truncated() -> None:
    data = encode_binary(m.Heartbeat())
    with pytest.raises(ProtocolError, match="Size=16 but 10 bytes"):
        decode_binary(data[:10])
    with pytest.raises(ProtocolError, match="fewer than the 4-byte"):
        decode_binary(data[:3])
