"""Frame checks: every type with its fields, unknown types and missing or mistyped fields refused."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.bridge import frames


def test_a_frame_of_an_unknown_type_is_refused() -> None:
    with pytest.raises(frames.UnknownFrame, match="'weather'"):
        frames.check({"type": "weather"}, frames.FROM_PLUGIN)


def test_a_frame_the_other_side_sends_is_unknown_here() -> None:
    with pytest.raises(frames.UnknownFrame):
        frames.check({"type": "place"}, frames.FROM_PLUGIN)


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        ({"type": "cancel"}, "no 'leg'"),
        ({"type": "cancel", "leg": 5}, "'leg' should be a text"),
        ({"type": "position", "instrument": "NQ 12-26", "qty": True}, "'qty' should be a number"),
        ({"type": "report", "id": "r", "orders": [{}], "executions": [], "positions": []}, "report order"),
        ({"type": "report", "id": "r", "orders": [], "executions": [1], "positions": []}, "report execution"),
    ],
)
def test_missing_or_mistyped_fields_are_refused(frame: dict[str, object], match: str) -> None:
    with pytest.raises(frames.BadFrame, match=match):
        frames.check(frame, frames.FROM_ADAPTER | frames.FROM_PLUGIN)


def test_optional_prices_may_be_null_and_extra_fields_are_ignored() -> None:
    place = frames.frame(
        frames.PLACE,
        leg="c1.nt8",
        instrument="NQ 12-26",
        side="BUY",
        qty=1,
        order_type="MARKET",
        limit=None,
        stop=None,
        tif="DAY",
        note="extra",
    )
    assert frames.check(place, frames.FROM_ADAPTER) == frames.PLACE


def test_every_frame_type_belongs_to_a_direction() -> None:
    assert set(frames.FIELDS) == frames.FROM_ADAPTER | frames.FROM_PLUGIN
