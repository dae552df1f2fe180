"""``nexusgw dashboard``: where it connects, how often it asks, and a clear error when textual is missing."""

from __future__ import annotations

import sys

import pytest

from nexus_gw.cli.app import main
from nexus_gw.monitor.dashboard import app as dashboard_app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dashboard_app.Dashboard]:
    """Dashboards the command would run, captured instead of taking over the terminal."""
    apps: list[dashboard_app.Dashboard] = []
    monkeypatch.setattr(dashboard_app.Dashboard, "run", lambda self, *a, **k: apps.append(self))
    monkeypatch.delenv("NEXUSGW_ADMIN_ENDPOINT", raising=False)
    monkeypatch.delenv("NEXUSGW_GATEWAY__SOCKETS__ADMIN", raising=False)
    monkeypatch.delenv("NEXUSGW_PROFILE", raising=False)
    return apps


def test_endpoint_and_refresh_reach_the_app(started: list[dashboard_app.Dashboard]) -> None:
    assert main(["dashboard", "--endpoint", "tcp://127.0.0.1:6001", "--refresh", "2.5"]) == 0
    assert started[0].endpoint == "tcp://127.0.0.1:6001" and started[0].refresh_s == 2.5


def test_the_endpoint_from_the_environment_else_the_default(
    started: list[dashboard_app.Dashboard], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["dashboard"]) == 0
    monkeypatch.setenv("NEXUSGW_ADMIN_ENDPOINT", "tcp://10.0.0.5:5557")
    assert main(["dashboard"]) == 0
    assert [app.endpoint for app in started] == ["tcp://127.0.0.1:5557", "tcp://10.0.0.5:5557"]


def test_a_refresh_out_of_range_is_a_usage_error(started: list[dashboard_app.Dashboard]) -> None:
    assert main(["dashboard", "--refresh", "0"]) == 2 and started == []


def test_without_textual_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "textual", None)  # what an install without the extra sees
    for name in ("nexus_gw.monitor.dashboard.app", "nexus_gw.monitor.dashboard.dialogs"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert main(["dashboard", "--endpoint", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "the dashboard needs the textual package" in err and "pip install 'nexusgw[dashboard]'" in err


def test_help_names_the_keys(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "140")
    assert main(["dashboard", "--help"]) == 0
    out = capsys.readouterr().out
    for text in ("k activate the kill switch", "u release it", "ACTIVE / REDUCING / HALTED", "--refresh", "--endpoint"):
        assert text in out
