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
def endpoints(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Endpoints:
    """Free loopback ports for the three sockets, applied through NEXUSGW_ environment overrides."""
    eps = Endpoints.free()
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__PLATFORM", eps.platform)
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__NEXUS", eps.nexus)
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__ADMIN", eps.admin)
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S", "0.2")
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


class RawPeer:
    """A DEALER speaking the wire protocol by hand, for tests of exactly what is on the wire."""

    def __init__(self, ctx: zmq.Context[zmq.Socket[bytes]], endpoint: str, identity: str, table: Any) -> None:
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.IDENTITY, identity.encode())
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.decoder = codec.Decoder(table)

    def send(self, msg_type: MsgType, payload: m.Message) -> None:
        self.sock.send_multipart(list(codec.encode(msg_type, payload)))

    def send_raw(self, *frames: bytes) -> None:
        self.sock.send_multipart(list(frames))

    def recv(self, timeout_s: float = 3.0, skip: tuple[MsgType, ...] = (MsgType.HEARTBEAT,)) -> tuple[MsgType, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sock.poll(int(left * 1000)):
                raise TimeoutError(f"nothing but {skip} received within {timeout_s}s")
            header, payload = self.sock.recv_multipart()
            msg_type, msg = self.decoder.decode(header, payload)
            if msg_type not in skip:
                return msg_type, msg

    def recv_until(
        self, predicate: Callable[[MsgType, Any], bool], timeout_s: float = 5.0
    ) -> list[tuple[MsgType, Any]]:
        """Everything received (heartbeats excluded) up to and including the first match."""
        seen = []
        deadline = time.monotonic() + timeout_s
        while True:
            msg_type, msg = self.recv(max(0.01, deadline - time.monotonic()))
            seen.append((msg_type, msg))
            if predicate(msg_type, msg):
                return seen

    def close(self) -> None:
        self.sock.close(linger=0)


@pytest.fixture
def zctx() -> Iterator[zmq.Context[zmq.Socket[bytes]]]:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    yield ctx
    ctx.term()


@pytest.fixture
def nexus_peer(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> Iterator[RawPeer]:
    peer = RawPeer(zctx, endpoints.nexus, "test-engine", codec.GATEWAY_TO_NEXUS)
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
        peer = RawPeer(zctx, endpoints.platform, name, codec.GATEWAY_TO_PLATFORM)
        peer.send(MsgType.HELLO, m.Hello(role="platform", name=name, driver="test"))
        msg_type, welcome = peer.recv()
        assert msg_type is MsgType.WELCOME, welcome
        peers.append(peer)
        return peer, welcome

    yield make
    for peer in peers:
        peer.close()
