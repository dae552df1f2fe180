"""``nexusgw check`` and ``nexusgw backup`` from the command line, and what ``status`` shows of unknown symbols."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nexus_gw.cli.app import main
from nexus_gw.cli.status import render_status
from nexus_gw.stack import free_port

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A profile whose gateway is not running and whose data dir is empty."""
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__ADMIN", f"tcp://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_check_with_the_gateway_down_fails_with_exit_1_and_remembers_when_it_ran(
    nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere.mkdir()
    code = main(["check", "--when", "session", "--json", "--profile", "dev", "--config-dir", str(CONFIG)])
    out = capsys.readouterr()
    assert code == 1 and "daily check (session) failed: gateway, platforms, symbols" in out.err
    report = json.loads(out.out)
    assert report["ok"] is False and report["when"] == "session"
    assert [i["item"] for i in report["items"]] == ["gateway", "platforms", "symbols", "fx", "disk", "alerts"]
    assert "does not answer" in report["items"][0]["reason"]
    assert json.loads((nowhere / "last-check.json").read_text())["at"]
    main(["check", "--profile", "dev", "--config-dir", str(CONFIG)])
    text = capsys.readouterr().out
    assert "FAIL  backup" in text and "→ nexusgw backup" in text and "no alerts since" in text


def test_an_unknown_when_is_a_usage_error(nowhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--when", "noon", "--profile", "dev", "--config-dir", str(CONFIG)]) == 2
    assert "use one of morning, session, close" in capsys.readouterr().err


def test_backup_without_a_journal_fails_naming_it(nowhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--profile", "dev", "--config-dir", str(CONFIG)]) == 1
    assert f"no journal at {nowhere / 'journal.sqlite3'}" in capsys.readouterr().err


def test_status_shows_the_symbols_a_platform_does_not_have() -> None:
    sierra = {
        "driver": "sierra",
        "online": True,
        "paper": False,
        "last_message_age_s": 0.1,
        "symbols": [
            {"symbol": "ESZ26", "root": "ES", "known": True, "reason": ""},
            {"symbol": "NQZ26", "root": "NQ", "known": False, "reason": "set ...symbol_template: sierra"},
        ],
    }
    data = {"gateway": "gw", "version": "1", "profile": "dev", "pid": 1, "uptime_s": 1.0}
    text = render_status(
        {**data, "platforms": {"sierra": sierra}, "nexus_clients": [], "counts": {}, "risk": {}, "active_orders": []}
    )
    assert "✗ NQZ26: set ...symbol_template: sierra" in text and "ESZ26" not in text
