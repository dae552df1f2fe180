"""The adapter's link sends ticks under the roots of its latest WELCOME, with its ``roots_key``; a symbol that
WELCOME did not subscribe goes apart under its platform symbol; to a gateway without ``roots_key``, platform
symbols as before. Against a real gateway, engines get the ticks by root and the platform's name."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import zmq

from nexus_gw.adapters.link import GatewayLink
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

SUBSCRIPTIONS = [m.Subscription(root="NQ", symbol="NQZ26"), m.Subscription(root="ES", symbol="ESZ26")]


@pytest.fixture
def router(zctx: zmq.Context[zmq.Socket[bytes]]) -> Iterator[zmq.Socket[bytes]]:
    sock = zctx.socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 0)
    yield sock
    sock.close()


def welcomed(zctx: zmq.Context[zmq.Socket[bytes]], router: zmq.Socket[bytes], roots_key: str) -> GatewayLink:
    """A link to ``router`` (a stand-in gateway) that got a WELCOME with ``roots_key``."""
    port = router.bind_to_random_port("tcp://127.0.0.1")
    link = GatewayLink(zctx, f"tcp://127.0.0.1:{port}", "nt8", "sim", m.Capabilities())
    link.connect()
    assert router.poll(5000), "no HELLO from the link"
    router.recv_multipart()
    welcome = m.Welcome(
        gateway="gw",
        version="0",
        profile="p",
        heartbeat_interval_s=1.0,
        subscriptions=SUBSCRIPTIONS,
        roots_key=roots_key,
    )
    router.send_multipart([b"nt8", *codec.encode(MsgType.WELCOME, welcome)])
    deadline = time.monotonic() + 5.0
    while link.welcome is None:
        assert time.monotonic() < deadline, "the link did not take the WELCOME"
        link.socket.poll(50)  # type: ignore[union-attr]
        link.receive()
    return link


def received(router: zmq.Socket[bytes], count: int) -> list[m.MarketData]:
    decoder = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
    out: list[m.MarketData] = []
    while len(out) < count:
        assert router.poll(5000), f"got {len(out)} MARKET_DATA of {count}"
        _, header, payload = router.recv_multipart()
        msg_type, msg = decoder.decode(header, payload)
        if msg_type is MsgType.MARKET_DATA:
            assert isinstance(msg, m.MarketData)
            out.append(msg)
    return out


def ticks() -> list[m.Tick]:
    return [
        m.Tick("NQZ26", 1.0, 1.25, 1.25, 1.0, 1),
        m.Tick("CLZ26", 2.0, 2.25, 2.25, 1.0, 2),  # not subscribed
        m.Tick("ESZ26", 3.0, 3.25, 3.25, 1.0, 3),
    ]


def test_ticks_go_under_their_roots_with_the_welcomes_key_and_an_unsubscribed_symbol_apart(
    zctx: zmq.Context[zmq.Socket[bytes]], router: zmq.Socket[bytes]
) -> None:
    link = welcomed(zctx, router, "k1")
    link.send_market_data(ticks())
    by_root, apart = received(router, 2)
    assert (by_root.platform, by_root.roots_key) == ("nt8", "k1")
    assert [(t.symbol, t.ts_ns) for t in by_root.ticks] == [("NQ", 1), ("ES", 3)]
    assert (apart.roots_key, [(t.symbol, t.ts_ns) for t in apart.ticks]) == ("", [("CLZ26", 2)])
    link.close()


def test_to_a_gateway_without_roots_key_ticks_keep_their_platform_symbols(
    zctx: zmq.Context[zmq.Socket[bytes]], router: zmq.Socket[bytes]
) -> None:
    link = welcomed(zctx, router, "")
    link.send_market_data(ticks())
    (batch,) = received(router, 1)
    assert batch.roots_key == "" and [t.symbol for t in batch.ticks] == ["NQZ26", "CLZ26", "ESZ26"]
    link.close()


def test_engines_get_the_links_ticks_by_root_and_an_unsubscribed_symbol_is_counted_not_forwarded(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway, nexus_peer: RawPeer
) -> None:
    link = GatewayLink(zctx, endpoints.platform, "nt8", "sim", m.Capabilities())
    link.connect()
    deadline = time.monotonic() + 5.0
    while link.welcome is None:
        assert time.monotonic() < deadline, "no WELCOME from the gateway"
        link.socket.poll(50)  # type: ignore[union-attr]
        link.receive()
    assert link.welcome.roots_key
    nq = next(s.symbol for s in link.welcome.subscriptions if s.root == "NQ")
    unknown_before = running_gateway.counters["market_data_unknown_symbol"]
    link.send_market_data(
        [m.Tick("NOT-SUBSCRIBED", 1.0, 2.0, 1.5, 1.0, 7), m.Tick(nq, 20000.0, 20000.25, 20000.25, 1, 8)]
    )

    _, md = nexus_peer.recv_until(lambda t, msg: t is MsgType.MARKET_DATA and msg.ticks[-1].ts_ns == 8, skip=())[-1]
    assert md.platform == "nt8" and [(t.symbol, t.ts_ns) for t in md.ticks] == [("NQ", 8)]
    deadline = time.monotonic() + 5.0
    while running_gateway.counters["market_data_unknown_symbol"] != unknown_before + 1:
        assert time.monotonic() < deadline, "the unsubscribed tick was not counted"
        time.sleep(0.02)
    link.close()
