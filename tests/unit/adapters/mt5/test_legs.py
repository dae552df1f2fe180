from __future__ import annotations

from nexus_gw.adapters.mt5.legs import COMMENT_MAX, comment_for, leg_from_comment


def test_a_short_leg_id_travels_in_the_comment_and_comes_back() -> None:
    comment = comment_for("o123-2.mt5_global", "mt5_global")
    assert comment == "o123-2"
    assert leg_from_comment(comment, "mt5_global") == "o123-2.mt5_global"


def test_a_long_leg_id_is_hashed_within_31_characters_and_found_among_known_legs() -> None:
    leg = "0f8fad5b-d9cb-469f-a165-70867728950e.mt5_global"
    comment = comment_for(leg, "mt5_global")
    assert len(comment) <= COMMENT_MAX and comment.startswith("#")
    assert leg_from_comment(comment, "mt5_global", ["other.mt5_global", leg]) == leg
    assert leg_from_comment(comment, "mt5_global", ["other.mt5_global"]) is None


def test_comments_of_other_programs_map_to_no_leg() -> None:
    assert leg_from_comment("", "mt5_global") is None
    assert leg_from_comment("closed by sl [sl 123.4]", "mt5_global") is None
