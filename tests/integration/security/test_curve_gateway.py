"""CURVE on the gateway's three sockets, over real ZeroMQ sockets on loopback: who gets in, who does not, and that
every refusal is logged with the peer's public key while no secret key ever reaches a log line."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq

from nexus_gw.adapters.runner import AdapterRunner
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.driver import SimDriver
from nexus_gw.cli.app import main
from nexus_gw.client import NexusGatewayInterface
from nexus_gw.client.admin import admin_request
from nexus_gw.config.loader import load_profile
from nexus_gw.errors import ConfigError, GatewayUnavailable
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.security.curve import ClientCurve
from nexus_gw.security.keys import generate, load_secret
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints, free_port
from tests.conftest import CONFIG_DIR, RawPeer
from tests.integration.security.recorder import Recorder

pytestmark = pytest.mark.integration

NAMES = ("gateway", "adapters", "engine", "ops", "intruder")
PLATFORMS = ("nt8", "sierra", "mt5_global", "mt5_brazil")
WITHOUT_KEYS = "a client without CURVE keys"


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    for name in NAMES:
        generate(directory, name)
    return directory


@pytest.fixture
def gateway_env(keys: Path) -> dict[str, str]:
    """The dev profile with CURVE: adapters on the platform socket, the engine on NEXUS, ops on admin."""
    prefix = "NEXUSGW_GATEWAY__SECURITY__"
    return {
        f"{prefix}SERVER_SECRET_KEY": str(keys / "gateway.key_secret"),
        f"{prefix}ALLOW__PLATFORM": f'["{keys / "adapters.key"}"]',
        f"{prefix}ALLOW__NEXUS": f'["{keys / "engine.key"}"]',
        f"{prefix}ALLOW__ADMIN": f'["{keys / "ops.key"}"]',
    }


@pytest.fixture
def client(keys: Path) -> Callable[[str], ClientCurve]:
    return lambda name: ClientCurve.load(str(keys / f"{name}.key_secret"), str(keys / "gateway.key"))


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture, keys: Path) -> Iterator[pytest.LogCaptureFixture]:
    """Every log line of the test, checked at the end for the secret keys (none may appear)."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    secrets = [load_secret(str(keys / f"{name}.key_secret")).secret.decode() for name in NAMES]
    leaked = [name for name, secret in zip(NAMES, secrets, strict=True) if secret in caplog.text]
    assert not leaked, f"secret keys of {leaked} appear in the log"


def handshake_refused(logged: pytest.LogCaptureFixture, socket_name: str, why: str) -> bool:
    """Whether the gateway logged a failed CURVE handshake on ``socket_name`` naming ``why`` (a client without keys
    shows as a refusal, or, when it hung up first, as a handshake that ended)."""
    return any(
        r.name == "nexus_gw.security.zap"
        and f"the {socket_name} socket" in r.getMessage()
        and "CURVE handshake" in r.getMessage()
        and why in r.getMessage()
        for r in logged.records
    )


def public(keys: Path, name: str) -> str:
    return load_secret(str(keys / f"{name}.key_secret")).public.decode()


def curve_peer(
    ctx: zmq.Context[zmq.Socket[bytes]], endpoint: str, name: str, curve: ClientCurve | None, admitted: bool = True
) -> RawPeer:
    """A raw platform peer whose socket has ``curve`` set before it connects (one not ``admitted`` never
    heartbeats: a DEALER without a connection would block sending)."""
    peer = RawPeer.__new__(RawPeer)
    peer.keepalive, peer._last_beat = admitted, 0.0
    peer.sock = ctx.socket(zmq.DEALER)
    peer.sock.setsockopt(zmq.IDENTITY, name.encode())
    peer.sock.setsockopt(zmq.LINGER, 0)
    if curve is not None:
        curve.apply(peer.sock)
    peer.sock.connect(endpoint)
    peer.decoder = codec.Decoder(codec.GATEWAY_TO_PLATFORM)
    peer.send(MsgType.HELLO, m.Hello(role="platform", name=name, driver="test"))
    return peer


def wait_for(predicate: Callable[[], bool], what: str, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s}s: {what}")
        time.sleep(0.02)


def start_runner(name: str, endpoint: str, curve: ClientCurve) -> tuple[AdapterRunner, threading.Thread]:
    driver = SimDriver(name, SimSettings(tick_interval_ms=50, fill_latency_ms=10, seed=7))
    runner = AdapterRunner(name, driver, endpoint, heartbeat_interval_s=0.2, curve=curve)
    thread = threading.Thread(target=runner.run, name=f"adapter-{name}", daemon=True)
    thread.start()
    return runner, thread


