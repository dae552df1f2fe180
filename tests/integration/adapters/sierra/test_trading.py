"""The Sierra driver trading against the DTC simulator over loopback TCP, in the binary and JSON encodings."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.simulator import DtcSimulator
from nexus_gw.protocol.constants import OrderStatus, Side
from nexus_gw.stack import free_port

from .conftest import ES, NQ, SUBSCRIPTIONS, WAIT, Recorder, limit, order, stop, wait_reconciled

pytestmark = pytest.mark.integration

Connected = tuple[SierraDriver, Recorder]


def test_logon_reports_the_platform_up_and_subscriptions_stream_market_data(connected: Connected) -> None:
    driver, recorder = connected
    (state,) = recorder.of("platform_state")
    assert state[0] is True and "logged on to nexusgw DTC simulator" in state[1]
    driver.subscribe(SUBSCRIPTIONS)
    for symbol in (NQ, ES):
        recorder.wait_for("market_data", lambda a, s=symbol: a[0] == s, count=3)
    ticks = recorder.of("market_data", lambda a: a[0] == NQ)
    for _symbol, bid, ask, last, size, ts_ns in ticks:
        assert 0 < bid < ask and last > 0 and size >= 0
        assert abs(ts_ns / 1e9 - time.time()) < 60
    assert any(size > 0 for *_rest, size, _ts in ticks), "trades carry their size"

    driver.subscribe(SUBSCRIPTIONS[:1])  # a new set replaces the old one: ES stops
    time.sleep(0.2)
    before = len(recorder.of("market_data", lambda a: a[0] == ES))
    time.sleep(0.3)
    assert len(recorder.of("market_data", lambda a: a[0] == ES)) == before
    assert driver.session.subscriptions.keys() == {NQ}


def test_market_order_is_accepted_and_filled_under_its_leg_id(connected: Connected, sim: DtcSimulator) -> None:
    driver, recorder = connected
    driver.submit(order("o-mkt.sierra", 2))
    leg_id, _status, _reason, server_order_id = recorder.status("o-mkt.sierra", OrderStatus.ACCEPTED)
    assert server_order_id
    leg = recorder.wait_filled("o-mkt.sierra", 2)
    assert leg.status is OrderStatus.FILLED
    fills = recorder.fills("o-mkt.sierra")
    assert len(fills) == 2 and len({f[1] for f in fills}) == 2  # two slices, two execution ids
    assert all(f[2] == 1 and f[3] > 0 for f in fills)
    (placed,) = [o for o in sim.exchange.export_state()["orders"] if o["server_order_id"] == server_order_id]
    assert placed["client_order_id"] == leg_id  # ClientOrderID = the leg id


def test_limit_and_stop_orders_rest_then_fill_when_the_market_reaches_them(
    connected: Connected, sim: DtcSimulator
) -> None:
    driver, recorder = connected
    bid, _ask = sim.exchange.bid_ask(NQ)
    driver.submit(limit("o-lmt.sierra", bid - 200))
    driver.submit(stop("o-stp.sierra", bid + 200))
    recorder.status("o-lmt.sierra", OrderStatus.ACCEPTED)
    recorder.status("o-stp.sierra", OrderStatus.ACCEPTED)
    time.sleep(0.2)
    assert recorder.fills("o-lmt.sierra") == [] and recorder.fills("o-stp.sierra") == []

    sim.set_price(NQ, bid - 220)
    recorder.wait_filled("o-lmt.sierra", 1)
    assert all(price <= bid - 200 for *_x, price, _ts in recorder.fills("o-lmt.sierra"))
    sim.set_price(NQ, bid + 220)
    recorder.wait_filled("o-stp.sierra", 1)
    assert all(price >= bid + 200 for *_x, price, _ts in recorder.fills("o-stp.sierra"))


def test_unknown_symbol_is_rejected_with_the_simulators_text(connected: Connected) -> None:
    driver, recorder = connected
    driver.submit(order("o-bad.sierra", symbol="ZZZZ99"))
    _leg, _status, reason, _sid = recorder.status("o-bad.sierra", OrderStatus.REJECTED)
    assert reason.startswith("Symbol 'ZZZZ99' is not known to the simulator")
    assert recorder.of("order_update", lambda a: a[0] == "o-bad.sierra" and a[1] is not OrderStatus.REJECTED) == []


def test_cancel_of_a_resting_order_reports_cancelled(connected: Connected, sim: DtcSimulator) -> None:
    driver, recorder = connected
    bid, _ask = sim.exchange.bid_ask(NQ)
    driver.submit(limit("o-cxl.sierra", bid - 300))
    recorder.status("o-cxl.sierra", OrderStatus.ACCEPTED)
    driver.cancel("o-cxl.sierra")
    _leg, _status, reason, sid = recorder.status("o-cxl.sierra", OrderStatus.CANCELLED)
    assert reason == "Order canceled" and sid
    driver.cancel("nobody.sierra")  # a leg this adapter never placed: logged, nothing sent
    time.sleep(0.1)
    assert recorder.of("order_update", lambda a: a[0] == "nobody.sierra") == []


def test_a_repeated_order_for_the_same_leg_is_not_sent_twice(connected: Connected, sim: DtcSimulator) -> None:
    driver, recorder = connected
    bid, _ask = sim.exchange.bid_ask(NQ)
    driver.submit(limit("o-rep.sierra", bid - 300))
    recorder.status("o-rep.sierra", OrderStatus.ACCEPTED)
    driver.submit(limit("o-rep.sierra", bid - 300))
    recorder.wait_for("order_update", lambda a: a[0] == "o-rep.sierra", count=2)
    placed = [o for o in sim.exchange.export_state()["orders"] if o["client_order_id"] == "o-rep.sierra"]
    assert len(placed) == 1
    assert {a[1] for a in recorder.of("order_update", lambda a: a[0] == "o-rep.sierra")} == {OrderStatus.ACCEPTED}


def test_sell_orders_and_capabilities(connected: Connected) -> None:
    driver, recorder = connected
    assert [t.value for t in driver.capabilities().order_types] == ["MARKET", "LIMIT", "STOP"]
    driver.submit(order("o-sell.sierra", 1, side=Side.SELL))
    recorder.wait_filled("o-sell.sierra", 1)


def test_reports_of_orders_placed_elsewhere_are_not_forwarded(
    connected: Connected, sim: DtcSimulator, make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    _driver, recorder = connected
    other, other_recorder = make_driver(sim.port, name="sierra2")
    other_recorder.wait_for("platform_state", lambda a: a[0] is True)
    other.submit(order("o-other.sierra2"))
    other_recorder.wait_filled("o-other.sierra2", 1)
    time.sleep(0.2)  # the simulator broadcasts every update to every client, like one shared account
    assert recorder.of("order_update") == [] and recorder.of("fill") == []


def test_stop_ends_the_session_promptly(connected: Connected) -> None:
    driver, _recorder = connected
    started = time.monotonic()
    driver.stop()
    assert time.monotonic() - started < WAIT
    assert not driver.session.logged_on


def test_report_gives_sierras_view_only_while_it_is_known(
    connected: Connected, sim: DtcSimulator, make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    driver, recorder = connected
    bid, _ask = sim.exchange.bid_ask(NQ)
    driver.submit(limit("o-rest.sierra", bid - 300))
    sid = recorder.status("o-rest.sierra", OrderStatus.ACCEPTED)[3]
    driver.submit(order("o-done.sierra", 2))
    recorder.wait_filled("o-done.sierra", 2)
    time.sleep(0.1)  # the position update follows the fill
    report = driver.report()
    assert report is not None
    assert [(o.leg_id, o.status, o.platform_order_id) for o in report.open_orders] == [
        ("o-rest.sierra", OrderStatus.ACCEPTED, sid)
    ]
    assert sorted(f.fill_id for f in report.executions) == sorted(f[1] for f in recorder.fills("o-done.sierra"))
    assert report.positions == {NQ: 2.0}

    sim.drop_clients()
    wait_reconciled(driver, 2)
    again = driver.report()
    assert again is not None and [o.leg_id for o in again.open_orders] == ["o-rest.sierra"]
    assert again.positions == {NQ: 2.0}

    unreachable, _ = make_driver(free_port())
    assert unreachable.report() is None  # never logged on: unknown, not empty


def test_a_paper_instance_streams_but_never_sends_orders(
    sim: DtcSimulator, make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    driver, recorder = make_driver(sim.port, paper=True)
    assert driver.capabilities().paper
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    driver.submit(order("o-paper.sierra"))
    reason = recorder.status("o-paper.sierra", OrderStatus.REJECTED)[2]
    assert "paper mode" in reason
    assert sim.exchange.export_state()["orders"] == []
