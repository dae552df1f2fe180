from __future__ import annotations

import msgpack
import pytest

from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus, Side


def test_signal_payload_is_a_plain_messagepack_map_any_language_can_read() -> None:
    header, payload = codec.encode(
        MsgType.SIGNAL, m.Signal(client_id="c1", symbol="NQ", signal=1.0, confidence=0.85, qty=1)
    )
    assert header == b"SIGNAL/1"
    assert msgpack.unpackb(payload) == {
        "client_id": "c1",
        "symbol": "NQ",
        "signal": 1.0,
        "confidence": 0.85,
        "qty": 1.0,
    }


def test_market_data_ticks_travel_as_arrays_in_documented_field_order() -> None:
    md = m.MarketData(platform="nt8", ticks=[m.Tick("NQ 03-25", 21000.25, 21000.5, 21000.5, 3.0, 17)])
    _, payload = codec.encode(MsgType.MARKET_DATA, md)
    assert msgpack.unpackb(payload) == {
        "platform": "nt8",
        "ticks": [["NQ 03-25", 21000.25, 21000.5, 21000.5, 3.0, 17]],
        "roots_key": "",
    }


def test_payload_written_by_plain_msgpack_decodes_to_typed_message() -> None:
    payload = msgpack.packb({"leg_id": "o1.nt8", "fill_id": "E1", "qty": 1, "price": 21000.5, "extra": "ignored"})
    msg_type, msg = codec.Decoder(codec.PLATFORM_TO_GATEWAY).decode(b"FILL/1", payload)
    assert msg_type is MsgType.FILL
    assert msg == m.LegFill(leg_id="o1.nt8", fill_id="E1", qty=1.0, price=21000.5)


@pytest.mark.parametrize(
    ("header", "payload", "code", "hint"),
    [
        (b"SIGNAL", b"\x80", ErrorCode.BAD_FRAME, "TYPE/1"),
        (b"BOGUS/1", b"\x80", ErrorCode.UNKNOWN_TYPE, "supported: HELLO"),
        (b"SIGNAL/7", b"\x80", ErrorCode.UNSUPPORTED_VERSION, "supported versions: 1"),
        (b"SIGNAL/1", b"\xc1\xc1", ErrorCode.BAD_PAYLOAD, "not valid MessagePack"),
        (
            b"SIGNAL/1",
            msgpack.packb({"client_id": "c", "symbol": "NQ", "signal": 1}),
            ErrorCode.INVALID_FIELD,
            "missing required field `confidence`",
        ),
        (
            b"SIGNAL/1",
            msgpack.packb({"client_id": "c", "symbol": "NQ", "signal": "up", "confidence": 1}),
            ErrorCode.INVALID_FIELD,
            "$.signal",
        ),
        (b"ORDER/1", b"\x80", ErrorCode.UNKNOWN_TYPE, "not accepted on this socket"),
    ],
)
def test_bad_frames_raise_protocol_errors_that_say_what_to_send(
    header: bytes, payload: bytes, code: ErrorCode, hint: str
) -> None:
    with pytest.raises(ProtocolError) as err:
        codec.Decoder(codec.NEXUS_TO_GATEWAY).decode(header, payload)
    assert err.value.code == code
    assert hint in str(err.value)


def test_every_message_round_trips_through_its_direction_table() -> None:
    legs = [
        m.LegReport(
            platform="nt8",
            symbol="NQ 03-25",
            leg_id="o.nt8",
            qty=1,
            filled_qty=1,
            avg_price=2.0,
            status=OrderStatus.FILLED,
        )
    ]
    cases = [
        (
            codec.GATEWAY_TO_NEXUS,
            MsgType.FILL,
            m.FillReport(
                order_id="o",
                client_id="c",
                symbol="NQ",
                side=Side.BUY,
                qty=1,
                filled_qty=1,
                avg_price=2.0,
                status=OrderStatus.FILLED,
                legs=legs,
            ),
        ),
        (
            codec.GATEWAY_TO_PLATFORM,
            MsgType.ORDER,
            m.Order(leg_id="o.nt8", order_id="o", symbol="NQ 03-25", side=Side.SELL, qty=2),
        ),
        (
            codec.GATEWAY_TO_PLATFORM,
            MsgType.WELCOME,
            m.Welcome(
                gateway="g",
                version="1",
                profile="dev",
                heartbeat_interval_s=1.0,
                subscriptions=[m.Subscription(root="NQ", symbol="NQH25")],
            ),
        ),
        (
            codec.PLATFORM_TO_GATEWAY,
            MsgType.ORDER_UPDATE,
            m.LegUpdate(leg_id="o.nt8", status=OrderStatus.REJECTED, reason="no margin"),
        ),
        (codec.OPERATOR_TO_GATEWAY, MsgType.ADMIN, m.Admin(command="status")),
        (codec.GATEWAY_TO_OPERATOR, MsgType.STATUS, m.Status(ok=True, data={"a": 1})),
    ]
    for table, msg_type, msg in cases:
        assert codec.Decoder(table).decode(*codec.encode(msg_type, msg)) == (msg_type, msg)


def test_oversized_payload_is_refused() -> None:
    from nexus_gw.protocol.constants import MAX_PAYLOAD_BYTES

    with pytest.raises(ProtocolError) as err:
        codec.Decoder(codec.NEXUS_TO_GATEWAY).decode(b"SIGNAL/1", b"\x00" * (MAX_PAYLOAD_BYTES + 1))
    assert err.value.code == ErrorCode.BAD_FRAME
