"""Trading hours: windows across midnight, weekday of opening, time zones and DST; exits always allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from nexus_gw.domain.risk import Action, ReasonCode, Side
from nexus_gw.domain.risk.config import SessionHours
from nexus_gw.domain.risk.rules.trading_hours import in_session
from tests.unit.domain.risk.helpers import config, engine, intent

CHI = ZoneInfo("America/Chicago")
SP = ZoneInfo("America/Sao_Paulo")
GLOBEX = SessionHours.model_validate(
    {
        "time_zone": "America/Chicago",
        "windows": [{"start": "17:00", "end": "16:00", "days": ["sun", "mon", "tue", "wed", "thu"]}],
    }
)
B3 = SessionHours.model_validate({"time_zone": "America/Sao_Paulo", "windows": [{"start": "09:00", "end": "18:25"}]})
RTH = SessionHours.model_validate({"time_zone": "America/Chicago", "windows": [{"start": "08:30", "end": "15:00"}]})


@pytest.mark.parametrize(
    ("local", "inside"),
    [
        (datetime(2025, 3, 9, 16, 59), False),  # Sunday before the open
        (datetime(2025, 3, 9, 17, 0), True),  # Sunday open, start inclusive
        (datetime(2025, 3, 10, 2, 0), True),  # Monday after midnight, window opened Sunday
        (datetime(2025, 3, 10, 15, 59), True),
        (datetime(2025, 3, 10, 16, 0), False),  # end exclusive: daily break
        (datetime(2025, 3, 10, 16, 30), False),
        (datetime(2025, 3, 14, 15, 59), True),  # Friday, window opened Thursday
        (datetime(2025, 3, 14, 17, 0), False),  # Friday evening: no window opens Friday
        (datetime(2025, 3, 15, 12, 0), False),  # Saturday
    ],
)
def test_overnight_globex_window_follows_the_opening_weekday(local: datetime, inside: bool) -> None:
    assert in_session(GLOBEX, local.replace(tzinfo=CHI)) is inside


@pytest.mark.parametrize(
    ("utc", "inside"),
    [
        (datetime(2025, 3, 10, 11, 59, tzinfo=UTC), False),  # 08:59 in São Paulo (UTC-3, no DST)
        (datetime(2025, 3, 10, 12, 0, tzinfo=UTC), True),
        (datetime(2025, 3, 10, 21, 24, tzinfo=UTC), True),
        (datetime(2025, 3, 10, 21, 25, tzinfo=UTC), False),
    ],
)
def test_window_is_read_in_its_own_time_zone(utc: datetime, inside: bool) -> None:
    assert in_session(B3, utc) is inside


def test_same_utc_time_is_inside_in_summer_and_outside_in_winter() -> None:
    assert in_session(RTH, datetime(2025, 1, 15, 14, 0, tzinfo=UTC)) is False  # 08:00 CST
    assert in_session(RTH, datetime(2025, 7, 15, 14, 0, tzinfo=UTC)) is True  # 09:00 CDT


def _hours_engine(**extra: object):
    hours = {"roots": {"NQ": GLOBEX.model_dump(mode="json")}, **extra}
    return engine(config(trading_hours=hours), now=datetime(2025, 3, 14, 22, 0, tzinfo=UTC))


def test_entry_outside_hours_is_rejected_with_the_windows_and_local_time() -> None:
    now = datetime(2025, 3, 14, 22, 0, tzinfo=UTC)  # Friday 17:00 CDT
    decision = _hours_engine().check(intent(1), now)
    assert decision.reason is ReasonCode.OUTSIDE_TRADING_HOURS
    assert "Fri 17:00 CDT" in decision.message and "17:00-16:00" in decision.message


def test_exit_outside_hours_is_allowed() -> None:
    now = datetime(2025, 3, 14, 22, 0, tzinfo=UTC)
    assert _hours_engine().check(intent(1, Side.SELL, position=1), now).action is Action.ACCEPT


def test_root_without_hours_is_unrestricted_unless_a_default_is_set() -> None:
    now = datetime(2025, 3, 14, 22, 0, tzinfo=UTC)
    assert _hours_engine().check(intent(1, root="ES"), now).action is Action.ACCEPT
    with_default = _hours_engine(default=RTH.model_dump(mode="json"))
    assert with_default.check(intent(1, root="ES"), now).reason is ReasonCode.OUTSIDE_TRADING_HOURS
