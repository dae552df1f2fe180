"""The daily check and the backup against a running stack: a gateway, the Sierra adapter and the DTC simulator as
processes. The simulated feed spells contracts as Sierra's own feed does (``NQZ26_FUT_CME``); the dev profile's
Sierra template is the bare contract (``NQZ26``): the adapter finds out at logon, the gateway's status and
``nexusgw check`` show it with the setting to change, and once that setting is made the symbols are known."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.journal import Journal
from nexus_gw.stack import LocalStack, setting_env

pytestmark = pytest.mark.e2e


def nexusgw(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "nexus_gw.cli.app", *args, "--profile", "dev", "--config-dir", str(stack.config_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, env=stack.env(), timeout=60, check=False)


def sierra_symbols(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data["platforms"]["sierra"]["symbols"])


def checked(stack: LocalStack) -> dict[str, dict[str, str]]:
    run = nexusgw(stack, "check", "--when", "session", "--json")
    assert run.returncode == 1, run.stderr  # the other dev platforms are not running: some item fails anyway
    return {item["item"]: item for item in json.loads(run.stdout)["items"]}


def test_a_wrong_sierra_template_shows_in_status_and_check_and_the_setting_fixes_it(stack: LocalStack) -> None:
    stack.start_companion("sierra", args=["--feed-template", "sierra"])
    stack.start_gateway()
    stack.start_adapter("sierra")
    data = stack.wait_status(
        lambda d: any(s["known"] is False for s in sierra_symbols(d)), 20, "sierra's verdict on its symbols"
    )
    nq = next(s for s in sierra_symbols(data) if s["root"] == "NQ")
    assert nq["known"] is False and not nq["symbol"].endswith("_FUT_CME")
    assert f"{nq['symbol']}_FUT_CME" in nq["reason"]
    assert "platforms.sierra.settings.symbol_template: sierra" in nq["reason"]
    symbols = checked(stack)["symbols"]
    assert symbols["status"] == "fail" and "symbol_template: sierra" in symbols["reason"]

    stack.stop("sierra")
    stack.stop("gateway")
    stack.extra_env[setting_env("sierra", "symbol_template")] = "sierra"
    stack.start_gateway()
    stack.start_adapter("sierra")
    data = stack.wait_status(
        lambda d: sierra_symbols(d) and all(s["known"] for s in sierra_symbols(d)), 20, "every sierra symbol known"
    )
    assert all(s["symbol"].endswith("_FUT_CME") for s in sierra_symbols(data))
    assert checked(stack)["symbols"]["status"] == "pass"


def test_backup_while_the_gateway_runs_then_check_sees_it(stack: LocalStack, tmp_path: Path) -> None:
    stack.start_gateway()
    assert checked(stack)["disk"]["status"] == "pass"
    run = nexusgw(stack, "backup", "--to", str(tmp_path / "copies"), "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert "journal: " in run.stderr and result["rows"]["meta"] >= 1
    with Journal.open(result["path"], readonly=True) as copy:
        assert copy.verify() == []
    check = nexusgw(stack, "check", "--when", "close", "--json")
    backup = {i["item"]: i for i in json.loads(check.stdout)["items"]}["backup"]
    assert backup["status"] == "pass" and result["path"] in backup["reason"]


def test_in_production_format_every_log_line_of_an_order_carries_its_ids(stack: LocalStack) -> None:
    from nexus_gw.client import NexusGatewayInterface

    stack.extra_env["NEXUSGW_LOG_FORMAT"] = "json"
    stack.start_companion("sierra")
    stack.start_gateway()
    stack.start_adapter("sierra")
    stack.wait_online(["sierra"])
    fills: list[dict[str, Any]] = []
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="logs") as gw:
        quoted = threading.Event()
        gw.set_fill_callback(fills.append)
        gw.set_market_data_callback(lambda tick: tick["symbol"] == "NQ" and quoted.set())
        gw.start_listening()
        assert quoted.wait(30), "no NQ quote from Sierra: the gateway would refuse the signal as stale"
        order_id = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
        stack.wait_status(lambda d: not d["active_orders"] and d["counts"].get("fills"), 20, "the order filled")
    lines = []
    for name in ("gateway", "sierra"):
        for text in stack.log_path(name).read_text().splitlines():
            if text.startswith("{"):
                lines.append(json.loads(text))  # every structured line is one JSON object
    about = [line for line in lines if order_id in line["msg"]]
    assert len(about) >= 2, f"no log lines about {order_id}"
    assert all(line["order_id"] == order_id for line in about)
    legs = [line for line in about if f"{order_id}.sierra" in line["msg"]]
    assert legs and all(line["leg_id"] == f"{order_id}.sierra" for line in legs)
    assert {line["role"] for line in lines} >= {"gateway", "adapter[sierra]"}
