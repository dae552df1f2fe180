"""The dashboard's panels from a status answer: figures hand-checked, absent or garbled keys shown as "–"."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nexus_gw.monitor.dashboard import rows
from nexus_gw.monitor.dashboard.rows import NONE


def status(**changes: Any) -> dict[str, Any]:
    """A status answer shaped like the gateway's (nexus_gw/server/admin.py ``status``)."""
    data: dict[str, Any] = {
        "gateway": "nexusgw",
        "version": "0.1.0",
        "profile": "dev",
        "pid": 4242,
        "uptime_s": 85512.4,
        "risk": {
            "trading_day": "2026-12-06",
            "kill_switch": {"active": False, "reason": "", "who": ""},
            "trading_states": [],
            "pauses": [],
            "safe_mode": False,
            "usage": {
                "daily_trades": {"used": 45, "limit": 1000},
                "daily_pnl_usd": {"realized": 1170.0, "unrealized": 75.0, "total": 1245.0, "limit": -1000.0},
            },
        },
        "kill_switch_progress": {"lines": []},
        "alerts": [
            {"severity": "INFO", "code": "PLATFORM_ONLINE", "message": "nt8 up", "at": "2026-12-06T08:00:01+00:00"},
            {"severity": "CRITICAL", "code": "DAILY_LOSS", "message": "loss", "at": "2026-12-06T09:30:05+00:00"},
        ],
        "approvals": [],
        "positions": [
            {
                "platform": "nt8",
                "symbol": "NQ",
                "qty": 1,
                "avg_entry": 16250.5,
                "currency": "USD",
                "realized": 0.0,
                "realized_usd": 0.0,
                "unrealized": 75.0,
                "unrealized_usd": 75.0,
                "missing": [],
            },
            {
                "platform": "sierra",
                "symbol": "ES",
                "qty": 0,
                "avg_entry": None,
                "currency": "USD",
                "realized": 50.0,
                "realized_usd": 50.0,
                "unrealized": None,
                "unrealized_usd": None,
                "missing": [],
            },
            {
                "platform": "mt5_brazil",
                "symbol": "WIN",
                "qty": -2,
                "avg_entry": 128000.0,
                "currency": "BRL",
                "realized": 0.0,
                "realized_usd": 0.0,
                "unrealized": 40.0,
                "unrealized_usd": None,
                "missing": ["fx"],
            },
        ],
        "front_contracts": {"NQ": "NQZ26", "WDO": "WDOF27"},
        "fx": {"pair": "USD/BRL", "rate": 5.4321, "as_of": "2026-12-06T09:00:00+00:00", "source": "WDO"},
        "platforms": {
            "nt8": {
                "driver": "sim",
                "enabled": True,
                "paper": False,
                "online": True,
                "link_alive": True,
                "last_message_age_s": 0.24,
                "messages": 12,
            },
            "sierra": {
                "driver": "sierra",
                "enabled": True,
                "paper": True,
                "online": False,
                "link_alive": True,
                "last_message_age_s": 1.0,
                "messages": 3,
            },
            "mt5_global": {
                "driver": "mt5",
                "enabled": True,
                "paper": False,
                "online": False,
                "link_alive": False,
                "last_message_age_s": 300.0,
                "messages": 9,
            },
            "bookmap": {"driver": "bookmap", "enabled": False, "online": False, "last_message_age_s": None},
        },
        "nexus_clients": ["engine-a"],
        "counts": {"messages_in": 160, "signals": 5, "orders": 4, "fills": 3, "errors": 0},
        "active_orders": [
            {
                "order_id": "o-1",
                "client_id": "c-1",
                "symbol": "NQ",
                "side": "BUY",
                "status": "PARTIALLY_FILLED",
                "filled_qty": 1.0,
                "qty": 3.0,
            },
        ],
        "held_legs": [],
    }
    data.update(changes)
    return data


def cells(found: list[rows.Row], label: str) -> rows.Row:
    return next(row for row in found if row.cells[0] == label)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(85512.4, "23h 45m 12s"), (59, "0m 59s"), (3600, "1h 00m 00s"), (90061, "1d 1h 01m 01s"), (None, NONE)],
)
def test_uptime_reads_like_the_plan(seconds: float | None, text: str) -> None:
    assert rows.duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.24, "0.2s ago"), (59.94, "59.9s ago"), (300, "5m ago"), (7380, "2h 03m ago"), (None, "never")],
)
def test_last_update_age(seconds: float | None, text: str) -> None:
    assert rows.age(seconds) == text


@pytest.mark.parametrize(
    ("value", "text"), [(1245, "+$1,245.00"), (-75.3, "-$75.30"), (0, "$0.00"), (None, NONE), ("x", NONE), (True, NONE)]
)
def test_usd_is_signed_with_thousands(value: Any, text: str) -> None:
    assert rows.usd(value) == text


