"""DTC JSON encoding: member names, NUL framing, round trips, compact form, tolerance and errors."""

from __future__ import annotations

import json

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.codec import codec_for, parse_encoding_name
from nexus_gw.adapters.sierra.dtc.constants import DBL_MAX, BuySell, Encoding, OrderStatus
from nexus_gw.adapters.sierra.dtc.json_codec import decode_json, encode_json
from nexus_gw.adapters.sierra.dtc.wire import ERR_ENCODING, ERR_FIELD, ERR_JSON, UnknownMessageType
from nexus_gw.errors import ProtocolError


def test_logon_request_json_uses_cpp_member_names_and_one_nul_terminator() -> None:
    data = encode_json(m.LogonRequest(Username="trader", Password="pw", HeartbeatIntervalInSeconds=5))
    assert data.endswith(b"}\0") and data.count(b"\0") == 1
    obj = json.loads(data[:-1])
    assert obj["Type"] == 1
    assert obj["ProtocolVersion"] == 8
    assert obj["Username"] == "trader" and obj["Password"] == "pw"
    assert obj["HeartbeatIntervalInSeconds"] == 5
    assert "Size" not in obj


@pytest.mark.parametrize(
    "msg",
    [
        m.EncodingRequest(Encoding=Encoding.JSON),
        m.LogonResponse(Result=1, ResultText="ok", ServerName="SC", TradingIsSupported=1),
        m.Heartbeat(NumDroppedMessages=2, CurrentDateTime=1_700_000_000),
        m.MarketDataRequest(SymbolID=3, Symbol="NQH25_FUT_CME"),
        m.MarketDataSnapshot(SymbolID=3, BidPrice=21000.0, AskPrice=21000.25),
        m.MarketDataUpdateTrade(SymbolID=3, AtBidOrAsk=2, Price=21000.25, Volume=1.0, DateTime=1.5),
        m.SubmitNewSingleOrder(
            Symbol="NQH25",
            TradeAccount="Sim1",
            ClientOrderID="c1",
            OrderType=1,
            BuySell=1,
            Quantity=2.0,
            IsAutomatedOrder=1,
        ),
        m.OrderUpdate(ServerOrderID="S1", OrderStatus=OrderStatus.FILLED, FilledQuantity=2.0, InfoText="ñ ok"),
        m.PositionUpdate(Symbol="NQH25", Quantity=-1.0, AveragePrice=21000.5, Unsolicited=1),
        m.TradeAccountResponse(TotalNumberMessages=1, MessageNumber=1, TradeAccount="Sim1", RequestID=4),
    ],
    ids=lambda msg: type(msg).__name__,
)
@pytest.mark.parametrize("compact", [False, True], ids=["json", "compact"])
def test_round_trip(msg: m.Message, compact: bool) -> None:
    data = encode_json(msg, compact=compact)
    assert data[-1:] == b"\0"
    assert decode_json(data[:-1]) == msg


def test_unset_doubles_travel_as_dbl_max() -> None:
    obj = json.loads(encode_json(m.OrderUpdate())[:-1])
    assert obj["AverageFillPrice"] == DBL_MAX


def test_missing_members_keep_defaults_and_unknown_members_are_ignored() -> None:
    msg = decode_json(b'{"Type":301,"ServerOrderID":"S9","SomethingNew":42}')
    assert isinstance(msg, m.OrderUpdate)
    assert msg.ServerOrderID == "S9"
    assert msg.FilledQuantity == DBL_MAX
    assert msg.TradeAccount == ""


def test_integers_accepted_for_doubles_and_booleans_for_flags() -> None:
    msg = decode_json(b'{"Type":306,"Quantity":2,"NoPositions":false,"Unsolicited":true}')
    assert isinstance(msg, m.PositionUpdate)
    assert msg.Quantity == 2.0 and isinstance(msg.Quantity, float)
    assert (msg.NoPositions, msg.Unsolicited) == (0, 1)


def test_compact_form_with_fewer_values_keeps_defaults() -> None:
    msg = decode_json(b'{"Type":3,"F":[4]}')
    assert msg == m.Heartbeat(NumDroppedMessages=4, CurrentDateTime=0)


@pytest.mark.parametrize(
    ("frame", "code", "fragment"),
    [
        (b"{not json", ERR_JSON, "not valid UTF-8 JSON"),
        (b"[1,2]", ERR_JSON, "must be an object"),
        (b'{"Symbol":"NQ"}', ERR_JSON, '"Type"'),
        (b'{"Type":"3"}', ERR_JSON, '"Type"'),
        (b'{"Type":3,"CurrentDateTime":"soon"}', ERR_FIELD, "CurrentDateTime"),
        (b'{"Type":101,"Symbol":5}', ERR_FIELD, "Symbol"),
        (b"\xff\xfe", ERR_JSON, "UTF-8"),
    ],
)
def test_bad_frames_raise_protocol_error(frame: bytes, code: str, fragment: str) -> None:
    with pytest.raises(ProtocolError) as err:
        decode_json(frame)
    assert err.value.code == code
    assert fragment in str(err.value)


def test_unknown_type_raises_unknown_message_type() -> None:
    with pytest.raises(UnknownMessageType) as err:
        decode_json(b'{"Type":508}')
    assert err.value.message_type == 508


def test_encoder_refuses_non_finite_numbers_and_overlong_identifiers() -> None:
    with pytest.raises(ProtocolError, match="not finite"):
        encode_json(m.SubmitNewSingleOrder(Price1=float("nan")))
    with pytest.raises(ProtocolError, match="Symbol"):
        encode_json(m.SubmitNewSingleOrder(Symbol="N" * 64))
    with pytest.raises(ProtocolError, match="outside its C type range"):
        encode_json(m.SubmitNewSingleOrder(BuySell=2**31))


def test_codec_facade_and_encoding_names() -> None:
    codec = codec_for(Encoding.JSON)
    assert codec.decode(codec.encode(m.Heartbeat(CurrentDateTime=1))[:-1]) == m.Heartbeat(CurrentDateTime=1)
    assert parse_encoding_name("Json") is Encoding.JSON
    assert parse_encoding_name("binary") is Encoding.BINARY
    with pytest.raises(ProtocolError) as err:
        codec_for(Encoding.PROTOCOL_BUFFERS)
    assert err.value.code == ERR_ENCODING and "Automatic" in str(err.value)
    with pytest.raises(ProtocolError, match="choose one of"):
        parse_encoding_name("xml")


def test_side_enum_encodes_as_plain_integer() -> None:
    obj = json.loads(encode_json(m.SubmitNewSingleOrder(BuySell=BuySell.SELL))[:-1])
    assert obj["BuySell"] == 2
