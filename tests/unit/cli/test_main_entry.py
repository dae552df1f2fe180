"""The real entry point: ``nexus_gw.cli.app.main`` runs the groups and maps errors to exit codes and stderr.

Skipped while ``nexus_gw.cli.app`` does not yet register the ``symbols``, ``rollover`` and ``fx`` groups.
"""

from __future__ import annotations

import pytest

from nexus_gw.cli import app as app_module
from tests.unit.cli import CONFIG_DIR

GROUPS = {"symbols", "rollover", "fx"}
REGISTERED = {info.name for info in app_module.app.registered_groups}

pytestmark = pytest.mark.skipif(
    not GROUPS <= REGISTERED,
    reason=f"nexus_gw.cli.app does not register {sorted(GROUPS - REGISTERED)} yet",
)


@pytest.fixture(autouse=True)
def _shipped_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_CONFIG_DIR", str(CONFIG_DIR))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = app_module.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("platform", "symbol"), [("nt8", "NQ 03-25"), ("sierra", "NQH25"), ("mt5", "NAS100")])
def test_symbols_resolve(capsys: pytest.CaptureFixture[str], platform: str, symbol: str) -> None:
    assert run(capsys, "symbols", "resolve", "NQ", "--platform", platform, "--at", "2025-02-01") == (
        0,
        f"{symbol}\n",
        "",
    )


def test_symbols_normalize(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "symbols", "normalize", "NQ 03-25", "--platform", "nt8") == (0, "NQ\n", "")


def test_unknown_platform_exits_2_with_the_known_ones_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "symbols", "resolve", "NQ", "--platform", "ninja")
    assert (code, out) == (2, "")
    assert err.startswith("nexusgw: unknown platform 'ninja'; known platforms: bookmap, mt5_brazil, mt5_global")


def test_rollover_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rollover", "show", "NQ", "--at", "2025-03-18", "--json")
    assert code == 0
    assert '"code": "NQM25"' in out


def test_fx_pnl(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fx", "pnl", "WIN", "100", "--rate", "5.494")
    assert code == 0
    assert "BRL 20.00" in out
    assert "USD 3.64" in out


def test_fx_rate_without_a_rate_is_refused_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fx", "rate")
    assert (code, out) == (1, "")
    assert "--rate 5.494" in err


def test_a_missing_required_option_is_bad_usage_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "symbols", "resolve", "NQ")
    assert code == 2
    assert "--platform" in err


@pytest.mark.parametrize("command", [["serve"], ["adapter", "sierra"]])
def test_a_log_format_other_than_json_or_text_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = run(capsys, *command, "--profile", "dev", "--log-format", "xml")
    assert code == 2 and out == ""
    assert "--log-format" in err and "'xml' is not one of 'json', 'text'" in err
