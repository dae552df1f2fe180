"""``nexusgw orders|fills|positions`` against a real journal file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nexus_gw.cli import journal as cli
from nexus_gw.domain.orders import Execution
from nexus_gw.journal import Journal, JournalMissing
from nexus_gw.protocol.constants import OrderStatus, Side
from tests.integration.journal.conftest import HOUR, T0, make_order

pytestmark = pytest.mark.integration
CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
DAY = 24 * HOUR

app = typer.Typer()
app.command("orders")(cli.orders)
app.command("fills")(cli.fills)
app.command("positions")(cli.positions)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir with a journal: NQ bought on two platforms and sold on one (day 1); WIN sold (day 2)."""
    data = tmp_path / "data"
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(data))
    monkeypatch.setenv("NEXUSGW_PROFILE", "dev")
    with Journal.open(data / "journal.sqlite3") as journal:
        journal.record_order(make_order("o1", ("nt8", "sierra"), 2, Side.BUY, "NQ", T0 + HOUR))
        journal.record_execution("o1.nt8", Execution("a", 2, 16000.25, T0 + HOUR + 1))
        journal.record_execution("o1.sierra", Execution("b", 2, 16000.75, T0 + HOUR + 2))
        journal.record_order(make_order("o2", ("nt8",), 2, Side.SELL, "NQ", T0 + 2 * HOUR))
        journal.record_execution("o2.nt8", Execution("c", 2, 16010.25, T0 + 2 * HOUR + 1))
        journal.record_order(make_order("o3", ("mt5_brazil",), 10, Side.SELL, "WIN", T0 + DAY))
        journal.record_leg_status("o3.mt5_brazil", OrderStatus.ACCEPTED)
        journal.record_execution("o3.mt5_brazil", Execution("d", 4, 130000, T0 + DAY + 1))
    return data


