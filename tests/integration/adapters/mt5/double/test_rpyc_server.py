"""The double served over a real rpyc classic connection on loopback, reached the ways mt5linux reaches MetaTrader5."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

rpyc = pytest.importorskip("rpyc")

pytestmark = pytest.mark.integration
START_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    command = [sys.executable, "-m", "nexus_gw.adapters.mt5.double.server", "--port", "0", "--clock", "manual"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        line = ""
        while time.monotonic() < deadline and not line.startswith("listening on"):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                pytest.fail(f"the double's rpyc server exited with {process.returncode} before listening")
        assert line.startswith("listening on"), f"no 'listening on' line within {START_TIMEOUT}s"
        yield int(line.rsplit(":", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def conn(served: int) -> Iterator[Any]:
    connection = rpyc.classic.connect("127.0.0.1", served)
    connection._config["sync_request_timeout"] = 300  # as mt5linux does
    mt5 = connection.modules.MetaTrader5
    mt5._double.clear_faults()
    mt5._double.set_market_open(True)
    assert mt5.initialize()
    yield connection
    connection.close()


def deal_request(volume: float = 1.0) -> dict[str, Any]:
    return {"action": 1, "symbol": "NAS100", "volume": volume, "type": 0, "type_filling": 1, "comment": "leg-r"}


def test_mt5linux_style_remote_eval(conn: Any) -> None:
    conn.execute("import MetaTrader5 as mt5")
    result = conn.eval(f"mt5.order_send({deal_request()!r})")
    copied = result._asdict()  # on the server side, as mt5linux clients must
    assert copied["retcode"] == 10009 and copied["comment"] == "Request executed"
    assert conn.eval("mt5.TRADE_RETCODE_DONE") == 10009


def test_records_must_be_copied_with_asdict_not_obtained(conn: Any) -> None:
    mt5 = conn.modules.MetaTrader5
    info = mt5.account_info()
    with pytest.raises(TypeError):
        rpyc.classic.obtain(info)
    assert dict(info._asdict())["currency"] == "USD"


def test_ticks_are_obtained_like_mt5linux_copy_functions(conn: Any) -> None:
    mt5 = conn.modules.MetaTrader5
    mt5._double.advance(3)
    ticks = rpyc.classic.obtain(mt5.copy_ticks_from("NAS100", 0, 100, mt5.COPY_TICKS_ALL))
    times = [row["time_msc"] for row in ticks]
    assert len(times) >= 6 and times == sorted(set(times))


def test_fault_injection_reaches_the_server(conn: Any) -> None:
    mt5 = conn.modules.MetaTrader5
    mt5._double.force_retcodes(mt5.TRADE_RETCODE_REQUOTE)
    assert mt5.order_send(deal_request()).retcode == 10004
    assert mt5.order_send(deal_request()).retcode == 10009
    mt5._double.lose_next_answer("none")
    deals_before = len(mt5.history_deals_get(0, 2**40))
    assert mt5.order_send(deal_request()) is None
    assert tuple(mt5.last_error()) == (-10005, "IPC timeout")
    assert len(mt5.history_deals_get(0, 2**40)) == deals_before + 1


def test_disconnect_over_rpyc(conn: Any) -> None:
    mt5 = conn.modules.MetaTrader5
    mt5._double.disconnect()
    assert mt5.terminal_info().connected is False
    assert mt5.order_send(deal_request()).retcode == mt5.TRADE_RETCODE_CONNECTION
