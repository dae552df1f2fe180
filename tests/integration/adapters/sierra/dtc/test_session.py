"""DTC session ⇄ simulator over loopback TCP, in binary and JSON: logon, market data, orders, fills, cancel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nexus_gw.adapters.sierra.dtc.constants import (
    AtBidOrAsk,
    BuySell,
    Encoding,
    LogonStatus,
    OrderStatus,
    OrderType,
    OrderUpdateReason,
)
from nexus_gw.adapters.sierra.dtc.events import Fill, MarketSnapshot, OrderReport, Position
from nexus_gw.adapters.sierra.dtc.execution import OrderRequest
from nexus_gw.adapters.sierra.dtc.session import DtcSession, SessionState
from nexus_gw.adapters.sierra.simulator import DtcSimulator, ServerEncoding
from nexus_gw.errors import OrderRejected, PlatformUnavailable

from .conftest import WAIT, Recorder

pytestmark = pytest.mark.integration

MakeSession = Callable[..., tuple[DtcSession, Recorder]]


def test_logon_reports_server_capabilities_and_the_negotiated_encoding(
    logged_on: tuple[DtcSession, Recorder], encoding: Encoding
) -> None:
    session, recorder = logged_on
    info = recorder.wait_for("logged_on")
    assert info.encoding is encoding
    assert info.trading_supported and info.market_data_supported
    assert info.server_name == "nexusgw DTC simulator"
    assert session.state is SessionState.LOGGED_ON and session.logon_count == 1
    assert session.trade_accounts == ("Sim1",) and session.trade_account == "Sim1"


def test_subscription_delivers_snapshot_then_trades_and_quotes(logged_on: tuple[DtcSession, Recorder]) -> None:
    session, recorder = logged_on
    symbol_id = session.subscribe("NQH25")
    snapshot: MarketSnapshot = recorder.wait_for("snapshot")
    assert (snapshot.symbol, snapshot.symbol_id) == ("NQH25", symbol_id)
    assert snapshot.bid is not None and snapshot.ask == snapshot.bid + 0.25
    recorder.wait(lambda r: len(r.of("trade")) >= 3 and len(r.of("quote")) >= 3, what="3 trades and 3 quotes")
    trade = recorder.of("trade")[0]
    assert trade.symbol == "NQH25" and trade.aggressor in (AtBidOrAsk.AT_BID, AtBidOrAsk.AT_ASK)
    quote = recorder.of("quote")[0]
    assert quote.bid is not None and quote.ask is not None and quote.ask - quote.bid == 0.25
    kinds = [k for k, _ in recorder.events if k in ("snapshot", "trade", "quote")]
    assert kinds[0] == "snapshot"
    session.unsubscribe("NQH25")
    assert session.subscriptions == {}


def test_unknown_symbol_is_rejected_for_market_data_and_orders(logged_on: tuple[DtcSession, Recorder]) -> None:
    session, recorder = logged_on
    session.subscribe("YMH25")
    symbol, text = recorder.wait_for("md_reject")
    assert symbol == "YMH25" and "not available" in text
    assert "YMH25" not in session.subscriptions
    cid = session.submit_market("YMH25", BuySell.BUY, 1)
    report: OrderReport = recorder.wait_for("order", lambda r: r.client_order_id == cid)
    assert (report.status, report.reason) == (OrderStatus.REJECTED, OrderUpdateReason.NEW_ORDER_REJECTED)
    assert "Symbol 'YMH25' is not known" in report.info_text


def test_market_order_is_accepted_then_partially_and_fully_filled(logged_on: tuple[DtcSession, Recorder]) -> None:
    session, recorder = logged_on
    cid = session.submit_market("NQH25", BuySell.BUY, 5)
    final: OrderReport = recorder.wait_for("order", lambda r: r.client_order_id == cid and r.is_terminal)
    updates: list[OrderReport] = [r for r in recorder.of("order") if r.client_order_id == cid]
    assert [u.reason for u in updates] == [
        OrderUpdateReason.NEW_ORDER_ACCEPTED,
        OrderUpdateReason.ORDER_FILLED_PARTIALLY,
        OrderUpdateReason.ORDER_FILLED,
    ]
    assert [u.filled_quantity for u in updates] == [0.0, 3.0, 5.0]
    assert final.status is OrderStatus.FILLED and final.remaining_quantity == 0.0
    assert updates[0].server_order_id and all(u.server_order_id == updates[0].server_order_id for u in updates)

    fills: list[Fill] = [f for f in recorder.of("fill") if f.client_order_id == cid]
    assert [f.quantity for f in fills] == [3.0, 2.0]
    assert len({f.execution_id for f in fills}) == 2
    weighted = sum(f.price * f.quantity for f in fills) / 5
    assert final.average_fill_price == pytest.approx(weighted)
    assert fills[-1].order_filled_quantity == 5.0

    recorder.wait(lambda r: any(p.quantity == 5.0 for p in r.of("position")), what="position of 5")
    position: Position = recorder.of("position")[-1]
    assert position.unsolicited and position.symbol == "NQH25" and position.trade_account == "Sim1"
    assert position.average_price == pytest.approx(weighted)


def test_resting_limit_order_can_be_cancelled_once(logged_on: tuple[DtcSession, Recorder]) -> None:
    session, recorder = logged_on
    cid = session.submit_limit("NQH25", BuySell.BUY, 1, limit_price=15000.0)
    accepted: OrderReport = recorder.wait_for("order", lambda r: r.client_order_id == cid)
    assert accepted.status is OrderStatus.OPEN and accepted.price1 == 15000.0
    session.cancel_order(client_order_id=cid)
    cancelled = recorder.wait_for("order", lambda r: r.client_order_id == cid and r.status is OrderStatus.CANCELED)
    assert cancelled.reason is OrderUpdateReason.ORDER_CANCELED
    session.cancel_order(server_order_id=accepted.server_order_id)
    refused = recorder.wait_for(
        "order", lambda r: r.client_order_id == cid and r.reason is OrderUpdateReason.ORDER_CANCEL_REJECTED
    )
    assert "already CANCELED" in refused.info_text
    assert session.request_open_orders() == []


def test_stop_order_triggers_when_the_market_crosses(logged_on: tuple[DtcSession, Recorder], sim: DtcSimulator) -> None:
    session, recorder = logged_on
    bid, _ = sim.exchange.bid_ask("NQH25")
    cid = session.submit_stop("NQH25", BuySell.SELL, 2, stop_price=bid - 100)
    recorder.wait_for("order", lambda r: r.client_order_id == cid and r.status is OrderStatus.OPEN)
    sim.set_price("NQH25", bid - 200)
    final = recorder.wait_for("order", lambda r: r.client_order_id == cid and r.is_terminal)
    assert final.status is OrderStatus.FILLED and final.side is BuySell.SELL


def test_client_side_validation_and_idempotent_client_ids(logged_on: tuple[DtcSession, Recorder]) -> None:
    session, _ = logged_on
    with pytest.raises(OrderRejected, match="needs a finite limit_price"):
        session.submit_order(OrderRequest("NQH25", BuySell.BUY, 1, OrderType.LIMIT))
    session.submit_order(OrderRequest("NQH25", BuySell.BUY, 1, OrderType.LIMIT, limit_price=1.0, client_order_id="k1"))
    with pytest.raises(OrderRejected, match="already used"):
        session.submit_order(
            OrderRequest("NQH25", BuySell.BUY, 1, OrderType.LIMIT, limit_price=1.0, client_order_id="k1")
        )
    with pytest.raises(OrderRejected, match="ServerOrderID is not known"):
        session.cancel_order(client_order_id="never-sent")


def test_blocking_requests_answer_with_counters_resolved(logged_on: tuple[DtcSession, Recorder]) -> None:
    session, recorder = logged_on
    assert session.request_trade_accounts() == ["Sim1"]
    assert session.request_positions() == []
    assert session.request_historical_fills() == []
    cid = session.submit_market("ESH25", BuySell.SELL, 2)
    recorder.wait_for("order", lambda r: r.client_order_id == cid and r.is_terminal)
    positions = session.request_positions()
    assert [(p.symbol, p.quantity, p.unsolicited) for p in positions] == [("ESH25", -2.0, False)]
    fills = session.request_historical_fills(days=1)
    assert sum(f.quantity for f in fills) == 2.0 and all(f.side is BuySell.SELL for f in fills)
    live_ids = {f.execution_id for f in recorder.of("fill")}
    assert {f.execution_id for f in fills} == live_ids


def test_blocking_request_from_a_listener_is_refused_not_deadlocked(
    sim: DtcSimulator, make_session: MakeSession
) -> None:
    outcome: list[BaseException] = []

    class Greedy(Recorder):
        def on_logged_on(self, info: object) -> None:
            try:
                session.request_positions()
            except BaseException as exc:
                outcome.append(exc)
            super().on_logged_on(info)  # type: ignore[arg-type]

    greedy = Greedy()
    session, _ = make_session(sim.port, start=False)
    session.listener = greedy
    session.start()
    greedy.wait_for("logged_on")
    assert len(outcome) == 1 and isinstance(outcome[0], RuntimeError) and "_async" in str(outcome[0])
    future = session.request_positions_async()
    assert future.result(WAIT) == []


def test_orders_and_requests_are_refused_when_not_logged_on(sim: DtcSimulator, make_session: MakeSession) -> None:
    session, _ = make_session(sim.port, start=False)
    with pytest.raises(PlatformUnavailable, match="not logged on"):
        session.submit_market("NQH25", BuySell.BUY, 1)
    with pytest.raises(PlatformUnavailable, match="not logged on"):
        session.request_open_orders()


def test_trading_disabled_on_the_server_refuses_orders_locally(
    make_simulator: Callable[..., DtcSimulator], make_session: MakeSession
) -> None:
    sim = make_simulator(allow_trading=False)
    session, _ = make_session(sim.port)
    assert session.wait_until_logged_on(WAIT)
    with pytest.raises(OrderRejected, match="Allow Trading"):
        session.submit_market("NQH25", BuySell.BUY, 1)


@pytest.mark.parametrize("server_encoding", [ServerEncoding.BINARY, ServerEncoding.JSON], ids=["binary", "json"])
def test_fixed_server_encoding_is_used_when_the_request_is_refused(
    make_simulator: Callable[..., DtcSimulator], make_session: MakeSession, server_encoding: ServerEncoding
) -> None:
    sim = make_simulator(encoding=server_encoding)
    asked = Encoding.JSON if server_encoding is ServerEncoding.BINARY else Encoding.BINARY
    session, recorder = make_session(sim.port, asked)
    info = recorder.wait_for("logged_on")
    assert info.encoding.name == server_encoding.name
    assert session.request_trade_accounts() == ["Sim1"]


def test_json_without_negotiation_and_compact_market_data(
    make_simulator: Callable[..., DtcSimulator], make_session: MakeSession
) -> None:
    sim = make_simulator(compact_updates=True)
    session, recorder = make_session(sim.port, Encoding.JSON, negotiate_encoding=False)
    assert recorder.wait_for("logged_on").encoding is Encoding.JSON
    session.subscribe("ESH25")
    recorder.wait(lambda r: len(r.of("trade")) >= 2 and len(r.of("quote")) >= 2, what="compact updates")
    assert recorder.of("trade")[0].symbol == "ESH25"


def test_credentials_are_checked(make_simulator: Callable[..., DtcSimulator], make_session: MakeSession) -> None:
    sim = make_simulator(username="trader", password="pw")
    good, _ = make_session(sim.port, username="trader", password="pw")
    assert good.wait_until_logged_on(WAIT)
    bad, recorder = make_session(sim.port, username="trader", password="wrong")
    status, text = recorder.wait_for("logon_rejected")
    assert (status, text) == (LogonStatus.ERROR, "Invalid username or password")
    assert "password='wrong'" not in repr(bad.config)