def run(*args: str) -> str:
    """stdout only: which journal was read goes to stderr."""
    result = CliRunner().invoke(app, [*args, "--config-dir", str(CONFIG_DIR)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_command_names_the_journal_it_reads_on_stderr(data_dir: Path) -> None:
    for command in ("orders", "fills", "positions"):
        result = CliRunner().invoke(app, [command, "--json", "--config-dir", str(CONFIG_DIR)], catch_exceptions=False)
        assert f"journal: {data_dir / 'journal.sqlite3'} (profile dev)" in result.stderr
        json.loads(result.stdout)  # stdout stays pure JSON


def test_without_a_profile_the_command_says_how_to_give_one(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEXUSGW_PROFILE")
    result = CliRunner().invoke(app, ["orders", "--config-dir", str(CONFIG_DIR)])
    assert result.exit_code != 0 and "no profile given" in str(result.exception)
    assert "NEXUSGW_PROFILE" in str(result.exception) and "stage1" in str(result.exception)


def test_orders_lists_every_order_with_legs_and_aggregate(data_dir: Path) -> None:
    out = run("orders")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["created", "order_id", "client_id"]
    assert [line.split()[2] for line in lines[1:]] == ["o1", "o2", "o3"]
    assert "nt8:FILLED:2/2; sierra:FILLED:2/2" in out
    assert "16000.5" in lines[1]  # aggregate average of both legs
    assert "mt5_brazil:PARTIALLY_FILLED:4/10" in lines[3]


def test_orders_open_flag_and_date_filters(data_dir: Path) -> None:
    assert [r["order_id"] for r in json.loads(run("orders", "--open", "--json"))] == ["o3"]
    assert [r["order_id"] for r in json.loads(run("orders", "--until", "2026-03-02", "--json"))] == ["o1", "o2"]
    assert [r["order_id"] for r in json.loads(run("orders", "--since", "2026-03-03", "--json"))] == ["o3"]
    since_two = json.loads(run("orders", "--since", "2026-03-02T01:30:00+00:00", "--json"))
    assert [r["order_id"] for r in since_two] == ["o2", "o3"]


def test_fills_as_json_and_filtered_by_platform(data_dir: Path) -> None:
    records = json.loads(run("fills", "--json"))
    assert [(r["fill_id"], r["platform"], r["side"], r["qty"], r["price"]) for r in records] == [
        ("a", "nt8", "BUY", 2.0, 16000.25),
        ("b", "sierra", "BUY", 2.0, 16000.75),
        ("c", "nt8", "SELL", 2.0, 16010.25),
        ("d", "mt5_brazil", "SELL", 4.0, 130000.0),
    ]
    assert records[0]["time"] == "2026-03-02 01:00:00"
    assert [r["fill_id"] for r in json.loads(run("fills", "--platform", "nt8", "--json"))] == ["a", "c"]


def test_fills_csv_export_writes_header_and_rows(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "fills.csv"
    run("fills", "--csv", str(target), "--root", "NQ")
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["fill_id"], r["price"]) for r in rows] == [("a", "16000.25"), ("b", "16000.75"), ("c", "16010.25")]
    assert list(rows[0])[:3] == ["time", "order_id", "leg_id"]
    stdout_csv = run("fills", "--csv", "-", "--root", "WIN")
    assert stdout_csv.splitlines() == [
        "time,order_id,leg_id,fill_id,platform,root,symbol,side,qty,price",
        "2026-03-03 00:00:00,o3,o3.mt5_brazil,d,mt5_brazil,WIN,WIN@mt5_brazil,SELL,4,130000",
    ]


def test_positions_show_realized_usd_and_say_what_is_missing(data_dir: Path) -> None:
    records = {(r["root"], r["platform"]): r for r in json.loads(run("positions", "--json"))}
    assert records[("NQ", "nt8")]["qty"] == 0 and records[("NQ", "nt8")]["realized_usd"] == "400.00"
    assert records[("NQ", "sierra")]["qty"] == 2.0
    aggregate = records[("NQ", "ALL")]
    assert (aggregate["qty"], aggregate["realized_usd"], aggregate["unrealized_usd"]) == (2.0, "400.00", None)
    assert "sierra: mark" in aggregate["missing"]
    win = records[("WIN", "mt5_brazil")]
    assert (win["qty"], win["realized_usd"]) == (-4.0, "0.00")
    assert "mark" in win["missing"]


def test_positions_with_rates_and_marks_give_unrealized_usd(data_dir: Path) -> None:
    out = run("positions", "--json", "--rate", "BRL=5", "--mark", "NQ=16010.75", "--mark", "mt5_brazil:WIN=129500")
    records = {(r["root"], r["platform"]): r for r in json.loads(out)}
    assert records[("NQ", "sierra")]["unrealized_usd"] == "400.00"  # 10 points x 2 x 20
    assert records[("WIN", "mt5_brazil")]["unrealized"] == "400.00"  # 500 points x 4 x 0.2 BRL
    assert records[("WIN", "mt5_brazil")]["unrealized_usd"] == "80.00"
    assert records[("NQ", "ALL")]["realized_usd"] == "400.00"


def test_positions_as_of_a_date_and_round_trips(data_dir: Path) -> None:
    as_of_day_one = {
        (r["root"], r["platform"]) for r in json.loads(run("positions", "--json", "--until", "2026-03-02"))
    }
    assert ("WIN", "mt5_brazil") not in as_of_day_one
    trips = json.loads(run("positions", "--trips", "--json"))
    assert [(t["platform"], t["side"], t["qty"], t["pnl_usd"]) for t in trips] == [("nt8", "BUY", 2.0, "400.00")]
    assert json.loads(run("positions", "--trips", "--json", "--since", "2026-03-03")) == []


def test_table_output_of_an_empty_period_says_so(data_dir: Path) -> None:
    assert run("orders", "--since", "2030-01-01").strip() == "no orders in the journal for this period"
    assert run("fills", "--since", "2030-01-01").strip() == "no fills in the journal for this period"


def test_explicit_journal_file_is_read_without_the_data_dir(data_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere.sqlite3"
    with Journal.open(copy) as journal:
        journal.record_order(make_order("x1"))
    assert [r["order_id"] for r in json.loads(run("orders", "--json", "--journal", str(copy)))] == ["x1"]


def test_missing_journal_names_the_path_and_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("NEXUSGW_PROFILE", "dev")
    result = CliRunner().invoke(app, ["orders", "--config-dir", str(CONFIG_DIR)])
    assert isinstance(result.exception, JournalMissing)
    assert result.exception.exit_code == 2 and str(tmp_path / "empty") in str(result.exception)


def test_bad_date_and_bad_rate_are_usage_errors(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["orders", "--since", "yesterday"])
    assert result.exception is not None and "YYYY-MM-DD" in str(result.exception)
    result = CliRunner().invoke(app, ["positions", "--rate", "BRL", "--config-dir", str(CONFIG_DIR)])
    assert result.exception is not None and "BRL=5.494" in str(result.exception)