def test_header_shows_status_uptime_and_platforms_online_of_the_enabled_ones() -> None:
    head = rows.header(status(), "tcp://127.0.0.1:5557")
    assert head[0].cells == ("Status: ● ACTIVE", "Uptime: 23h 45m 12s") and head[0].level == "ok"
    assert "nexusgw 0.1.0 profile dev pid 4242 tcp://127.0.0.1:5557" in head[1].cells[0]
    assert head[1].cells[1] == "Platforms: 1/3 ONLINE   Engines: engine-a"


def test_kill_switch_outranks_trading_states_which_outrank_safe_mode() -> None:
    data = status()
    data["risk"]["safe_mode"] = True
    assert rows.trading_status(data) == ("▲ SAFE MODE (signal engine silent)", "warn")
    data["risk"]["trading_states"] = [{"scope": "platform", "value": "nt8", "state": "HALTED", "reason": "x"}]
    assert rows.trading_status(data)[0].startswith("▲ SAFE MODE")  # a platform's state is not the headline
    data["risk"]["trading_states"].append({"scope": "global", "value": None, "state": "REDUCING"})
    assert rows.trading_status(data) == ("▲ REDUCING", "warn")
    data["risk"]["trading_states"][-1]["state"] = "HALTED"
    assert rows.trading_status(data) == ("■ HALTED", "bad")
    data["risk"]["kill_switch"] = {"active": True, "reason": "drill", "who": "ann"}
    assert rows.trading_status(data) == ("■ KILL SWITCH ACTIVE (drill, by ann)", "bad")


def test_platform_rows_online_offline_platform_down_and_disabled() -> None:
    found = {row.cells[0]: row for row in rows.platforms(status())}
    assert found["nt8"].cells[:5] == ("nt8", "● ONLINE", "sim", "0.2s ago", "12") and found["nt8"].level == "ok"
    assert found["sierra"].cells[1:4] == ("○ PLATFORM DOWN", "sierra (paper)", "last seen 1.0s ago")
    assert found["mt5_global"].cells[1:4] == ("○ OFFLINE", "mt5", "last seen 5m ago")
    assert found["bookmap"].cells[1] == "– DISABLED" and found["bookmap"].cells[3] == "never"
    assert found["nt8"].cells[5:] == (NONE, NONE)  # no metrics section: shown as absent


def test_trading_today_from_the_risk_usage() -> None:
    found = rows.trading(status())
    assert cells(found, "Trades").cells[1] == "45/1000"
    assert cells(found, "Net P&L").cells[1] == "+$1,245.00" and cells(found, "Net P&L").level == "ok"
    assert cells(found, "  realized").cells[1] == "+$1,170.00"
    assert cells(found, "Loss limit").cells[1] == "-$1,000.00"


def test_net_loss_near_the_limit_is_red() -> None:
    data = status()
    data["risk"]["usage"]["daily_pnl_usd"].update(total=-850.0, realized=-850.0, unrealized=0.0)
    assert cells(rows.trading(data), "Net P&L").level == "bad"


def test_open_positions_only_and_a_missing_usd_figure_is_flagged() -> None:
    found = rows.positions(status())
    assert [row.cells[:3] for row in found] == [("nt8", "NQ", "+1"), ("mt5_brazil", "WIN", "-2")]
    assert found[0].cells[3:] == ("16,250.50", "USD", "+$75.00", "$0.00") and found[0].level == "ok"
    assert found[1].cells[5] == f"{NONE} (no fx)" and found[1].level == "warn"


def test_orders_alerts_newest_first_and_notes() -> None:
    assert rows.orders(status()) == [rows.Row(("o-1", "c-1", "NQ", "BUY", "1/3", "PARTIALLY_FILLED"))]
    found = rows.alerts(status())
    assert found[0] == rows.Row(("09:30:05", "CRITICAL", "DAILY_LOSS", "loss"), "bad")
    assert found[1].cells[:3] == ("08:00:01", "INFO", "PLATFORM_ONLINE")
    notes = [row.cells[0] for row in rows.notes(status())]
    assert notes == ["FX USD/BRL 5.4321 as of 09:00:00 (WDO)", "Front contracts: NQ NQZ26, WDO WDOF27"]


