"""At a roll, open positions in the expiring contract are reported and (roll_positions: auto) rolled."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import zmq

from nexus_gw.config.loader import load_profile
from nexus_gw.domain.clock import ManualClock
from nexus_gw.journal import Journal, journal_path
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, Side
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import CONFIG_DIR, RawPeer

pytestmark = pytest.mark.integration


@pytest.fixture
def rolling_gateway(endpoints: Endpoints, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Gateway, ManualClock]]:
    monkeypatch.setenv("NEXUSGW_TRADING__ROLL_POSITIONS", "auto")
    clock = ManualClock(datetime(2025, 3, 16, 21, 50, tzinfo=UTC))
    gateway = Gateway(load_profile("dev", CONFIG_DIR), clock=clock)
    gateway.bind(announce=lambda line: None)
    thread = threading.Thread(target=gateway.run, daemon=True)
    thread.start()
    yield gateway, clock
    gateway.stop_requested = True
    thread.join(timeout=5)


def test_open_position_is_rolled_as_linked_close_and_open_legs(
    rolling_gateway: tuple[Gateway, ManualClock], endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    gateway, clock = rolling_gateway
    nexus = RawPeer(zctx, endpoints.nexus, "engine", codec.GATEWAY_TO_NEXUS)
    nexus.send(MsgType.HELLO, m.Hello(role="nexus", name="engine"))
    nexus.recv()
    nt8 = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM)
    nt8.send(MsgType.HELLO, m.Hello(role="platform", name="nt8"))
    nt8.quote(nt8.recv()[1], price=20000.0)
    nexus.send(MsgType.SIGNAL, m.Signal(client_id="long", symbol="NQ", signal=1, confidence=0.9, qty=2))
    _, order = nt8.recv()
    assert order.symbol == "NQ 03-25"
    nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="a", qty=2, price=20000.0))
    nexus.recv_until(lambda t, _: t is MsgType.FILL)

    clock.set(datetime(2025, 3, 16, 22, 0, 1, tzinfo=UTC))
    seen = nt8.recv_until(lambda t, msg: t is MsgType.ORDER and msg.leg_id.endswith(".open"))
    welcome = next(msg for t, msg in seen if t is MsgType.WELCOME)
    assert {s.root: s.symbol for s in welcome.subscriptions}["NQ"] == "NQ 06-25"
    legs = {msg.leg_id.rsplit(".", 1)[1]: msg for t, msg in seen if t is MsgType.ORDER}
    assert (legs["close"].symbol, legs["close"].side, legs["close"].qty) == ("NQ 03-25", Side.SELL, 2)
    assert (legs["open"].symbol, legs["open"].side, legs["open"].qty) == ("NQ 06-25", Side.BUY, 2)
    for tag, price in (("close", 20010.0), ("open", 20150.0)):
        nt8.send(MsgType.FILL, m.LegFill(leg_id=legs[tag].leg_id, fill_id=tag, qty=2, price=price))
    time.sleep(0.3)
    position = gateway.ledger.positions.position("nt8", "NQ")
    assert position.qty == 2 and position.avg_entry == pytest.approx(20150.0)
    assert float(position.realized) == pytest.approx(2 * 10 * 20)
    with pytest.raises(TimeoutError):  # the roll is the gateway's business, not the engine's
        nexus.recv(timeout_s=0.3)
    status = gateway.roll_log[0]
    assert status["from"] == "NQH25" and status["positions_in_expiring_contract"] == {"nt8": 2.0}
    with Journal.open(journal_path(gateway.data_dir), readonly=True) as journal:
        rolls = journal.events("roll")
        assert rolls and rolls[0].data["to"] == "NQM25"
    clock.advance(5)
    time.sleep(0.3)
    assert gateway.counters["roll_orders"] == 1
    nexus.close()
    nt8.close()
