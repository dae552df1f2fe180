"""Signal size and finiteness rules, as pure functions and as a property of the decoder."""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_gw.domain.risk.config import LimitsConfig
from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.server.signal_limits import largest_signal_qty, oversized_message, signal_problem

decoder = codec.Decoder(codec.NEXUS_TO_GATEWAY)
NUMBER_FIELDS = ("signal", "confidence", "qty", "limit_price", "stop_price")


def test_the_largest_signal_is_a_full_reversal_at_the_position_limit() -> None:
    limits = LimitsConfig(max_position_per_symbol=3, per_symbol={"MNQ": 5, "ES": 0}, max_total_positions=10)
    assert largest_signal_qty(limits, "NQ") == 6
    assert largest_signal_qty(limits, "MNQ") == 10
    assert largest_signal_qty(limits, "ES") is None  # may not trade at all: the risk engine says why
    assert "send qty <= 6" in oversized_message(1e308, "NQ", 6)


def test_a_desk_driven_directly_still_sees_a_nan_direction() -> None:
    signal = m.Signal(client_id="c", symbol="NQ", signal=math.nan, confidence=0.5)
    assert signal_problem(signal) == "signal is nan: it must be finite"
    assert signal_problem(m.Signal(client_id="c", symbol="NQ", signal=1, confidence=0.5, limit_price=-1.0))
    assert signal_problem(m.Signal(client_id="c", symbol="NQ", signal=1, confidence=0.5)) == ""


@given(
    field=st.sampled_from(NUMBER_FIELDS),
    bad=st.sampled_from([math.nan, math.inf, -math.inf]),
)
def test_no_non_finite_number_in_a_signal_gets_past_the_decoder(field: str, bad: float) -> None:
    payload = {"client_id": "c", "symbol": "NQ", "signal": 1.0, "confidence": 0.5, field: bad}
    with pytest.raises(ProtocolError) as info:
        decoder.decode(b"SIGNAL/1", msgspec.msgpack.encode(payload))
    assert info.value.code == "INVALID_FIELD" and f"{field} is" in str(info.value)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=1e-9, max_value=1e12))
def test_finite_positive_prices_pass_the_decoder(price: float) -> None:
    payload = {"client_id": "c", "symbol": "NQ", "signal": 1.0, "confidence": 0.5, "limit_price": price}
    _, msg = decoder.decode(b"SIGNAL/1", msgspec.msgpack.encode(payload))
    assert isinstance(msg, m.Signal) and msg.limit_price == price
