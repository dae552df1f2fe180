"""The wire check: a line is passed to the bookmap package only when its parser can read it."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.bookmap import frames
from nexus_gw.adapters.bookmap.frames import LineSplitter, encode, problem

NQ = "NQZ6.CME@RITHMIC"


@pytest.mark.parametrize(
    "line",
    [
        encode(frames.DEPTH, NQ, 1, 84000, 5),
        encode(frames.TRADE, NQ, 84000.5, 2, 0, 1, 1, 1, "", ""),
        encode(frames.INSTRUMENT_INFO, NQ, "NQZ6", 0, 0.25, 1.0, 20.0, '{"trading": true}'),
        encode(frames.UPDATE_ORDER, '{"orderId": "1", "averageFillPrice": NaN}'),
        encode(frames.EXECUTE_ORDER, NQ, '{"orderId": "1"}'),
        encode(frames.RESP_DATA, 7),
        encode(frames.SERVER_INIT),
        encode("-1", "anything"),  # no handler: the package drops it itself
    ],
)
def test_lines_the_package_parses_pass(line: bytes) -> None:
    assert problem(line.rstrip(b"\n")) is None


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (encode(frames.DEPTH, NQ, 1, 84000), "needs 4 fields, got 3"),
        (encode(frames.DEPTH, NQ, 1, "84000.5", 5), "field 3"),
        (encode(frames.TRADE, NQ, "x", 2, 0, 1, 1, 1, "", ""), "field 2"),
        (encode(frames.UPDATE_ORDER, '{"orderId": '), "field 1"),
        (encode(frames.RESP_DATA), "needs 1 fields, got 0"),
        (encode(frames.SETTINGS_CHANGED, NQ, "colour", "COLOR", "1,2,3"), "COLOR"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_lines_that_would_stop_the_addon_are_named_with_the_reason(line: bytes, why: str) -> None:
    found = problem(line.rstrip(b"\n"))
    assert found is not None and why in found, found


def test_the_splitter_passes_whole_good_lines_keeps_a_partial_one_and_reports_bad_ones() -> None:
    splitter = LineSplitter()
    good_line = encode(frames.RESP_DATA, 1)
    out, bad = splitter.feed(good_line + encode(frames.RESP_DATA, "x") + good_line[:3])
    assert out == good_line and len(bad) == 1 and "field 1" in bad[0][1]
    out, bad = splitter.feed(good_line[3:])
    assert out == good_line and bad == []
    splitter.feed(b"4\xee\x80\x80")
    assert splitter.rest() == b"4\xee\x80\x80" and splitter.rest() == b""


def test_a_line_without_end_beyond_the_limit_is_dropped() -> None:
    splitter = LineSplitter()
    out, bad = splitter.feed(b"x" * (frames.MAX_LINE + 1))
    assert out == b"" and len(bad) == 1 and splitter.rest() == b""
