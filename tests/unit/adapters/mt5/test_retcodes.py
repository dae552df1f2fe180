from __future__ import annotations

import pytest

from nexus_gw.adapters.mt5.retcodes import NAMES, Outcome, describe, outcome


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (10009, Outcome.DONE),
        (10010, Outcome.PARTIAL),
        (10008, Outcome.PLACED),
        (10004, Outcome.RETRY),  # requote
        (10020, Outcome.RETRY),  # price changed
        (10021, Outcome.RETRY),  # off quotes
        (10018, Outcome.REJECT),  # market closed
        (10019, Outcome.REJECT),  # no money
        (10014, Outcome.REJECT),  # invalid volume
        (10015, Outcome.REJECT),  # invalid price
        (10016, Outcome.REJECT),  # invalid stops
        (10017, Outcome.REJECT),  # trade disabled
        (10026, Outcome.REJECT),  # autotrading disabled by the server
        (10027, Outcome.REJECT),  # autotrading disabled in the terminal
        (10030, Outcome.REJECT),  # unsupported filling mode
        (10031, Outcome.UNKNOWN),  # no connection: may or may not have left
        (10012, Outcome.UNKNOWN),  # timeout
        (10011, Outcome.UNKNOWN),  # processing error
        (99999, Outcome.UNKNOWN),  # a code not in the table is never taken as final
    ],
)
def test_each_return_code_has_its_outcome(code: int, expected: Outcome) -> None:
    assert outcome(code) is expected


def test_every_known_code_is_decided_on_purpose() -> None:
    assert {c for c in NAMES if outcome(c) is Outcome.UNKNOWN} == {10011, 10012, 10031}


def test_the_reject_text_carries_the_brokers_words_and_what_to_do() -> None:
    text = describe(10027, "AutoTrading disabled by client")
    assert text.startswith("10027 CLIENT_DISABLES_AT: AutoTrading disabled by client")
    assert "press the AutoTrading button" in text
    assert (
        describe(10018, "Market closed") == "10018 MARKET_CLOSED: Market closed (the market is closed for this symbol)"
    )
