"""signal_mode: target — a signal is the position to hold; the gateway sends the difference."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.journal import Journal, journal_path
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, Side
from nexus_gw.server.gateway import Gateway
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration
PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def target(nexus: RawPeer, cid: str, direction: float) -> m.OrderUpdate:
    nexus.send(MsgType.SIGNAL, m.Signal(client_id=cid, symbol="NQ", signal=direction, confidence=0.9, qty=1))
    return nexus.recv()[1]


def fill_all(platform: RawPeer, count: int) -> list[m.Order]:
    orders = [platform.recv()[1] for _ in range(count)]
    for order in orders:
        platform.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="f", qty=order.qty, price=21000.0))
    return orders


@pytest.mark.parametrize("gateway_env", [{"NEXUSGW_TRADING__SIGNAL_MODE": "target"}], indirect=True)
def test_target_signals_trade_the_difference_and_reverse_through_flat(
    nexus_peer: RawPeer,
    platform_peer_factory: PlatformFactory,
    dev_profile: LoadedProfile,
    running_gateway: Gateway,
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    assert target(nexus_peer, "long", 1.0).side is Side.BUY
    (buy,) = fill_all(nt8, 1)
    assert (buy.side, buy.qty) == (Side.BUY, 1)
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)

    again = target(nexus_peer, "long-again", 0.7)
    assert again.final and again.reason.startswith("AT_TARGET")

    assert target(nexus_peer, "short", -1.0).side is Side.SELL
    legs = fill_all(nt8, 2)
    assert [(o.leg_id.rsplit(".", 1)[1], o.side, o.qty) for o in legs] == [
        ("close", Side.SELL, 1),
        ("open", Side.SELL, 1),
    ]
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    assert running_gateway.ledger.positions.position("nt8", "NQ").qty == -1

    assert target(nexus_peer, "flat", 0.0).side is Side.BUY
    fill_all(nt8, 1)
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)
    assert running_gateway.ledger.positions.position("nt8", "NQ").qty == 0
    with Journal.open(journal_path(dev_profile.profile.gateway.data_dir), readonly=True) as journal:
        decisions = [e.data for e in journal.events("signal.decision")]
    assert [(d["client_id"], d["position"], d["target"]) for d in decisions] == [
        ("long", 0, 1.0),
        ("long-again", 1, 1.0),
        ("short", 1, -1.0),
        ("flat", -1, 0.0),
    ]
