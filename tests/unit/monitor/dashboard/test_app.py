"""The dashboard application with a stand-in for the admin call (no sockets): a failing or garbled answer never
takes the screen down, and an answer that arrives while the app closes is dropped."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from nexus_gw.errors import Refused
from nexus_gw.monitor.dashboard import rows
from nexus_gw.monitor.dashboard.app import Dashboard, StatusArrived, StatusFailed


async def until(pilot: Pilot[None], predicate: Any, what: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout_s}s waiting for {what}"
        await pilot.pause(0.02)


def test_a_bug_in_the_answer_a_refusal_and_garbage_are_shown_and_the_app_keeps_polling() -> None:
    answers: list[Any] = [
        ValueError("bad frame"),
        Refused("gateway refused 'status': busy"),
        {"platforms": "garbage", "risk": 3, "uptime_s": 61},
        {"platforms": {"nt8": {"online": True, "enabled": True, "driver": "sim", "last_message_age_s": 0.5}}},
    ]

    def request(command: str, args: dict[str, Any]) -> dict[str, Any]:
        answer = answers.pop(0) if answers else {}
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    app = Dashboard(request, "tcp://127.0.0.1:1", refresh_s=0.2)
    banners: list[str] = []

    async def drive() -> None:
        async with app.run_test(size=(160, 60)) as pilot:
            await until(pilot, lambda: app.polls >= 1, "the first answer")
            banners.append(str(app.query_one("#banner", Static).content))
            await until(pilot, lambda: app.polls >= 2, "the second answer")
            banners.append(str(app.query_one("#banner", Static).content))
            await until(pilot, lambda: app.polls >= 3, "the garbled answer")
            assert "Uptime: 1m 01s" in str(app.query_one("#head", Static).content)
            assert not app.query_one("#banner").has_class("down")
            await until(pilot, lambda: app.polls >= 4, "a good answer")
            grid = app.query_one("#platforms", DataTable)
            assert [str(c) for c in grid.get_row_at(0)][:2] == ["nt8", "● ONLINE"]

    asyncio.run(drive())
    assert banners[0].startswith("status failed: ValueError: bad frame for 0m 00s — retrying every 0.2s")
    assert banners[1].startswith("gateway refused 'status': busy for ")


def test_an_answer_arriving_while_the_app_closes_is_dropped() -> None:
    app = Dashboard(lambda command, args: {}, "tcp://127.0.0.1:1", refresh_s=5)

    async def drive() -> None:
        async with app.run_test() as pilot:
            await until(pilot, lambda: app.polls >= 1, "the first answer")

    asyncio.run(drive())
    app.on_status_arrived(StatusArrived({"uptime_s": 1}))  # after the widgets are gone: no NoMatches
    app.on_status_failed(StatusFailed("late"))
    assert app.polls == 3


def test_an_answer_the_panels_cannot_draw_is_reported_and_the_app_keeps_polling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("uptime_s")

    monkeypatch.setattr(rows, "view", broken)
    app = Dashboard(lambda command, args: {"uptime_s": 1}, "tcp://127.0.0.1:1", refresh_s=0.2)
    seen: list[str] = []

    async def drive() -> None:
        async with app.run_test() as pilot:
            await until(pilot, lambda: app.polls >= 3, "three answers")
            seen.append(str(app.query_one("#banner", Static).content))
            assert app.query_one("#banner").has_class("down")

    asyncio.run(drive())
    assert seen[0].startswith("cannot show the gateway's answer: KeyError: 'uptime_s' for ")
