"""``nexusgw report`` end to end: a real journal file (tests/integration/cli/report_journal.py) read by the CLI.

Every expected figure below is worked out by hand from the history in report_journal.py.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from nexus_gw.cli.app import main
from tests.integration.cli.report_journal import write_history

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
CONFIG_DIR = REPO / "config"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(data))
    write_history(data / "journal.sqlite3")
    return data


def run(*args: str, code: int = 0) -> str:
    """Run through ``main`` (which maps errors to exit codes); stdout and stderr together."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exit_code = main([*args, "--profile", "dev", "--config-dir", str(CONFIG_DIR)])
    assert exit_code == code, out.getvalue() + err.getvalue()
    return out.getvalue() if code == 0 else out.getvalue() + err.getvalue()


def report_json(*args: str) -> dict:
    return json.loads(run("report", "--format", "json", *args))


def test_one_day_statistics_match_the_hand_computed_values(data_dir: Path) -> None:
    data = report_json("--date", "2026-03-03", "--rate", "BRL=5")
    t = data["trading"]
    # Tuesday: +205.00, +185.00, +7.40 (37 BRL / 5), -215.00 in closing order
    assert (t["trades"], t["wins"], t["losses"], t["win_rate"]) == (4, 3, 1, 0.75)
    assert t["avg_win_usd"] == 132.47  # 397.40 / 3 = 132.4666…
    assert t["avg_loss_usd"] == -215.0
    assert t["profit_factor"] == round(397.40 / 215, 4)
    assert t["sharpe"] is None  # one trading day: n/a
    assert t["max_drawdown_usd"] == -215.0  # peak 397.40, then 182.40
    assert t["net_pnl_usd"] == 182.4
    assert t["net_pnl_usd_by_platform"] == {"mt5_brazil": 7.4, "mt5_global": 205.0, "nt8": 185.0, "sierra": -215.0}
    assert data["period"]["trading_days"] == ["2026-03-03"]
    assert [(tr["platform"], tr["currency"], tr["pnl"]) for tr in data["trades"]] == [
        ("mt5_global", "USD", 205.0),
        ("nt8", "USD", 185.0),
        ("mt5_brazil", "BRL", 37.0),
        ("sierra", "USD", -215.0),
    ]
    assert data["refusals"] == [{"reason": "DAILY_TRADES", "count": 1}]


def test_execution_quality_per_platform_and_the_verdict(data_dir: Path) -> None:
    ex = report_json("--date", "2026-03-03", "--rate", "BRL=5")["execution"]
    p = {row["platform"]: row for row in ex["platforms"]}
    # nt8: o1 buy 20000.50 vs mid 20000.25 = -1 tick; o2 sell 20009.75 vs last 20010.00 = -1 tick -> -5 USD each
    assert (p["nt8"]["vs_signal_ticks"], p["nt8"]["vs_signal_usd_per_contract"]) == (-1.0, -5.0)
    # vs others: o1 against (20000.75 + 20000.00) / 2 -> -0.5 tick; o2 against mt5_global 20010.25 -> -2 ticks
    assert (p["nt8"]["vs_others_ticks"], p["nt8"]["vs_others_usd_per_contract"]) == (-1.25, -6.25)
    assert (p["nt8"]["latency_p50_ms"], p["nt8"]["latency_p90_ms"]) == (40.0, 60.0)
    # mt5_global: 20 lots = 1 contract each time; +1 tick on both orders
    assert (p["mt5_global"]["contracts"], p["mt5_global"]["vs_signal_usd_total"]) == (2.0, 10.0)
    assert p["mt5_global"]["vs_others_ticks"] == 2.25  # (+2.5 + 2) / 2
    # sierra: o1 -2 ticks, o3 sell 19990.00 vs mid 19990.25 -1 tick; o2 rejected
    assert (p["sierra"]["filled_legs"], p["sierra"]["legs"], p["sierra"]["rejects"]) == (2, 3, 1)
    assert (p["sierra"]["vs_signal_ticks"], p["sierra"]["vs_signal_usd_total"]) == (-1.5, -15.0)
    assert (p["sierra"]["latency_p50_ms"], p["sierra"]["latency_p90_ms"]) == (80.0, 120.0)
    # mt5_brazil (WIN, R$1 per tick): buy 130010 vs mid 130005, sell 130195 vs 130200 -> -1 tick = -R$1 = -0.20 USD
    assert (p["mt5_brazil"]["vs_signal_ticks"], p["mt5_brazil"]["vs_signal_usd_per_contract"]) == (-1.0, -0.2)
    assert ex["rejects"] == [{"platform": "sierra", "reason": "margin", "count": 1}]
    assert ex["best"] == "mt5_global"
    assert ex["verdict"].startswith("mt5_global fills best: +5.00 USD per contract vs the signal-time price")