def test_an_adapter_without_an_allowed_key_cannot_connect_and_its_key_is_logged(
    running_gateway: Gateway,
    endpoints: Endpoints,
    keys: Path,
    client: Callable[[str], ClientCurve],
    zctx: zmq.Context[zmq.Socket[bytes]],
    logged: pytest.LogCaptureFixture,
) -> None:
    intruder, intruder_thread = start_runner("nt8", endpoints.platform, client("intruder"))
    # the engine's key is allowed on the NEXUS socket only
    wrong_socket = curve_peer(zctx, endpoints.platform, "sierra", client("engine"), admitted=False)
    # the right client key, but another server's public key: it cannot even encrypt to this gateway
    other_server = ClientCurve(client("adapters").keys, client("intruder").keys.public)
    misdirected = curve_peer(zctx, endpoints.platform, "mt5_brazil", other_server, admitted=False)
    allowed = curve_peer(zctx, endpoints.platform, "mt5_global", client("adapters"))
    try:
        assert allowed.recv()[0] is MsgType.WELCOME
        wait_for(lambda: handshake_refused(logged, "platform", "a client with the wrong server key"), "wrong server")
        for name in ("intruder", "engine"):
            key = public(keys, name)
            wait_for(lambda key=key: f"public key {key} is not in gateway.security.allow.platform" in logged.text, name)
        refusals = [r.getMessage() for r in logged.records if "refused a CURVE client" in r.getMessage()]
        assert all("on the platform socket" in line for line in refusals)
        assert intruder.link.hellos_sent >= 1  # it did try
        with pytest.raises(TimeoutError):
            wrong_socket.recv(timeout_s=0.3)
        assert set(running_gateway.peers.platforms) == {"mt5_global"}
        assert intruder.link.welcome is None
    finally:
        intruder.stop_event.set()
        intruder_thread.join(timeout=5)
        allowed.close()
        wrong_socket.close()
        misdirected.close()


def test_only_the_admin_key_activates_or_releases_the_kill_switch(
    running_gateway: Gateway,
    endpoints: Endpoints,
    keys: Path,
    client: Callable[[str], ClientCurve],
    logged: pytest.LogCaptureFixture,
) -> None:
    def active() -> bool:
        return bool(running_gateway.risk.engine.kill_switch.active)

    args: dict[str, Any] = {"reason": "test", "who": "pytest"}

    def refused(command: str, curve: ClientCurve | None) -> None:
        with pytest.raises(GatewayUnavailable, match="not answering"):
            admin_request(endpoints.admin, command, args, timeout_s=0.5, tries=1, curve=curve)

    for curve in (client("engine"), client("intruder"), None):  # an allowed engine, a stranger, no CURVE at all
        refused("killswitch.activate", curve)
    assert not active()
    for name in ("engine", "intruder"):
        assert f"public key {public(keys, name)} is not in gateway.security.allow.admin" in logged.text
    wait_for(lambda: handshake_refused(logged, "admin", WITHOUT_KEYS), "the plain client logged")

    ops = client("ops")
    admin_request(endpoints.admin, "killswitch.activate", args, curve=ops)
    wait_for(active, "the kill switch active")
    refused("killswitch.release", client("engine"))
    assert active()
    admin_request(endpoints.admin, "killswitch.release", args, curve=ops)
    assert not active()
    assert f"admitted ops (key {public(keys, 'ops')}) on the admin socket" in logged.text


def test_an_engine_with_an_allowed_key_trades_end_to_end(
    running_gateway: Gateway,
    endpoints: Endpoints,
    client: Callable[[str], ClientCurve],
    logged: pytest.LogCaptureFixture,
) -> None:
    runners = [start_runner(name, endpoints.platform, client("adapters")) for name in PLATFORMS]
    try:
        wait_for(
            lambda: all(
                n in running_gateway.peers.platforms and running_gateway.peers.platforms[n].online for n in PLATFORMS
            ),
            "every adapter online over CURVE",
        )
        fills: list[dict[str, Any]] = []
        ticks: list[dict[str, Any]] = []
        with NexusGatewayInterface("127.0.0.1", endpoints.nexus_port, name="engine", curve=client("engine")) as gw:
            gw.set_fill_callback(fills.append)
            gw.set_market_data_callback(ticks.append)
            gw.start_listening()
            wait_for(lambda: any(t["symbol"] == "NQ" for t in ticks), "NQ market data over CURVE")
            order_id = gw.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
            assert order_id, gw.last_refusal
            wait_for(lambda: bool(fills), "the aggregated fill")
        assert fills[0]["order_id"] == order_id and fills[0]["status"] == "FILLED"
        assert {leg["platform"] for leg in fills[0]["legs"]} == {"nt8", "sierra", "mt5_global"}
    finally:
        for runner, thread in runners:
            runner.stop_event.set()
            thread.join(timeout=5)


