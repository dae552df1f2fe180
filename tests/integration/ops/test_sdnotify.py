"""sd_notify over a real AF_UNIX datagram socket: the Notifier itself, then the gateway and an adapter as processes.

The test plays systemd: it binds the socket, starts the process with ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC`` set,
and reads what arrives.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.ops.sdnotify import Notifier
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(sys.platform == "win32", reason="sd_notify is a Linux protocol (AF_UNIX datagrams)"),
]


class Listener:
    """The service manager's end: an AF_UNIX datagram socket, bound to a path or an abstract name."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.messages: list[dict[str, str]] = []

    def wait_for(self, key: str, timeout_s: float = 20.0, status: str = "") -> list[dict[str, str]]:
        """Receive until a message with ``key`` (and ``status`` in its STATUS) arrives; every message so far."""
        deadline = time.monotonic() + timeout_s
        while not any(key in msg and status in msg.get("STATUS", "") for msg in self.messages):
            left = deadline - time.monotonic()
            assert left > 0, f"no {key} within {timeout_s:.0f}s; received {self.messages}"
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            self.messages.append(dict(line.split("=", 1) for line in data.decode().splitlines()))
        return self.messages

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[Listener, str]]:
    name = f"@nexusgw-test-{os.getpid()}-{time.monotonic_ns()}"  # abstract: no path length limit, no file left
    lis = Listener("\0" + name[1:])
    yield lis, name
    lis.close()


def test_the_notifier_reaches_a_socket_bound_to_a_path(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    lis = Listener(str(path))
    try:
        notifier = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"})
        assert notifier.interval == 0.5
        assert notifier.ready("serving")
        assert notifier.watchdog(100.0)
        assert not notifier.watchdog(100.2)  # not due yet: half of WATCHDOG_USEC after the last ping
        assert notifier.watchdog(100.5)
        assert notifier.stopping()
        msgs = lis.wait_for("STOPPING")
        assert msgs == [
            {"READY": "1", "STATUS": "serving"},
            {"WATCHDOG": "1"},
            {"WATCHDOG": "1"},
            {"STOPPING": "1"},
        ]
    finally:
        lis.close()


def test_the_gateway_process_says_ready_then_pings_the_watchdog_then_says_stopping(
    tmp_path: Path, listener: tuple[Listener, str]
) -> None:
    lis, address = listener
    env = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000", "NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "10"}
    stack = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    try:
        stack.start_gateway()  # returns once the admin socket answers
        msgs = lis.wait_for("WATCHDOG")
        assert msgs[0]["READY"] == "1", msgs
        assert "profile dev" in msgs[0]["STATUS"]
        # a quiet loop with a 10 s heartbeat must still ping at the watchdog's 1 s pace
        for _ in range(3):
            lis.messages.clear()
            lis.wait_for("WATCHDOG", timeout_s=3.0)
    finally:
        codes = stack.stop_all()
    assert codes["gateway"] == 0, stack.tail("gateway")
    assert any("STOPPING" in msg for msg in lis.wait_for("STOPPING", timeout_s=5.0))


def test_an_adapter_process_is_ready_without_a_gateway_and_its_watchdog_pings_say_when_it_is_connected(
    tmp_path: Path, listener: tuple[Listener, str]
) -> None:
    lis, address = listener
    env = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000", "NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}
    stack = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    try:
        stack.start_adapter("nt8")  # no gateway yet: an adapter is ready once started, it connects on its own
        msgs = lis.wait_for("WATCHDOG", status="adapter nt8: waiting for the gateway")
        assert msgs[0] == {"READY": "1", "STATUS": "adapter nt8: waiting for the gateway"}, msgs
        stack.start_gateway()
        lis.wait_for("WATCHDOG", status="adapter nt8: connected to the gateway, platform up")
    finally:
        codes = stack.stop_all()
    assert codes["nt8"] == 0, stack.tail("nt8")
    stopping = {"STOPPING": "1", "STATUS": "adapter nt8: stopping"}
    assert stopping in lis.wait_for("STOPPING", timeout_s=5.0, status="adapter nt8: stopping")
