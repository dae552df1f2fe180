"""Journal, positions and P&L through the gateway over real sockets; restart recovery from the journal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import zmq

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.journal import Journal, journal_path
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def trade(nexus: RawPeer, platform: RawPeer, cid: str, root: str, direction: float, price: float) -> m.FillReport:
    nexus.send(MsgType.SIGNAL, m.Signal(client_id=cid, symbol=root, signal=direction, confidence=0.9, qty=1))
    _, order = platform.recv()
    platform.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id=f"{cid}-x", qty=1, price=price))
    return nexus.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]


def test_scenario_5_win_profit_reaches_nexus_in_usd(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    brazil, welcome = platform_peer_factory("mt5_brazil")
    wdo = next(s.symbol for s in welcome.subscriptions if s.root == "WDO")
    brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(wdo, 5493.5, 5494.5, 5494.0, 1, 1)]))
    opened = trade(nexus_peer, brazil, "win-buy", "WIN", 1.0, 128000.0)
    assert opened.realized_pnl == 0 and opened.position == 1
    closed = trade(nexus_peer, brazil, "win-sell", "WIN", -1.0, 128100.0)
    assert closed.currency == "BRL"
    assert closed.realized_pnl == pytest.approx(20.00)
    assert closed.realized_pnl_usd == pytest.approx(3.64)
    assert closed.position == 0


def test_pnl_without_a_usable_rate_says_why_instead_of_guessing(tmp_path: Path) -> None:
    from nexus_gw.config.loader import load_reference
    from nexus_gw.domain.book import LegSpec, OrderBook
    from nexus_gw.domain.fx import MissingRateError
    from nexus_gw.domain.orders import Execution
    from nexus_gw.protocol.constants import Side
    from nexus_gw.server.ledger import Ledger
    from tests.conftest import CONFIG_DIR

    def no_rate(amount: object, currency: str) -> object:
        raise MissingRateError(f"no USD/{currency} rate is known; feed a live WDO quote")

    ledger = Ledger(Journal.open(tmp_path / "j.sqlite3"), load_reference(CONFIG_DIR).instruments, no_rate)
    book = OrderBook()
    try:
        for order_id, side, price in (("o1", Side.BUY, 128000.0), ("o2", Side.SELL, 127900.0)):
            order = book.create(order_id, order_id, "WIN", side, 1, [LegSpec("mt5_brazil", "WINJ25", 1)])
            ledger.order_created(order)
            assert ledger.execution(order, order.legs[f"{order_id}.mt5_brazil"], Execution("x", 1, price))
        pnl = ledger.order_pnl["o2"]
        assert pnl.currency == "BRL" and float(pnl.native) == pytest.approx(-20.0)
        assert pnl.usd is None and any("USD/BRL" in reason or "rate" in reason for reason in pnl.missing)
    finally:
        ledger.close()


def test_orders_and_fills_are_journaled_before_they_are_reported(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, dev_profile: LoadedProfile
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    fill = trade(nexus_peer, nt8, "j1", "NQ", 1.0, 21000.0)
    with Journal.open(journal_path(dev_profile.profile.gateway.data_dir), readonly=True) as journal:
        order = journal.order_for_client("j1")
        assert order is not None and order.order_id == fill.order_id
        assert order.status is OrderStatus.FILLED
        assert [(f.platform, f.price) for f in journal.query_fills()] == [("nt8", 21000.0)]


def test_restarted_gateway_recovers_open_orders_and_counts_a_late_fill_once(
    dev_profile: LoadedProfile, endpoints: Endpoints
) -> None:
    def start() -> tuple[Gateway, threading.Thread]:
        gateway = Gateway(dev_profile)
        gateway.bind(announce=lambda line: None)
        thread = threading.Thread(target=gateway.run, daemon=True)
        thread.start()
        return gateway, thread

    def stop(gateway: Gateway, thread: threading.Thread) -> None:
        gateway.stop_requested = True
        thread.join(timeout=5)

    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    gateway, thread = start()
    nexus = RawPeer(ctx, endpoints.nexus, "engine", codec.GATEWAY_TO_NEXUS)
    nexus.send(MsgType.HELLO, m.Hello(role="nexus", name="engine"))
    nexus.recv()
    sierra = RawPeer(ctx, endpoints.platform, "sierra", codec.GATEWAY_TO_PLATFORM)
    sierra.send(MsgType.HELLO, m.Hello(role="platform", name="sierra"))
    sierra.quote(sierra.recv()[1])
    nexus.send(MsgType.SIGNAL, m.Signal(client_id="survivor", symbol="ES", signal=1, confidence=0.9, qty=2))
    _, update = nexus.recv()
    _, order = sierra.recv()
    sierra.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="f1", qty=1, price=5900.0))
    nexus.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE and msg.filled_qty == 1)
    stop(gateway, thread)

    gateway, thread = start()
    try:
        assert [o.client_id for o in gateway.desk.book.working()] == ["survivor"]
        for peer, role, name in ((nexus, "nexus", "engine"), (sierra, "platform", "sierra")):
            peer.send(MsgType.HELLO, m.Hello(role=role, name=name))
            msg_type, welcome = peer.recv()
            assert msg_type is MsgType.WELCOME
        sierra.quote(welcome)
        nexus.send(MsgType.SIGNAL, m.Signal(client_id="survivor", symbol="ES", signal=1, confidence=0.9, qty=2))
        _, again = nexus.recv()
        assert again.order_id == update.order_id and again.filled_qty == 1
        for fill_id in ("f1", "f2"):  # f1 re-reported after the restart, f2 is new
            sierra.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id=fill_id, qty=1, price=5901.0))
        fill = nexus.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
        assert fill.filled_qty == 2 and fill.avg_price == pytest.approx(5900.5)
        assert gateway.counters["duplicate_fills"] == 1
        assert gateway.ledger.positions.aggregate("ES").qty == 2
    finally:
        stop(gateway, thread)
        nexus.close()
        sierra.close()
        ctx.term()
