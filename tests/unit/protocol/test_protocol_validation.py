"""The decoder's value rules and what the gateway always sends (issue 9: bad numbers, protocol contract)."""

from __future__ import annotations

import math

import msgspec
import pytest

from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus, Side

nexus = codec.Decoder(codec.NEXUS_TO_GATEWAY)
platform = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
SIGNAL = {"client_id": "c", "symbol": "NQ", "signal": 1.0, "confidence": 0.5}


def refused(decoder: codec.Decoder, header: bytes, payload: dict[str, object]) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        decoder.decode(header, msgspec.msgpack.encode(payload))
    return info.value


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"signal": math.nan}, "signal is nan"),
        ({"confidence": math.nan}, "confidence is nan"),
        ({"qty": math.inf}, "qty is inf"),
        ({"qty": 0.0}, "qty is 0.0"),
        ({"limit_price": -1.0}, "limit_price is -1.0"),
        ({"stop_price": math.nan}, "stop_price is nan"),
        ({"mqscore": {"noise": math.inf}}, "mqscore.noise is inf"),
        ({"ts_ns": 1.5e18}, "ts_ns must be a 64-bit integer"),
    ],
)
def test_signal_numbers_are_checked_by_the_decoder(change: dict[str, object], named: str) -> None:
    error = refused(nexus, b"SIGNAL/1", SIGNAL | change)
    assert error.code == ErrorCode.INVALID_FIELD and named in str(error)


@pytest.mark.parametrize(
    ("header", "payload", "named"),
    [
        (b"FILL/1", {"leg_id": "l", "fill_id": "f", "qty": 1.0, "price": math.nan}, "price is nan"),
        (b"FILL/1", {"leg_id": "l", "fill_id": "f", "qty": -1.0, "price": 1.0}, "qty is -1.0"),
        (b"MARKET_DATA/1", {"ticks": [["NQ", 1.0, 1.0, 1.0, 1.0, 0], ["NQ", 1.0, -2.0, 1.0, 1.0, 0]]}, "ticks[1].ask"),
        (b"MARKET_DATA/1", {"ticks": [["NQ", math.nan, 1.0, 1.0, 1.0, 0]], "roots_key": "k"}, "ticks[0].bid is nan"),
        (b"MARKET_DATA/1", {"ticks": [["NQ", 1.0, 1.0, 1.0, math.inf, 0]]}, "ticks[0].size is inf"),
        (b"MARKET_DATA/1", {"ticks": [["NQ", "1.0", 1.0, 1.0, 1.0, 0]]}, "Expected `float`, got `str`"),
        (b"POSITION/1", {"positions": {"NQ": math.inf}}, "positions['NQ'] is inf"),
        (
            b"HELLO/1",
            {
                "role": "platform",
                "name": "x",
                "report": {"executions": [{"leg_id": "l", "fill_id": "f", "qty": 1.0, "price": math.inf}]},
            },
            "report.executions[0].price is inf",
        ),
    ],
)
def test_platform_numbers_are_checked_by_the_decoder(header: bytes, payload: dict[str, object], named: str) -> None:
    assert named in str(refused(platform, header, payload))


def test_a_float_heartbeat_ts_ns_is_accepted_as_an_integer() -> None:
    _, beat = nexus.decode(b"HEARTBEAT/1", msgspec.msgpack.encode({"ts_ns": 1.7640000000000001e18}))
    assert isinstance(beat, m.Heartbeat) and beat.ts_ns == int(1.7640000000000001e18)
    assert "ts_ns" in str(refused(nexus, b"HEARTBEAT/1", {"ts_ns": math.inf}))


def test_deep_nesting_is_a_bad_payload_not_a_crash() -> None:
    with pytest.raises(ProtocolError) as info:
        nexus.decode(b"HEARTBEAT/1", b"\x81\xa1x" + b"\x91" * 100_000 + b"\xc0")
    assert info.value.code == ErrorCode.BAD_PAYLOAD


def test_the_client_id_is_recovered_from_an_invalid_payload() -> None:
    assert codec.recover_ref(msgspec.msgpack.encode({"client_id": "c-9", "signal": "x"})) == "c-9"
    assert codec.recover_ref(msgspec.msgpack.encode({"client_id": 5})) == ""
    assert codec.recover_ref(b"\xc1garbage") == ""


def test_gateway_to_engine_messages_carry_every_field_and_float_quantities() -> None:
    update = m.OrderUpdate(
        order_id="o", client_id="c", symbol="NQ", side=Side.BUY, status=OrderStatus.SENT, qty=3, filled_qty=0
    )
    wire = msgspec.msgpack.decode(codec.encode(MsgType.ORDER_UPDATE, update)[1])
    assert {"final", "avg_price", "reason", "legs", "filled_qty"} <= set(wire)
    assert wire["avg_price"] is None and wire["final"] is False and wire["reason"] == ""
    assert isinstance(wire["filled_qty"], float) and isinstance(wire["qty"], float)
    error = msgspec.msgpack.decode(codec.encode(MsgType.ERROR, m.Error(code="X", message="y"))[1])
    assert error["ref"] == ""