def test_notes_show_kill_switch_progress_pauses_scoped_states_and_waiting_work() -> None:
    data = status(approvals=[{"id": "a"}], held_legs=[{}, {}], fx={"pair": "USD/BRL", "unavailable": "no rate"})
    data["kill_switch_progress"]["lines"] = ["pending cancel: nt8 leg x"]
    data["risk"]["pauses"] = [{"code": "DAILY_LOSS", "reason": "loss", "until": "2026-12-07T17:00:00-06:00"}]
    data["risk"]["trading_states"] = [{"scope": "symbol", "value": "NQ", "state": "REDUCING", "reason": "roll"}]
    assert [row.cells[0] for row in rows.notes(data)][:6] == [
        "kill switch: pending cancel: nt8 leg x",
        "paused: DAILY_LOSS until 17:00:00 loss",
        "state REDUCING on symbol NQ: roll",
        "1 orders wait for approval (nexusgw approvals list)",
        "2 legs held for their platform to return",
        "FX USD/BRL unavailable: no rate",
    ]


def test_throughput_from_the_change_of_messages_in_between_two_answers() -> None:
    before, after = status(uptime_s=10.0), status(uptime_s=12.0)
    before["counts"] = {"messages_in": 100}
    assert rows.throughput(after, before) == pytest.approx(30.0)  # (160 - 100) / (12 - 10)
    assert rows.throughput(after, None) is None
    assert rows.throughput(after, status(uptime_s=10.0, pid=1)) is None  # another gateway process: no rate
    assert cells(rows.performance(after, before), "Throughput").cells[1] == "30.0 msg/s"


def test_metrics_are_picked_up_when_the_status_has_them() -> None:
    """The metrics section as docs/monitoring.md gives it (histograms in seconds, fill rate a fraction)."""
    metrics = {
        "process": {"cpu_seconds": 0.87, "resident_memory_bytes": 78643200},
        "engine_queue_depth": 0,
        "fill_rate": 0.86,
        "rejects": {"RISK_LOW_CONFIDENCE": 1},
        "latency": {
            "gateway_added_seconds": {"nt8": {"buckets": [[0.001, 2], ["+Inf", 3]], "count": 3, "sum": 0.004}},
            "signal_to_fill_seconds": {"buckets": [[0.01, 3], ["+Inf", 3]], "count": 3, "sum": 0.016},
            "signal_to_fill_p95_1m_seconds": 0.0061,
        },
        "platforms": {"nt8": {"online": True, "realized_pnl_usd": 0.0, "unrealized_pnl_usd": -25.0}},
    }
    data = status(metrics=metrics)
    perf = rows.performance(data)
    assert cells(perf, "Latency (avg)").cells[1] == "1.333 ms"  # 0.004 s / 3
    assert cells(perf, "Latency (p99)").cells[1] == "1.000 ms"  # 2.97 of 3 falls in +Inf: the 1 ms bound
    assert cells(perf, "Signal→fill (avg)").cells[1] == "5.3 ms"
    assert cells(perf, "Signal→fill (p95)").cells[1] == "6.1 ms"
    assert cells(perf, "Fill rate") == rows.Row(("Fill rate", "86.0 %"), "warn")  # under the plan's 90 %
    assert cells(perf, "Rejects").cells[1] == "RISK_LOW_CONFIDENCE 1"
    assert cells(perf, "Memory / engine queue").cells[1] == "75 MiB / 0"
    assert cells(perf, "Active orders").cells[1] == "1"
    nt8 = rows.platforms(data)[0]
    assert nt8.cells[5:] == ("1.000 ms", "-$25.00")
    assert [row.cells[0] for row in rows.trading(data)][-1] == "Loss limit"  # no day statistics: no rows for them


def test_day_statistics_are_shown_when_a_gateway_sends_them() -> None:
    trading = {"win_rate_percent": 62.2, "winning_trades": 28, "losing_trades": 17, "avg_win_usd": 125.5,
               "avg_loss_usd": -75.3, "profit_factor": 1.85}  # fmt: skip
    today = rows.trading(status(metrics={"trading": trading}))
    assert cells(today, "Win rate").cells[1] == "62.2 %"
    assert cells(today, "Winners / losers").cells[1] == "28 / 17"
    assert cells(today, "Avg win / loss").cells[1] == "+$125.50 / -$75.30"
    assert cells(today, "Profit factor").cells[1] == "1.85"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"platforms": [1, 2], "risk": "down", "alerts": "none", "positions": {"a": 1}, "counts": None},
        {"platforms": {"x": None}, "risk": {"usage": {"daily_pnl_usd": "?"}}, "active_orders": [None, 3]},
        {"metrics": {"latency": "fast", "platforms": {"nt8": 5}}, "uptime_s": "long", "fx": {"rate": "5"}},
    ],
)
def test_absent_or_garbled_figures_never_raise(data: dict[str, Any]) -> None:
    view = rows.view(copy.deepcopy(data), previous=copy.deepcopy(data))
    assert view.header[0].cells[1] == f"Uptime: {NONE}"
    assert cells(view.performance, "Latency (avg)").cells[1] == NONE
