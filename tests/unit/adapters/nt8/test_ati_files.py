"""NinjaTrader's ATI formats: 13-field order lines exactly as NinjaTrader documents them, outgoing files read."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.nt8 import ati_files
from nexus_gw.protocol.constants import OrderType, Side


@pytest.mark.parametrize(
    ("order_type", "limit", "stop", "expected"),
    [
        (OrderType.MARKET, None, None, "PLACE;Sim101;NQ 12-26;BUY;2;MARKET;;;DAY;;c1.nt8;;"),
        (OrderType.LIMIT, 21000.25, None, "PLACE;Sim101;NQ 12-26;BUY;2;LIMIT;21000.25;;DAY;;c1.nt8;;"),
        (OrderType.STOP, None, 20999.0, "PLACE;Sim101;NQ 12-26;BUY;2;STOPMARKET;;20999;DAY;;c1.nt8;;"),
    ],
)
def test_place_lines_have_13_fields_and_nt8_order_types(
    order_type: OrderType, limit: float | None, stop: float | None, expected: str
) -> None:
    line = ati_files.place("Sim101", "NQ 12-26", Side.BUY, 2.0, order_type, limit, stop, "DAY", "c1.nt8")
    assert line == expected and line.count(";") == 12


def test_the_account_wide_commands_match_ninjatraders_templates() -> None:
    assert ati_files.cancel("c1.nt8") == "CANCEL;;;;;;;;;;c1.nt8;;"
    assert ati_files.cancel_all_orders() == "CANCELALLORDERS;;;;;;;;;;;;"
    assert ati_files.close_position("Sim101", "ES 12-26") == "CLOSEPOSITION;Sim101;ES 12-26;;;;;;;;;;"
    assert ati_files.flatten_everything() == "FLATTENEVERYTHING;;;;;;;;;;;;"


@pytest.mark.parametrize(("price", "text"), [(21000.0, "21000"), (0.00001, "0.00001"), (1e7 + 0.25, "10000000.25")])
def test_prices_have_a_decimal_point_and_no_exponent(price: float, text: str) -> None:
    assert ati_files.price_text(price) == text


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"qty": 1.5}, "whole contracts"),
        ({"order_id": "a;b"}, "characters"),
        ({"order_type": OrderType.LIMIT}, "limit price"),
        ({"order_type": OrderType.STOP}, "stop price"),
        ({"instrument": "NQ;12-26"}, "cannot hold ';'"),
    ],
)
def test_values_an_order_line_cannot_carry_are_refused(kw: dict[str, object], match: str) -> None:
    args: dict[str, object] = {
        "account": "Sim101", "instrument": "NQ 12-26", "side": Side.SELL, "qty": 1.0, "order_type": OrderType.MARKET,
        "limit_price": None, "stop_price": None, "tif": "GTC", "order_id": "c1.nt8",
    }  # fmt: skip
    with pytest.raises(ati_files.AtiFormatError, match=match):
        ati_files.place(**{**args, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "state", "filled", "avg"),
    [
        ("WORKING;0;0", "WORKING", 0.0, 0.0),
        ("FILLED;1;20123.25\r\n", "FILLED", 1.0, 20123.25),
        ("PartFilled;1;5", "PARTFILLED", 1.0, 5.0),
        ("PARTIALLYFILLED;1;5", "PARTFILLED", 1.0, 5.0),
        ("Partially filled;1;5", "PARTFILLED", 1.0, 5.0),
    ],
)
def test_order_state_files_are_read_in_every_spelling(text: str, state: str, filled: float, avg: float) -> None:
    assert ati_files.parse_order_state(text) == ati_files.OrderState(state, filled, avg)


@pytest.mark.parametrize("text", ["", "WORKING;0", "WORKING;x;0", "CONNECTED"])
def test_half_written_or_other_files_are_not_order_states(text: str) -> None:
    with pytest.raises(ati_files.AtiFormatError):
        ati_files.parse_order_state(text)


def test_positions_are_signed() -> None:
    assert ati_files.parse_position("LONG;2;21000.25") == 2.0
    assert ati_files.parse_position("SHORT;1;21000") == -1.0
    assert ati_files.parse_position("FLAT;0;0") == 0.0
    with pytest.raises(ati_files.AtiFormatError):
        ati_files.parse_position("SIDEWAYS;1;0")


@pytest.mark.parametrize(
    ("name", "instrument"),
    [
        ("NQ 12-26 Globex_Sim101_position.txt", "NQ 12-26"),
        ("ES 0914 Globex_Sim101_Position.txt", "ES 0914"),
        ("MNQ SEP26 Globex_Sim101_position.txt", "MNQ SEP26"),
        ("NQ 12-26 Default_Sim101_position.txt", "NQ 12-26"),
        ("NQ 12-26 Globex_Live7_position.txt", None),
        ("c1.nt8.txt", None),
    ],
)
def test_position_file_names_of_the_account(name: str, instrument: str | None) -> None:
    assert ati_files.position_of(name, "Sim101") == instrument


def test_order_state_file_names_with_or_without_the_account_prefix() -> None:
    assert ati_files.order_id_of("c1.nt8.txt", "Sim101") == "c1.nt8"
    assert ati_files.order_id_of("Sim101_c1.nt8.txt", "Sim101") == "c1.nt8"
    assert ati_files.order_id_of("NQ 12-26 Globex_Sim101_position.txt", "Sim101") is None
    assert ati_files.order_id_of("oif1.tmp", "Sim101") is None
