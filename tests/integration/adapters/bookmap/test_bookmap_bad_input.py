"""Bad input between the bookmap package and Bookmap (the fake): garbage or truncated frames from either side, an
instrument Bookmap never attached, a connection lost mid-order. Each: a clear log line, the leg rejected or
reconciled, every execution counted once, no order sent twice."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from nexus_gw.adapters.bookmap import frames
from nexus_gw.adapters.bookmap.driver import BookmapDriver
from nexus_gw.adapters.bookmap.fake import FakeBookmap
from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import Order

from ..contract import Recorder, Running
from .conftest import ES, NQ, make_driver, subscriptions


def start(driver: BookmapDriver) -> Running:
    run = Running(driver, Recorder())
    driver.start(run.events)
    run.wait(lambda: run.events.states and run.events.states[-1], "connected")
    driver.subscribe(subscriptions())
    return run


@pytest.fixture
def running(fake: FakeBookmap) -> Iterator[Running]:
    run = start(make_driver(fake.port, ack_timeout_s=1.0))
    yield run
    run.driver.stop()


def order(leg: str, symbol: str = NQ, qty: float = 2.0, **kw: object) -> Order:
    return Order(leg_id=leg, order_id=leg.split(".")[0], symbol=symbol, side=Side.BUY, qty=qty, **kw)  # type: ignore[arg-type]


def orders_of(fake: FakeBookmap, leg: str) -> list[str]:
    return [o.order_id for o in fake.market.orders.values() if o.client_id == leg]


def test_garbage_and_truncated_lines_from_bookmap_are_dropped_with_a_log_line_and_trading_goes_on(
    fake: FakeBookmap, running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    running.wait(lambda: running.events.last_tick(NQ), "a tick")
    with caplog.at_level(logging.ERROR):
        fake.inject(frames.encode(frames.TRADE, NQ, "not-a-price", 1) + b"\xff\xfe\x00garbage\n")
        fake.inject(frames.encode(frames.UPDATE_ORDER, '{"orderId": "bm1", "status":'))  # truncated JSON
        fake.inject(frames.encode(frames.DEPTH, NQ, 1))  # fields missing
        running.driver.submit(order("g1.bookmap"))
        running.wait(lambda: running.events.filled("g1.bookmap") >= 2, "the order filled after the garbage")
    dropped = [r.getMessage() for r in caplog.records if "dropped a malformed message from Bookmap" in r.getMessage()]
    assert len(dropped) == 4, dropped
    assert running.events.states[-1] is True and running.events.states.count(False) == 0


def test_a_frame_truncated_by_the_end_of_the_connection_is_dropped_and_the_driver_reconnects(
    fake: FakeBookmap, running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        fake.inject('21\ue000{"orderId": "bm'.encode())
        fake.drop()
        running.wait(lambda: running.events.states.count(True) >= 2, "the reconnect")
    assert "closed the connection inside a message" in caplog.text
    running.driver.submit(order("t1.bookmap"))
    running.wait(lambda: running.events.filled("t1.bookmap") >= 2, "a fill after the reconnect")


def test_an_order_for_an_instrument_bookmap_never_attached_is_rejected_and_never_sent(
    fake: FakeBookmap, running: Running
) -> None:
    running.driver.submit(order("u1.bookmap", symbol="ZZZZ6.CME@RITHMIC"))
    running.wait(lambda: OrderStatus.REJECTED in running.events.statuses("u1.bookmap"), "the reject")
    reason = running.events.reason("u1.bookmap", OrderStatus.REJECTED)
    assert "has not attached ZZZZ6.CME@RITHMIC" in reason and NQ in reason, reason
    assert not [line for line in fake.received if line.startswith(frames.SEND_ORDER + frames.SEP)]


def test_an_order_whose_answers_are_lost_with_the_connection_is_reconciled_and_filled_once(
    fake: FakeBookmap, running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    fake.drop_on_next_order()
    with caplog.at_level(logging.ERROR):
        running.driver.submit(order("d1.bookmap"))
        running.wait(lambda: running.events.states.count(True) >= 2, "the reconnect")
        running.wait(lambda: running.events.filled("d1.bookmap") >= 2, "the fills from Bookmap's order list")
    assert "leg d1.bookmap: sent, but Bookmap's answer was lost" in caplog.text
    assert len(orders_of(fake, "d1.bookmap")) == 1  # never sent twice
    fills = [f for f in running.events.fills if f[0] == "d1.bookmap"]
    assert len(fills) == 2 and sum(f[2] for f in fills) == 2.0, fills  # each execution reported exactly once
    report = running.wait(running.driver.report, "a report")
    assert report.positions[NQ] == pytest.approx(2.0) and not report.open_orders, report


def test_a_malformed_message_from_the_addon_side_makes_bookmap_deaf_and_the_leg_stays_in_doubt(
    fake: FakeBookmap, running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    session = running.driver._session
    assert session is not None and session.addon is not None
    session.addon["socket"].send(b"99\xee\x80\x80garbage\n")  # a token Bookmap's server does not know
    running.wait(lambda: fake.deaf, "the fake to stop reading the addon")
    with caplog.at_level(logging.ERROR):
        running.driver.submit(order("x1.bookmap"))
        running.wait(lambda: running.events.states.count(True) >= 2, "the reconnect after no answer")
        report = running.wait(running.driver.report, "a report")
    assert "no answer to leg(s) x1.bookmap" in caplog.text
    (doubtful,) = [o for o in report.open_orders if o.leg_id == "x1.bookmap"]
    assert doubtful.in_doubt, report  # Bookmap never read it: open and in doubt, never concluded absent
    assert orders_of(fake, "x1.bookmap") == []  # and not sent again on the new connection
    running.driver.submit(order("x1.bookmap"))  # the gateway's resend of the same leg: ignored
    running.driver.submit(order("x2.bookmap"))
    running.wait(lambda: running.events.filled("x2.bookmap") >= 2, "the next order filled")
    assert orders_of(fake, "x1.bookmap") == []


def test_a_restarted_adapter_binds_an_in_doubt_leg_by_its_client_id_and_counts_its_fills_once(
    fake: FakeBookmap, running: Running
) -> None:
    running.driver.submit(order("r1.bookmap", order_type=OrderType.LIMIT, limit_price=1000.0))  # rests
    running.wait(lambda: OrderStatus.ACCEPTED in running.events.statuses("r1.bookmap"), "accepted")
    running.driver.submit(order("r2.bookmap"))
    running.wait(lambda: running.events.filled("r2.bookmap") >= 2, "r2 filled")
    running.driver.stop()
    records = [  # what the write-ahead kept: r1 sent, its answer never recorded; r2 bound
        InFlightLeg("r1.bookmap", NQ, "BUY", 2.0, "LIMIT", 1000.0, None, 1),
        InFlightLeg(
            "r2.bookmap", NQ, "BUY", 2.0, "MARKET", None, None, 1, platform_order_id=orders_of(fake, "r2.bookmap")[0]
        ),
    ]
    again = make_driver(fake.port)
    again.resume(records)
    run = start(again)
    try:
        report = run.wait(again.report, "a report")
        (r1,) = [o for o in report.open_orders if o.leg_id == "r1.bookmap"]
        assert not r1.in_doubt and r1.platform_order_id == orders_of(fake, "r1.bookmap")[0], report
        assert sorted(f.qty for f in report.executions if f.leg_id == "r2.bookmap") == [1.0, 1.0], report
        again.submit(order("r1.bookmap", order_type=OrderType.LIMIT, limit_price=1000.0))  # a resend: ignored
        again.cancel("r1.bookmap")
        run.wait(lambda: OrderStatus.CANCELLED in run.events.statuses("r1.bookmap"), "the cancel")
        assert len(orders_of(fake, "r1.bookmap")) == 1
    finally:
        again.stop()


def test_an_instrument_bookmap_detaches_is_refused_from_then_on(
    fake: FakeBookmap, running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        fake.detach(NQ)
        running.wait(lambda: f"Bookmap detached {NQ}" in caplog.text, "the detach noticed")
    running.driver.submit(order("dt1.bookmap"))
    running.wait(lambda: OrderStatus.REJECTED in running.events.statuses("dt1.bookmap"), "the reject")
    assert f"has not attached {NQ}" in running.events.reason("dt1.bookmap", OrderStatus.REJECTED)
    running.driver.submit(order("dt2.bookmap", symbol=ES))  # the other instrument trades on
    running.wait(lambda: running.events.filled("dt2.bookmap") >= 2, "ES filled")
