"""The MT5 driver on each return code, a terminal lost mid-order, hedging and netting, and a restart — against
the MetaTrader5 double. Every wait polls the driver with a deadline (``Running.wait``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.adapters.mt5.driver import MT5Driver
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.protocol.messages import Order, Subscription

from ..contract import Running
from .conftest import double, make_driver, win_subscription

_n = iter(range(1, 10_000))


def order(symbol: str, qty: float = 1.0, side: Side = Side.BUY, name: str = "mt5_global", **kw: Any) -> Order:
    oid = f"o{next(_n)}"
    return Order(leg_id=f"{oid}.{name}", order_id=oid, symbol=symbol, side=side, qty=qty, **kw)


def started(driver: MT5Driver, subs: list[Subscription]) -> Running:
    run = Running(driver)
    driver.start(run.events)
    run.wait(lambda: run.events.states and run.events.states[-1], "connected")
    driver.subscribe(subs)
    return run


@pytest.fixture
def cfd() -> Iterator[Any]:
    mt5 = double.create("global", realtime=True, tick_ms=20)
    mt5._double.set_market_open(True)
    yield mt5


@pytest.fixture
def run(cfd: Any) -> Iterator[Running]:
    running = started(make_driver(cfd, "mt5_global", market="cfd"), [Subscription(root="NQ", symbol="NAS100")])
    running.wait(lambda: running.events.last_tick("NAS100"), "a NAS100 tick")
    yield running
    running.driver.stop()


def sends(mt5: Any, symbol: str) -> int:
    """Orders the terminal ever received for ``symbol`` (working and history)."""
    now = int(time.time())
    return len(mt5.history_orders_get(now - 86_400, now + 86_400, group=symbol) or ()) + len(
        mt5.orders_get(symbol=symbol) or ()
    )


def test_nq_sized_20_lots_fills_on_nas100_in_exactly_20_lots(run: Running, cfd: Any) -> None:
    leg = order("NAS100", 20.0)
    run.driver.submit(leg)
    run.wait(lambda: run.events.filled(leg.leg_id) >= 20.0, "the fill")
    assert run.events.filled(leg.leg_id) == pytest.approx(20.0)
    assert [p.volume for p in cfd.positions_get(symbol="NAS100")] == [20.0]
    assert cfd.positions_get(symbol="NAS100")[0].magic == make_driver(cfd).settings.magic


@pytest.mark.parametrize("code", [10004, 10020, 10021])
def test_a_requote_price_change_or_off_quotes_is_resent_and_fills(run: Running, cfd: Any, code: int) -> None:
    cfd._double.force_retcodes(code, code)
    leg = order("NAS100")
    run.driver.submit(leg)
    run.wait(lambda: run.events.filled(leg.leg_id) >= 1.0, "the fill after the resends")
    assert OrderStatus.REJECTED not in run.events.statuses(leg.leg_id)


def test_requotes_beyond_the_bound_reject_the_leg_with_the_brokers_text(run: Running, cfd: Any) -> None:
    cfd._double.force_retcodes(*[10004] * 4)  # max_retries 3: four answers, four sends
    leg = order("NAS100")
    run.driver.submit(leg)
    reason = run.events.reason(leg.leg_id, OrderStatus.REJECTED)
    assert reason.startswith("mt5_global: 10004 REQUOTE") and "after 4 attempts" in reason
    assert run.events.fills_of(leg.leg_id) == []


@pytest.mark.parametrize(
    ("fault", "code", "text"),
    [
        (lambda m: m._double.set_market_open(False, "NAS100"), 10018, "MARKET_CLOSED"),
        (lambda m: m._double.set_autotrading(False), 10027, "AutoTrading"),
        (lambda m: m._double.set_account_trade_allowed(False), 10017, "TRADE_DISABLED"),
        (lambda m: m._double.force_retcodes(10019), 10019, "NO_MONEY"),
        (lambda m: m._double.force_retcodes(10016), 10016, "INVALID_STOPS"),
        (lambda m: m._double.force_retcodes(10014), 10014, "INVALID_VOLUME"),
        (lambda m: m._double.force_retcodes(10015), 10015, "INVALID_PRICE"),
        (lambda m: m._double.force_retcodes(10030), 10030, "INVALID_FILL"),
    ],
)
def test_a_final_refusal_rejects_the_leg_with_the_code_and_the_brokers_text(
    run: Running, cfd: Any, fault: Any, code: int, text: str
) -> None:
    fault(cfd)
    leg = order("NAS100")
    run.driver.submit(leg)
    reason = run.events.reason(leg.leg_id, OrderStatus.REJECTED)
    assert reason.startswith(f"mt5_global: {code} ") and text in reason, reason
    assert sends(cfd, "NAS100") == 0 and run.events.fills_of(leg.leg_id) == []


def test_a_volume_that_cannot_be_rounded_and_an_unknown_symbol_are_rejected_with_the_reason(run: Running) -> None:
    tiny, unknown = order("NAS100", 0.004), order("NAS999")
    run.driver.submit(tiny)
    run.driver.submit(unknown)
    assert "rounds to 0 lots" in run.events.reason(tiny.leg_id, OrderStatus.REJECTED)
    refused = run.events.reason(unknown.leg_id, OrderStatus.REJECTED)
    assert "does not list NAS999: set platforms.mt5_global.settings.symbols.NAS999" in refused


def test_subscribed_symbols_are_verified_and_an_unknown_one_reported_naming_the_setting(run: Running) -> None:
    run.driver.subscribe([Subscription(root="NQ", symbol="NAS100"), Subscription(root="ES", symbol="SPX999")])
    run.wait(lambda: "SPX999" in run.events.symbols, "the verdict on SPX999")
    assert run.events.symbols["NAS100"] == (True, "")
    known, reason = run.events.symbols["SPX999"]
    assert known is False and "set platforms.mt5_global.settings.symbols.SPX999" in reason
    leg = order("SPX999")
    run.driver.submit(leg)
    assert run.events.reason(leg.leg_id, OrderStatus.REJECTED).endswith(reason)


@pytest.mark.parametrize("mode", ["timeout", "none"])
def test_an_answer_lost_mid_order_keeps_the_leg_open_sends_once_and_counts_the_fill_once(
    run: Running, cfd: Any, mode: str
) -> None:
    cfd._double.lose_next_answer(mode)  # the order IS executed; the driver never reads the answer
    leg = order("NAS100", 2.0)
    run.driver.submit(leg)
    assert OrderStatus.REJECTED not in run.events.statuses(leg.leg_id)
    run.wait(lambda: run.events.filled(leg.leg_id) >= 2.0, "the fill found by the leg's comment")
    run.wait(lambda: OrderStatus.ACCEPTED in run.events.statuses(leg.leg_id), "the leg bound to its ticket")
    run.driver.submit(leg)  # the gateway repeats it: never sent again
    for _ in range(20):
        run.driver.poll(time.monotonic())
    assert sends(cfd, "NAS100") == 1
    assert len(run.events.fills_of(leg.leg_id)) == len({f[1] for f in run.events.fills if f[0] == leg.leg_id})
    assert run.events.filled(leg.leg_id) == pytest.approx(2.0)
    assert [p.volume for p in cfd.positions_get(symbol="NAS100")] == [2.0]


def test_a_leg_sent_while_the_terminal_is_gone_is_rejected_unsent_and_the_driver_comes_back(
    run: Running, cfd: Any
) -> None:
    cfd._double.terminal_gone()
    leg = order("NAS100")
    run.driver.submit(leg)  # symbol_info fails with -10004 before anything is sent
    assert "lost its MT5 terminal" in run.events.reason(leg.leg_id, OrderStatus.REJECTED)
    assert run.events.states[-1] is False
    assert run.driver.report() is None  # unknown while disconnected, never "no orders"
    cfd._double.terminal_back()
    run.wait(lambda: run.events.states[-1] is True, "the reconnect")
    assert run.wait(run.driver.report, "a report").open_orders == []
    assert sends(cfd, "NAS100") == 0


def test_hedging_closes_the_position_by_its_ticket(run: Running, cfd: Any) -> None:
    buy = order("NAS100", 1.0)
    run.driver.submit(buy)
    run.wait(lambda: run.events.filled(buy.leg_id) >= 1.0, "the buy")
    sell = order("NAS100", 1.0, Side.SELL)
    run.driver.submit(sell)
    run.wait(lambda: run.events.filled(sell.leg_id) >= 1.0, "the sell")
    assert cfd.positions_get(symbol="NAS100") == ()  # closed, not a second opposite position
    report = run.wait(run.driver.report, "a report")
    assert report.positions == {}


def test_hedging_closes_part_of_a_larger_position_by_its_ticket(run: Running, cfd: Any) -> None:
    buy = order("NAS100", 3.0)
    run.driver.submit(buy)
    run.wait(lambda: run.events.filled(buy.leg_id) >= 3.0, "the buy")
    sell = order("NAS100", 1.0, Side.SELL)
    run.driver.submit(sell)
    run.wait(lambda: run.events.filled(sell.leg_id) >= 1.0, "the sell")
    (left,) = cfd.positions_get(symbol="NAS100")  # one position, reduced; no opposite one beside it
    assert (left.type, left.volume) == (0, 2.0)


def test_netting_reduces_and_reports_the_net_position() -> None:
    mt5 = double.create("brazil", realtime=True, tick_ms=20)
    mt5._double.set_market_open(True)
    sub = win_subscription(mt5)
    run = started(make_driver(mt5), [sub])
    try:
        buy, sell = order(sub.symbol, 3.0, name="mt5_brazil"), order(sub.symbol, 1.0, Side.SELL, name="mt5_brazil")
        run.driver.submit(buy)
        run.wait(lambda: run.events.filled(buy.leg_id) >= 3.0, "the buy")
        run.driver.submit(sell)
        run.wait(lambda: run.events.filled(sell.leg_id) >= 1.0, "the sell")
        report = run.wait(run.driver.report, "a report")
        assert report.positions == {sub.symbol: pytest.approx(2.0)}
    finally:
        run.driver.stop()


def test_a_restarted_driver_maps_the_orders_and_deals_of_earlier_runs_to_their_legs(run: Running, cfd: Any) -> None:
    tick = run.events.last_tick("NAS100")
    assert tick is not None
    resting = order("NAS100", 1.0, order_type=OrderType.LIMIT, limit_price=round(tick.bid - 500, 2))
    run.driver.submit(resting)
    ticket = next(u for u in run.events.updates if u[0] == resting.leg_id and u[1] is OrderStatus.ACCEPTED)
    assert ticket
    run.driver.stop()
    after = make_driver(cfd, "mt5_global", market="cfd")
    assert cfd.initialize()
    tickets = {o.comment: o.ticket for o in cfd.orders_get()}
    assert len(tickets) == 1
    after.resume([_record(resting, str(next(iter(tickets.values()))))])
    running = started(after, [Subscription(root="NQ", symbol="NAS100")])
    try:
        report = running.wait(after.report, "a report")
        assert [o.leg_id for o in report.open_orders] == [resting.leg_id]
        after.cancel(resting.leg_id)
        assert OrderStatus.CANCELLED in running.events.statuses(resting.leg_id)
        assert cfd.orders_get() == ()
    finally:
        after.stop()


def _record(o: Order, ticket: str, sent_ns: int = 0) -> InFlightLeg:
    return InFlightLeg(
        o.leg_id, o.symbol, o.side.value, o.qty, o.order_type.value, o.limit_price, o.stop_price, sent_ns, ticket
    )


def test_a_leg_written_ahead_but_never_sent_is_rejected_as_never_received_after_the_grace(cfd: Any) -> None:
    """The adapter died between its write-ahead and ``order_send``: MT5 never saw the leg. The restarted driver
    keeps it in doubt for ``in_doubt_grace_s``, then, with no order or deal of it in MT5's lists, rejects it, so
    the gateway can finish the order instead of waiting for it forever."""
    lost = order("NAS100", 1.0)
    driver = make_driver(cfd, "mt5_global", market="cfd", in_doubt_grace_s=1.0)
    driver.resume([_record(lost, "", time.time_ns())])
    running = started(driver, [Subscription(root="NQ", symbol="NAS100")])
    try:
        report = running.wait(driver.report, "a report")
        assert [(o.leg_id, o.in_doubt) for o in report.open_orders] == [(lost.leg_id, True)]
        assert OrderStatus.REJECTED not in running.events.statuses(lost.leg_id)  # not before the grace
        running.wait(lambda: OrderStatus.REJECTED in running.events.statuses(lost.leg_id), "the leg rejected", 10)
        reason = running.events.reason(lost.leg_id, OrderStatus.REJECTED)
        assert "never reached MT5" in reason
        assert running.wait(driver.report, "a report").open_orders == []
        assert sends(cfd, "NAS100") == 0
    finally:
        driver.stop()


def test_a_leg_whose_answer_was_lost_before_a_restart_is_bound_and_filled_never_rejected(
    run: Running, cfd: Any
) -> None:
    """The order reached MT5 and filled, but the adapter died before reading the answer (no ticket written):
    the restarted driver finds it by its comment in MT5's history, binds it and reports its fill once."""
    cfd._double.lose_next_answer("timeout")
    leg = order("NAS100", 2.0)
    run.driver.submit(leg)
    run.driver.stop()  # gone before the deal was read
    after = make_driver(cfd, "mt5_global", market="cfd", in_doubt_grace_s=1.0)
    assert cfd.initialize()
    after.resume([_record(leg, "", time.time_ns())])
    running = started(after, [Subscription(root="NQ", symbol="NAS100")])
    try:
        running.wait(lambda: running.events.filled(leg.leg_id) >= 2.0, "the fill found by the leg's comment")
        running.wait(lambda: OrderStatus.ACCEPTED in running.events.statuses(leg.leg_id), "the leg bound")
        deadline = time.monotonic() + 2.5  # past the grace and a history check
        while time.monotonic() < deadline:
            after.poll(time.monotonic())
            time.sleep(0.05)
        assert OrderStatus.REJECTED not in running.events.statuses(leg.leg_id)
        assert running.events.filled(leg.leg_id) == pytest.approx(2.0)
        assert sends(cfd, "NAS100") == 1
    finally:
        after.stop()


