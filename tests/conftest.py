"""Shared fixtures: free loopback endpoints, an in-process gateway on real sockets, raw peers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq

from nexus_gw.config.loader import LoadedProfile, load_profile
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "config"


@pytest.fixture
def gateway_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Extra NEXUSGW_ overrides for a test's gateway.

    Use ``@pytest.mark.parametrize("gateway_env", [{...}], indirect=True)``.
    """
    return dict(getattr(request, "param", {}))


@pytest.fixture
def endpoints(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, gateway_env: dict[str, str]) -> Endpoints:
    """Free loopback ports for the three sockets, applied through NEXUSGW_ environment overrides."""
    eps = Endpoints.free()
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__PLATFORM", eps.platform)
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__NEXUS", eps.nexus)
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__ADMIN", eps.admin)
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S", "0.2")
    monkeypatch.setenv("NEXUSGW_MONITORING__METRICS__PORT", "0")  # any free port (status: metrics.endpoint)
    for key, value in gateway_env.items():
        monkeypatch.setenv(key, value)
    return eps


@pytest.fixture
def dev_profile(endpoints: Endpoints) -> LoadedProfile:
    return load_profile("dev", CONFIG_DIR)


@pytest.fixture
def running_gateway(dev_profile: LoadedProfile) -> Iterator[Gateway]:
    gateway = Gateway(dev_profile)
    gateway.bind(announce=lambda line: None)
    thread = threading.Thread(target=gateway.run, name="gateway", daemon=True)
    thread.start()
    yield gateway
    gateway.stop_requested = True
    thread.join(timeout=5)
    assert not thread.is_alive(), "gateway loop did not stop"


def wait_for(predicate: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout_s`` passes (AssertionError)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


QUIET = (MsgType.HEARTBEAT, MsgType.MARKET_DATA)  # what RawPeer.recv skips unless told otherwise


class RawPeer:
    """A DEALER speaking the wire protocol by hand, for tests of exactly what is on the wire."""

    def __init__(
        self, ctx: zmq.Context[zmq.Socket[bytes]], endpoint: str, identity: str, table: Any, keepalive: bool = False
    ) -> None:
        self.keepalive = keepalive
        self._last_beat = 0.0
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.IDENTITY, identity.encode())
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.decoder = codec.Decoder(table)

    def send(self, msg_type: MsgType, payload: m.Message) -> None:
        self.sock.send_multipart(list(codec.encode(msg_type, payload)))

    def send_raw(self, *frames: bytes) -> None:
        self.sock.send_multipart(list(frames))

    def recv(self, timeout_s: float = 3.0, skip: tuple[MsgType, ...] = QUIET) -> tuple[MsgType, Any]:
        """The next message not in ``skip``; with ``keepalive`` it heartbeats while it waits, as a live peer does."""
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"nothing but {skip} received within {timeout_s}s")
            if self.keepalive and time.monotonic() - self._last_beat > 0.1:
                self.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))
                self._last_beat = time.monotonic()
            if not self.sock.poll(int(min(left, 0.1) * 1000)):
                continue
            header, payload = self.sock.recv_multipart()
            msg_type, msg = self.decoder.decode(header, payload)
            if msg_type not in skip:
                return msg_type, msg

    def recv_until(
        self, predicate: Callable[[MsgType, Any], bool], timeout_s: float = 5.0, skip: tuple[MsgType, ...] = QUIET
    ) -> list[tuple[MsgType, Any]]:
        """Everything received (heartbeats excluded) up to and including the first match."""
        seen = []
        deadline = time.monotonic() + timeout_s
        while True:
            msg_type, msg = self.recv(max(0.01, deadline - time.monotonic()), skip)
            seen.append((msg_type, msg))
            if predicate(msg_type, msg):
                return seen

    def quote(self, welcome: m.Welcome, price: float = 100.0) -> None:
        """A fresh quote for every subscription but WDO: the risk gate refuses orders on stale market data."""
        ticks = [
            m.Tick(s.symbol, price, price + 0.25, price + 0.25, 1, time.time_ns())
            for s in welcome.subscriptions
            if s.root != "WDO"
        ]
        self.send(MsgType.MARKET_DATA, m.MarketData(ticks=ticks))

    def close(self) -> None:
        self.sock.close(linger=0)


@pytest.fixture
def zctx() -> Iterator[zmq.Context[zmq.Socket[bytes]]]:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def nexus_peer(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> Iterator[RawPeer]:
    peer = RawPeer(zctx, endpoints.nexus, "test-engine", codec.GATEWAY_TO_NEXUS, keepalive=True)
    peer.send(MsgType.HELLO, m.Hello(role="nexus", name="test-engine"))
    assert peer.recv()[0] is MsgType.WELCOME
    yield peer
    peer.close()


@pytest.fixture
def platform_peer_factory(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> Iterator[Callable[[str], tuple[RawPeer, m.Welcome]]]:
    peers: list[RawPeer] = []

    def make(name: str) -> tuple[RawPeer, m.Welcome]:
        peer = RawPeer(zctx, endpoints.platform, name, codec.GATEWAY_TO_PLATFORM, keepalive=True)
        peer.send(MsgType.HELLO, m.Hello(role="platform", name=name, driver="test"))
        msg_type, welcome = peer.recv()
        assert msg_type is MsgType.WELCOME, welcome
        peer.quote(welcome)
        peers.append(peer)
        return peer, welcome

    yield make
    for peer in peers:
        peer.close()
