"""Plan scenario 3 (duplicate prevention) and idempotent client ids, over real sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.config.loader import LoadedProfile
from nexus_gw.journal import Journal, journal_path
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration
PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def test_scenario_3_second_signal_blocked_until_the_fill_then_allowed(
    platform_peer_factory: PlatformFactory, endpoints: Endpoints, running_gateway: Gateway
) -> None:
    nt8, welcome = platform_peer_factory("nt8")
    results: list[str | None] = []
    answered = threading.Semaphore(0)
    gw = NexusGatewayInterface("127.0.0.1", endpoints.nexus_port, name="scenario3")
    gw.connect()

    def engine(data: dict[str, Any]) -> None:  # every NQ tick makes the engine want to buy
        if data["symbol"] == "NQ" and data["platform"] == "nt8":
            results.append(gw.send_signal("NQ", 1.0, 0.9, qty=1))
            answered.release()

    gw.set_market_data_callback(engine)
    gw.start_listening()
    try:
        nt8.quote(welcome, price=21000.0)  # 1. NQ data -> signal
        assert answered.acquire(timeout=5) and results[-1]
        _, order = nt8.recv()
        nt8.quote(welcome, price=21001.0)  # 2. more NQ data before the fill
        assert answered.acquire(timeout=5)
        assert results[-1] is None and "working order" in gw.last_refusal  # 3. blocked (SDK skips early)
        nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="f", qty=1, price=21000.25))  # 4. fill
        deadline = time.monotonic() + 5
        while "NQ" in gw.core.active_by_symbol and time.monotonic() < deadline:
            time.sleep(0.02)
        nt8.quote(welcome, price=21002.0)  # 5. NQ data again
        assert answered.acquire(timeout=5) and results[-1]  # 6. allowed
        _, second = nt8.recv()
        assert second.order_id != order.order_id
    finally:
        gw.close()
    assert running_gateway.counters["orders"] == 2


def test_gateway_refuses_a_second_signal_for_a_working_symbol_even_from_a_raw_client(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory
) -> None:
    platform_peer_factory("nt8")
    for cid in ("a", "b"):
        nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id=cid, symbol="NQ", signal=1, confidence=0.9, qty=1))
    first, second = nexus_peer.recv()[1], nexus_peer.recv()[1]
    assert not first.final and second.final and second.reason.startswith("DUPLICATE_SYMBOL")


def test_the_same_client_id_sent_a_thousand_times_creates_one_order(
    nexus_peer: RawPeer,
    platform_peer_factory: PlatformFactory,
    dev_profile: LoadedProfile,
    running_gateway: Gateway,
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    signal = m.Signal(client_id="once", symbol="ES", signal=-1, confidence=0.9, qty=1)
    for _ in range(1000):
        nexus_peer.send(MsgType.SIGNAL, signal)
    answers = [nexus_peer.recv()[1] for _ in range(1000)]
    assert len({a.order_id for a in answers}) == 1
    nt8.recv()
    with pytest.raises(TimeoutError):
        nt8.recv(timeout_s=0.5)
    assert running_gateway.counters["orders"] == 1 and running_gateway.counters["duplicate_signals"] == 999
    with Journal.open(journal_path(dev_profile.profile.gateway.data_dir), readonly=True) as journal:
        assert [o.client_id for o in journal.query_orders()] == ["once"]