def test_a_stale_feed_and_a_terminal_off_its_broker_are_reported_not_silent(cfd: Any) -> None:
    run = started(
        make_driver(cfd, "mt5_global", market="cfd", stale_after_s=0.3), [Subscription(root="NQ", symbol="NAS100")]
    )
    try:
        run.wait(lambda: run.events.last_tick("NAS100"), "a NAS100 tick")
        cfd._double.disconnect()  # the terminal loses its broker: no ticks, terminal_info().connected False
        run.wait(lambda: run.events.states[-1] is False, "the platform reported down")
        cfd._double.reconnect()
        run.wait(lambda: run.events.states[-1] is True, "the platform reported up again")
        ticks = len(run.events.ticks)
        run.wait(lambda: len(run.events.ticks) > ticks, "ticks flowing again")
    finally:
        run.driver.stop()


def test_a_closed_market_is_reported_stale_once_while_the_terminal_stays_up(
    cfd: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "nexus_gw.adapters.mt5")
    run = started(
        make_driver(cfd, "mt5_global", market="cfd", stale_after_s=0.3), [Subscription(root="NQ", symbol="NAS100")]
    )
    try:
        run.wait(lambda: run.events.last_tick("NAS100"), "a NAS100 tick")
        cfd._double.set_market_open(False, "NAS100")
        run.wait(lambda: "feed stale for NAS100 (market closed or feed stopped)" in caplog.text, "the stale warning")
        assert run.events.states[-1] is True  # stale, not down: the terminal is still connected
        cfd._double.set_market_open(True, "NAS100")
        run.wait(lambda: "feed back for NAS100" in caplog.text, "the feed back")
        assert caplog.text.count("feed stale for NAS100") == 1
    finally:
        run.driver.stop()


def test_each_instance_logs_in_with_the_password_of_its_own_variable(
    cfd: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("NEXUSGW_MT5_GLOBAL_PASSWORD", raising=False)
    monkeypatch.setenv("NEXUSGW_MT5_BRAZIL_PASSWORD", "the other account's")
    run = Running(make_driver(cfd, "mt5_global", login=5_001_001, server="GlobalCFD-Demo"))
    run.driver.start(run.events)
    assert run.events.states == [False]
    assert "the password of login 5001001 is not set: export NEXUSGW_MT5_GLOBAL_PASSWORD" in caplog.text
    monkeypatch.setenv("NEXUSGW_MT5_GLOBAL_PASSWORD", "secret")
    run.wait(lambda: run.events.states[-1] is True, "the login with its own password")
    run.driver.stop()
