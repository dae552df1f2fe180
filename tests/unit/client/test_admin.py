"""The operator's admin client never hangs: a gateway that refuses the connection is "not answering" in time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.errors import GatewayUnavailable


@pytest.fixture
def curve_only_gateway() -> Iterator[str]:
    """A socket that admits CURVE clients only: a plain client's handshake is refused."""
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    server = ctx.socket(zmq.ROUTER)
    public, secret = zmq.curve_keypair()
    server.curve_server = True
    server.curve_secretkey = secret
    server.curve_publickey = public
    port = server.bind_to_random_port("tcp://127.0.0.1")
    yield f"tcp://127.0.0.1:{port}"
    ctx.destroy(linger=0)


def test_a_refused_handshake_before_the_send_gives_up_after_the_timeout(
    curve_only_gateway: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect = zmq.Socket.connect

    def connect_then_wait(sock: zmq.Socket[bytes], endpoint: str) -> object:
        # the handshake fails before the request is written (as on a loaded machine): the REQ socket is then left
        # without a connection to write to, and an unbounded send would wait for ever
        result = connect(sock, endpoint)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(zmq.Socket, "connect", connect_then_wait)
    outcomes: list[str] = []

    def operator() -> None:
        for _ in range(8):  # the race is libzmq's: before the fix about one call in five hung
            try:
                admin_request(curve_only_gateway, "killswitch.activate", {"reason": "drill"}, timeout_s=0.5, tries=1)
                outcomes.append("answered")
            except GatewayUnavailable as exc:
                outcomes.append("not answering" if "not answering" in str(exc) else str(exc))

    thread = threading.Thread(target=operator, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), f"admin_request hung after {len(outcomes)} calls"
    assert outcomes == ["not answering"] * 8