def test_traffic_is_encrypted_and_a_plain_client_gets_nothing(
    running_gateway: Gateway,
    endpoints: Endpoints,
    client: Callable[[str], ClientCurve],
    zctx: zmq.Context[zmq.Socket[bytes]],
    logged: pytest.LogCaptureFixture,
) -> None:
    plain = curve_peer(zctx, endpoints.platform, "nt8", None, admitted=False)
    upstream = int(endpoints.platform.rsplit(":", 1)[1])
    with Recorder(upstream) as wire:
        secured = curve_peer(zctx, f"tcp://127.0.0.1:{wire.port}", "mt5_global", client("adapters"))
        msg_type, welcome = secured.recv()
        assert msg_type is MsgType.WELCOME and any(s.symbol == "NAS100" for s in welcome.subscriptions)
        secured.close()
    assert b"CURVE" in wire.captured  # the greeting names the mechanism; everything after it is ciphertext
    for plaintext in (b"mt5_global", b"NAS100", b"HELLO/1", b"WELCOME/1"):  # (CURVE's own commands are named)
        assert plaintext not in wire.captured, plaintext
    with pytest.raises(TimeoutError):
        plain.recv(timeout_s=0.5)
    plain.close()
    assert "nt8" not in running_gateway.peers.platforms
    wait_for(lambda: handshake_refused(logged, "platform", WITHOUT_KEYS), "the plain client logged")


def test_the_recorder_sees_plaintext_without_curve(zctx: zmq.Context[zmq.Socket[bytes]]) -> None:
    """The control for the test above: the same recorder on a plain connection captures the names."""
    router = zctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    with Recorder(port) as wire:
        peer = curve_peer(zctx, f"tcp://127.0.0.1:{wire.port}", "mt5_global", None)
        assert router.poll(3000)
        assert router.recv_multipart()[0] == b"mt5_global"
        peer.close()
    router.close(linger=0)
    assert b"mt5_global" in wire.captured and b"HELLO/1" in wire.captured


def test_an_exposed_gateway_binds_with_keys_and_refuses_to_without(
    endpoints: Endpoints,
    keys: Path,
    client: Callable[[str], ClientCurve],
    zctx: zmq.Context[zmq.Socket[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    monkeypatch.setenv("NEXUSGW_GATEWAY__SOCKETS__PLATFORM", f"tcp://0.0.0.0:{port}")
    gateway = Gateway(load_profile("dev", CONFIG_DIR))
    gateway.bind(announce=lambda line: None)
    thread = threading.Thread(target=gateway.run, name="gateway", daemon=True)
    thread.start()
    try:
        peer = curve_peer(zctx, f"tcp://127.0.0.1:{port}", "mt5_global", client("adapters"))
        assert peer.recv()[0] is MsgType.WELCOME
        peer.close()
    finally:
        gateway.stop_requested = True
        thread.join(timeout=5)
    # An adapter host's profile (client keys only) validates, but a gateway never binds it without server keys.
    monkeypatch.delenv("NEXUSGW_GATEWAY__SECURITY__SERVER_SECRET_KEY")
    monkeypatch.setenv("NEXUSGW_GATEWAY__SECURITY__CLIENT_SECRET_KEY", str(keys / "adapters.key_secret"))
    monkeypatch.setenv("NEXUSGW_GATEWAY__SECURITY__SERVER_PUBLIC_KEY", str(keys / "gateway.key"))
    with pytest.raises(ConfigError, match=rf"refusing to bind tcp://0\.0\.0\.0:{port} \(not loopback\) without CURVE"):
        Gateway(load_profile("dev", CONFIG_DIR))


@pytest.mark.skipif(os.name == "nt", reason="file modes are a POSIX notion")
def test_the_gateway_refuses_a_secret_key_file_others_can_read(endpoints: Endpoints, keys: Path) -> None:
    secret_file = keys / "gateway.key_secret"
    secret = load_secret(str(secret_file)).secret.decode()
    secret_file.chmod(0o644)
    with pytest.raises(ConfigError, match=f"run `chmod 600 {secret_file}`") as refused:
        Gateway(load_profile("dev", CONFIG_DIR))
    assert secret not in str(refused.value)


def test_status_and_check_take_the_admin_key_from_the_profile(
    running_gateway: Gateway, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    (config / "profiles" / "ops.yaml").write_text(
        "extends: dev\ngateway:\n  security:\n"
        f"    admin_secret_key: {keys / 'ops.key_secret'}\n    server_public_key: {keys / 'gateway.key'}\n"
    )
    assert main(["status", "--profile", "ops", "--config-dir", str(config)]) == 0
    assert "nt8" in capsys.readouterr().out
    assert main(["status", "--profile", "dev", "--config-dir", str(config)]) == 1  # no admin key: refused
    assert "a gateway with CURVE keys answers only an admin key" in capsys.readouterr().err


def test_killswitch_with_a_broken_profile_still_activates_with_the_profiles_admin_key(
    running_gateway: Gateway, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    (config / "profiles" / "ops.yaml").write_text(
        "extends: dev\ngateway:\n  security:\n"
        f"    admin_secret_key: {keys / 'ops.key_secret'}\n    server_public_key: {keys / 'gateway.key'}\n"
        "trading: {defualt_qty: 1}\n"  # a typo: the whole profile does not validate
    )
    base = ["--profile", "ops", "--config-dir", str(config), "--reason", "drill"]
    assert main(["killswitch", "activate", *base]) == 0, capsys.readouterr().err
    assert running_gateway.risk.engine.kill_switch.active
    assert main(["killswitch", "release", *base]) == 0, capsys.readouterr().err
    assert not running_gateway.risk.engine.kill_switch.active
