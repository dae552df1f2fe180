"""A full disk or a read-only data directory, for real: the gateway's data directory on a small tmpfs.

Needs `mount -t tmpfs` (root); skipped where it cannot mount. The kill switch must act even when it cannot be
journaled, the loop must survive (a loop pass that cannot commit puts the gateway in journal-lost mode, and it
restarts from its journal once there is space), a signal must be refused clearly with nothing left behind, and
`nexusgw serve` on a read-only data directory must say so and exit 2.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from nexus_gw.client.admin import admin_request
from nexus_gw.config.loader import load_profile
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import CONFIG_DIR, RawPeer, wait_for

pytestmark = pytest.mark.integration


def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    _mount(disk, "size=8m")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(disk: Path) -> Path:
    """Write a file until the file system refuses (ENOSPC); return it (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    return filler


class InProcess:
    """A gateway in a thread on the data directory of the environment; restartable."""

    def __init__(self) -> None:
        self.gateway = Gateway(load_profile("dev", CONFIG_DIR))
        self.gateway.bind(announce=lambda line: None)
        self.thread = threading.Thread(target=self.gateway.run, name="gateway", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.gateway.stop_requested = True
        self.thread.join(timeout=5)
        assert not self.thread.is_alive(), "gateway loop did not stop"


@pytest.fixture
def on_small_disk(endpoints: Endpoints, small_disk: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcess]:
    monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(small_disk / "data"))
    running = InProcess()
    yield running
    if running.thread.is_alive():
        running.stop()


def peer(zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, role: str, name: str) -> tuple[RawPeer, m.Welcome]:
    if role == "platform":
        raw = RawPeer(zctx, endpoints.platform, name, codec.GATEWAY_TO_PLATFORM, keepalive=True)
    else:
        raw = RawPeer(zctx, endpoints.nexus, name, codec.GATEWAY_TO_NEXUS, keepalive=True)
    raw.send(MsgType.HELLO, m.Hello(role=role, name=name, driver="test"))
    msg_type, welcome = raw.recv()
    assert msg_type is MsgType.WELCOME, welcome
    if role == "platform":
        raw.quote(welcome)
    return raw, welcome


def idle(seconds: float, *peers: RawPeer) -> None:
    """Let the gateway run ``seconds`` while the peers keep heartbeating (a silent peer is dropped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for raw in peers:
            raw.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))
        time.sleep(0.1)


def resting(cid: str, root: str = "NQ") -> m.Signal:
    return m.Signal(client_id=cid, symbol=root, signal=1.0, confidence=0.9, qty=1, order_type="LIMIT", limit_price=1.0)


def test_kill_switch_on_a_full_disk_acts_alerts_keeps_the_loop_and_is_journaled_once_space_is_back(
    on_small_disk: InProcess, small_disk: Path, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    nt8, _ = peer(zctx, endpoints, "platform", "nt8")
    nexus, _ = peer(zctx, endpoints, "nexus", "disk-engine")
    nexus.send(MsgType.SIGNAL, resting("before-full"))
    _, order = nt8.recv()
    filler = fill(small_disk)

    result = admin_request(endpoints.admin, "killswitch.activate", {"reason": "disk drill", "who": "test"})
    assert result["kill_switch"]["active"] and result["cancel_requested_legs"] == 1
    assert result["progress"]["journaled"] is False
    _, cancel = nt8.recv_until(lambda t, _: t is MsgType.CANCEL)[-1]
    assert cancel.leg_id == order.leg_id  # it acted although nothing could be written
    status = admin_request(endpoints.admin, "status")
    assert any(a["severity"] == "CRITICAL" and a["code"] == "RISK_STATE_NOT_JOURNALED" for a in status["alerts"])
    idle(1.0, nt8, nexus)  # several passes on the full disk: one commits nothing, the journal is lost
    assert on_small_disk.thread.is_alive()
    status = admin_request(endpoints.admin, "status")  # status still answers
    assert any(a["severity"] == "CRITICAL" and a["code"] == "JOURNAL_LOST" for a in status["alerts"])
    assert status["risk"]["kill_switch"]["active"]
    nexus.send(MsgType.SIGNAL, resting("while-full", "ES"))
    _, refused = nexus.recv_until(lambda t, msg: t is MsgType.ERROR and msg.ref == "while-full")[-1]
    assert refused.code == "JOURNAL_UNAVAILABLE" and "nothing was sent" in refused.message
    _, again = nt8.recv_until(lambda t, _: t is MsgType.CANCEL, timeout_s=5)[-1]  # the switch keeps driving
    assert again.leg_id == order.leg_id

    filler.unlink()  # space is back: the gateway restarts from its journal, the switch carried over and journaled
    wait_for(lambda: admin_request(endpoints.admin, "status")["counts"].get("restarts_from_journal"), 10, "restart")
    wait_for(lambda: admin_request(endpoints.admin, "killswitch.status")["progress"]["journaled"], 5, "journaled")
    nt8.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", driver="test"))  # the restarted gateway's HELLO
    nt8.recv_until(lambda t, _: t is MsgType.WELCOME)
    _, cancel = nt8.recv_until(lambda t, _: t is MsgType.CANCEL)[-1]  # re-sent after its reconciliation
    assert cancel.leg_id == order.leg_id
    nt8.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status=OrderStatus.CANCELLED))
    wait_for(lambda: admin_request(endpoints.admin, "killswitch.status")["progress"]["complete"], 5, "complete")
    on_small_disk.stop()

    restarted = InProcess()
    try:
        ks = restarted.gateway.risk.engine.kill_switch
        assert ks.active and ks.reason == "disk drill"
    finally:
        restarted.stop()


def test_a_signal_on_a_full_disk_is_refused_clearly_and_leaves_nothing_in_the_book(
    on_small_disk: InProcess, small_disk: Path, endpoints: Endpoints, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    nt8, _ = peer(zctx, endpoints, "platform", "nt8")
    nexus, _ = peer(zctx, endpoints, "nexus", "disk-engine")
    filler = fill(small_disk)
    nexus.send(MsgType.SIGNAL, resting("full-1"))
    msg_type, error = nexus.recv()
    assert msg_type is MsgType.ERROR, error
    assert error.code == "JOURNAL_UNAVAILABLE" and error.ref == "full-1"
    assert "cannot journal the order" in error.message and "nothing was sent" in error.message
    assert str(small_disk) in error.message
    with pytest.raises(TimeoutError):
        nt8.recv(timeout_s=0.5)
    idle(0.5, nt8, nexus)
    assert on_small_disk.thread.is_alive()

    filler.unlink()  # space is back: the gateway restarts from its journal, which never had the order
    gateway = on_small_disk.gateway
    wait_for(lambda: gateway.counters.get("restarts_from_journal"), 10, "the restart from the journal")
    assert gateway.desk.book.busy_with("NQ") is None
    assert gateway.desk.book.existing("full-1") is None and gateway.ledger.existing("full-1") is None
    welcomes = {}
    for raw, role, name in ((nt8, "platform", "nt8"), (nexus, "nexus", "disk-engine")):
        raw.send(MsgType.HELLO, m.Hello(role=role, name=name, driver="test"))  # the restarted gateway's HELLO
        welcomes[name] = raw.recv_until(lambda t, _: t is MsgType.WELCOME)[-1][1]
    nt8.quote(welcomes["nt8"])
    nexus.send(MsgType.SIGNAL, resting("full-1"))  # the same client id, once there is space: a normal order
    assert nt8.recv()[0] is MsgType.ORDER
    update = nexus.recv_until(lambda t, msg: t is MsgType.ORDER_UPDATE)[-1][1]
    assert update.client_id == "full-1" and update.status is not OrderStatus.REJECTED


def test_serve_on_a_read_only_data_dir_says_so_and_exits_2(
    tmp_path: Path, endpoints: Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    readonly = tmp_path / "ro"
    _mount(readonly, "size=1m")
    try:
        (readonly / "data").mkdir()
        remount = subprocess.run(["mount", "-o", "remount,ro", str(readonly)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip("cannot remount read-only")
        for data_dir in (readonly / "data", readonly / "missing" / "data"):  # existing, and to be created
            env = {**os.environ, "NEXUSGW_GATEWAY__DATA_DIR": str(data_dir)}
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nexus_gw.cli.app",
                    "serve",
                    "--profile",
                    "dev",
                    "--config-dir",
                    str(CONFIG_DIR),
                ],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            assert result.returncode == 2, result.stderr
            assert f"data dir {data_dir} is not writable" in result.stderr
            assert "fix permissions" in result.stderr and "gateway.data_dir" in result.stderr
            assert "Traceback" not in result.stderr
        from nexus_gw.journal.errors import DataDirNotWritable

        monkeypatch.setenv("NEXUSGW_GATEWAY__DATA_DIR", str(readonly / "data"))
        with pytest.raises(DataDirNotWritable):
            Gateway(load_profile("dev", CONFIG_DIR))
    finally:
        subprocess.run(["umount", "-l", str(readonly)], capture_output=True)
