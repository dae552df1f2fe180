"""The ZAP handler alone, on a real CURVE ROUTER: it admits by key per socket, and without it nobody gets in."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from nexus_gw.security.curve import ClientCurve, ServerCurve
from nexus_gw.security.keys import generate
from nexus_gw.security.zap import ZapHandler

pytestmark = pytest.mark.integration

Ctx = zmq.Context[zmq.Socket[bytes]]


@pytest.fixture
def ctx() -> Iterator[Ctx]:
    context: Ctx = zmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    for name in ("server", "friend", "stranger"):
        generate(tmp_path, name)
    return tmp_path


def server(ctx: Ctx, keys: Path) -> tuple[zmq.Socket[bytes], str, ServerCurve]:
    curve = ServerCurve.load(str(keys / "server.key_secret"), {"platform": [str(keys / "friend.key")]})
    router = ctx.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    curve.apply(router, "platform")
    port = router.bind_to_random_port("tcp://127.0.0.1")
    return router, f"tcp://127.0.0.1:{port}", curve


def ping(ctx: Ctx, keys: Path, endpoint: str, name: str, router: zmq.Socket[bytes], wait_ms: int = 3000) -> bool:
    """Whether ``name``'s message reaches the server within ``wait_ms``."""
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    ClientCurve.load(str(keys / f"{name}.key_secret"), str(keys / "server.key")).apply(dealer)
    dealer.connect(endpoint)
    dealer.send(name.encode())  # queued in the DEALER's pipe until the handshake is done (or forever)
    try:
        if not router.poll(wait_ms):
            return False
        return router.recv_multipart()[-1] == name.encode()
    finally:
        dealer.close(linger=0)


def test_a_listed_key_is_admitted_and_a_stranger_is_refused_with_its_key_logged(
    ctx: Ctx, keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nexus_gw.security")
    router, endpoint, curve = server(ctx, keys)
    zap = ZapHandler(ctx, curve.allow)
    zap.start()
    try:
        assert ping(ctx, keys, endpoint, "friend", router)
        assert not ping(ctx, keys, endpoint, "stranger", router, wait_ms=500)
    finally:
        zap.stop()
    stranger = ClientCurve.load(str(keys / "stranger.key_secret"), str(keys / "server.key")).keys.public.decode()
    assert f"public key {stranger} is not in gateway.security.allow.platform" in caplog.text
    assert zap.counts["admitted_platform"] == 1 and zap.counts["refused_platform"] == 1
    router.close(linger=0)


def test_without_a_running_handler_even_a_listed_key_is_refused(ctx: Ctx, keys: Path) -> None:
    """Fail closed: a gateway whose ZAP handler is gone admits nobody (ZAP_ENFORCE_DOMAIN)."""
    router, endpoint, curve = server(ctx, keys)
    zap = ZapHandler(ctx, curve.allow)
    zap.start()
    zap.stop()
    assert not ping(ctx, keys, endpoint, "friend", router, wait_ms=500)
    router.close(linger=0)