def test_a_period_follows_cme_trading_days_and_has_a_sharpe_ratio(data_dir: Path) -> None:
    data = report_json("--from", "2026-03-03", "--to", "2026-03-04", "--rate", "BRL=5")
    t = data["trading"]
    # o7 was bought at 17:30 Chicago on Tuesday: Wednesday's trading day, so its trip (-200) is Wednesday's.
    assert t["daily"] == [{"day": "2026-03-03", "pnl_usd": 182.4}, {"day": "2026-03-04", "pnl_usd": -200.0}]
    # mean -8.80; deviations ±191.20; sample sd = 191.20 × √2; Sharpe = -8.80 / (191.20 √2) × √252
    assert t["sharpe"] == round(-8.8 / (191.2 * math.sqrt(2)) * math.sqrt(252), 4)
    assert t["max_drawdown_usd"] == -415.0  # peak 397.40 down to -17.60
    assert (t["trades"], t["net_pnl_usd"]) == (5, -17.6)
    assert any("no signal-time price" in note for note in data["notes"])  # o7 had no quote
    wednesday = report_json("--date", "2026-03-04")
    assert [tr["pnl_usd"] for tr in wednesday["trades"]] == [-200.0]


def test_without_a_brl_rate_the_win_trip_is_left_out_and_said_so(data_dir: Path) -> None:
    data = report_json("--date", "2026-03-03")
    assert data["trading"]["unconverted_trades"] == 1 and data["trading"]["net_pnl_usd"] == 175.0
    assert any("--rate BRL=" in note for note in data["notes"])
    brazil = next(p for p in data["execution"]["platforms"] if p["platform"] == "mt5_brazil")
    assert brazil["vs_signal_ticks"] == -1.0 and brazil["vs_signal_usd_per_contract"] is None


def test_platform_filter_keeps_one_platform(data_dir: Path) -> None:
    data = report_json("--date", "2026-03-03", "--platform", "nt8")
    assert [p["platform"] for p in data["execution"]["platforms"]] == ["nt8"]
    assert data["trading"]["net_pnl_usd_by_platform"] == {"nt8": 185.0}
    assert data["execution"]["platforms"][0]["vs_others_ticks"] == -1.25  # still compared with the others


def test_text_is_an_aligned_table(data_dir: Path) -> None:
    out = run("report", "--date", "2026-03-03", "--rate", "BRL=5")
    lines = out.splitlines()
    assert lines[0] == "nexusgw after-close report, 2026-03-03"
    assert any(line.split() == ["net", "P&L", "+182.40"] for line in lines)
    assert any(line.split()[:2] == ["Sharpe", "(daily,"] and line.endswith("n/a") for line in lines)
    header = next(i for i, line in enumerate(lines) if line.startswith("platform    filled"))
    widths = {len(line) for line in lines[header + 1 : header + 6]}
    assert len(widths) == 1  # every row of the execution table ends in the same column
    assert "Verdict: mt5_global fills best" in out


def test_csv_writes_trades_and_a_summary_file(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "day.csv"
    target.parent.mkdir()
    run("report", "--date", "2026-03-03", "--rate", "BRL=5", "--format", "csv", "--output", str(target))
    trades = list(csv.DictReader(target.open()))
    assert [row["platform"] for row in trades] == ["mt5_global", "nt8", "mt5_brazil", "sierra"]
    assert trades[2]["pnl"] == "37.0" and trades[2]["pnl_usd"] == "7.4"
    summary = list(csv.DictReader((tmp_path / "out" / "day.summary.csv").open()))
    values = {(r["section"], r["platform"], r["metric"]): r["value"] for r in summary}
    assert values["trading", "ALL", "net_pnl_usd"] == "182.4"
    assert values["trading", "sierra", "net_pnl_usd"] == "-215.0"
    assert values["execution", "nt8", "latency_p90_ms"] == "60.0"
    assert values["rejects", "sierra", "margin"] == "1"
    assert values["verdict", "mt5_global", "verdict"].startswith("mt5_global fills best")


def test_the_journal_commands_take_the_same_trading_day(data_dir: Path) -> None:
    orders = json.loads(run("orders", "--date", "2026-03-04", "--json"))
    assert [o["order_id"] for o in orders] == ["o7", "o8"]  # o7 at 17:30 Chicago on Tuesday is Wednesday's
    fills = json.loads(run("fills", "--date", "2026-03-03", "--json"))
    assert {f["order_id"] for f in fills} == {"o1", "o2", "o3", "o5", "o6"}
    trips = json.loads(run("positions", "--date", "2026-03-04", "--trips", "--json"))
    assert [(t["platform"], t["pnl_usd"]) for t in trips] == [("nt8", "-200.00")]
    assert "--date is a whole trading day" in run("orders", "--date", "2026-03-04", "--since", "2026-03-01", code=2)


def test_bad_options_are_usage_errors(data_dir: Path) -> None:
    assert "--format 'pdf' is not one of text, json, csv, html" in run("report", "--format", "pdf", code=2)
    assert "give either --date or --from/--to" in run("report", "--date", "2026-03-03", "--to", "2026-03-04", code=2)
    assert "is before --from" in run("report", "--from", "2026-03-04", "--to", "2026-03-03", code=2)


def test_html_without_matplotlib_names_the_extra(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if not installed
    out = run("report", "--date", "2026-03-03", "--format", "html", code=2)
    assert "pip install 'nexusgw[report]'" in out


def test_the_module_runs_as_a_subprocess(data_dir: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nexus_gw.cli.app",
            "report",
            "--date",
            "2026-03-03",
            "--format",
            "json",
            "--profile",
            "dev",
            "--config-dir",
            str(CONFIG_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["schema"] == "nexusgw.report/1"
