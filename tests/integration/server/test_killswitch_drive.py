"""The kill switch as a state the gateway drives to completion, over real sockets and real SQLite files:
cancels for a platform offline at activation go out at its HELLO (after reconciliation revived the order),
pending cancels are re-sent at a bounded rate, finished orders leave memory but not the journal, and the
`killswitch` CLI works with a broken profile."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


def resting(cid: str, root: str = "NQ") -> m.Signal:
    return m.Signal(client_id=cid, symbol=root, signal=1.0, confidence=0.9, qty=1, order_type="LIMIT", limit_price=1.0)


def accept(platform: RawPeer) -> m.Order:
    """The next ORDER, acknowledged and accepted as an adapter would."""
    msg_type, order = platform.recv()
    assert msg_type is MsgType.ORDER, order
    platform.send(MsgType.ACK, m.Ack(kind="ORDER", ref=order.leg_id))
    platform.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status=OrderStatus.ACCEPTED))
    return order


def next_cancel(platform: RawPeer, timeout_s: float = 3.0) -> m.Cancel:
    _, cancel = platform.recv_until(lambda t, _: t is MsgType.CANCEL, timeout_s=timeout_s)[-1]
    return cancel


def progress(endpoints: Endpoints) -> dict[str, Any]:
    return admin_request(endpoints.admin, "killswitch.status")["progress"]


def test_a_platform_offline_at_activation_gets_its_cancel_at_hello_even_after_reconciliation_revives_it(
    nexus_peer: RawPeer,
    platform_peer_factory: PlatformFactory,
    endpoints: Endpoints,
    zctx: zmq.Context[zmq.Socket[bytes]],
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    mt5, _ = platform_peer_factory("mt5_global")
    nexus_peer.send(MsgType.SIGNAL, resting("offline-1"))
    on_nt8, on_mt5 = accept(nt8), accept(mt5)
    mt5.close()  # the adapter dies: its order keeps working at the platform
    wait_for(
        lambda: not admin_request(endpoints.admin, "status")["platforms"]["mt5_global"]["online"], 5, "mt5 offline"
    )

    result = admin_request(endpoints.admin, "killswitch.activate", {"reason": "drill", "who": "test"})
    assert result["cancel_requested_legs"] == 2
    assert result["cancel_requested_platforms"] == ["mt5_global", "nt8"]
    assert not result["progress"]["complete"]
    assert next_cancel(nt8).leg_id == on_nt8.leg_id
    nt8.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=on_nt8.leg_id, status=OrderStatus.CANCELLED))
    still = wait_for(
        lambda: (lambda p: p if len(p["pending_cancel"]) == 1 else None)(progress(endpoints)), 5, "nt8 confirmed"
    )
    assert still["pending_cancel"][0]["leg_id"] == on_mt5.leg_id and not still["complete"]
    assert still["lines"][0].startswith(f"pending cancel: mt5_global leg {on_mt5.leg_id}")

    back = RawPeer(zctx, endpoints.platform, "mt5_global", codec.GATEWAY_TO_PLATFORM, keepalive=True)
    try:  # the restarted adapter reports the order as working: reconciliation marks it ACCEPTED again
        report = m.PlatformReport(open_orders=[m.ReportedOrder(leg_id=on_mt5.leg_id)])
        back.send(
            MsgType.HELLO, m.Hello(role="platform", name="mt5_global", driver="test", session="s2", report=report)
        )
        assert back.recv()[0] is MsgType.WELCOME
        after_hello = back.recv_until(lambda t, _: t in (MsgType.CANCEL, MsgType.ORDER))[-1]
        assert after_hello[0] is MsgType.CANCEL and after_hello[1].leg_id == on_mt5.leg_id  # never the ORDER again
        back.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=on_mt5.leg_id, status=OrderStatus.CANCELLED))
        done = wait_for(lambda: (lambda p: p if p["complete"] else None)(progress(endpoints)), 5, "complete")
        assert done["pending_cancel"] == [] and done["journaled"]
    finally:
        back.close()


def test_a_cancel_nobody_confirms_is_resent_at_a_bounded_rate(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, resting("deaf-1"))
    order = accept(nt8)
    admin_request(endpoints.admin, "killswitch.activate", {"reason": "drill", "who": "test"})
    first = time.monotonic()
    assert next_cancel(nt8).leg_id == order.leg_id
    assert next_cancel(nt8, timeout_s=15).leg_id == order.leg_id  # the platform ignored it: sent again
    assert time.monotonic() - first >= 4.0  # not before the resend interval (5 s)
    assert progress(endpoints)["pending_cancel"][0]["leg_id"] == order.leg_id


@pytest.mark.parametrize("gateway_env", [{"NEXUSGW_TRADING__FINISHED_ORDER_RETENTION_S": "0"}], indirect=True)
def test_finished_orders_leave_memory_and_a_resent_client_id_is_still_answered_from_the_journal(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="once", symbol="NQ", signal=1, confidence=0.9, qty=1))
    order = accept(nt8)
    nt8.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="x1", qty=1, price=100.25))
    filled = nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)[-1][1]
    wait_for(lambda: order.order_id not in running_gateway.desk.book.orders, 5, "the finished order pruned")
    assert order.leg_id not in running_gateway.desk.book.by_leg

    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="once", symbol="NQ", signal=1, confidence=0.9, qty=1))
    again = nexus_peer.recv_until(lambda t, _: t is MsgType.ORDER_UPDATE)[-1][1]
    assert again.order_id == filled.order_id and again.final
    with pytest.raises(TimeoutError):
        nt8.recv(timeout_s=0.5)  # nothing sent twice
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="next", symbol="NQ", signal=-1, confidence=0.9, qty=1))
    assert nt8.recv()[0] is MsgType.ORDER  # the root is free


def test_killswitch_cli_activates_with_a_broken_profile(
    running_gateway: Gateway, endpoints: Endpoints, tmp_path: Path
) -> None:
    import shutil

    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    profile = config / "profiles" / "dev.yaml"
    # a typo elsewhere in the profile: the whole-profile validation refuses it
    profile.write_text(
        profile.read_text() + f"\ngateway:\n  sockets: {{admin: '{endpoints.admin}'}}\ntrading: {{defualt_qty: 1}}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    cmd = [sys.executable, "-m", "nexus_gw.cli.app", "killswitch", "activate", "--reason", "broken profile drill"]
    result = subprocess.run(
        [*cmd, "--profile", "dev", "--config-dir", str(config)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "KILL SWITCH ACTIVE" in result.stdout and "cancel requested for 0 legs" in result.stdout
    assert running_gateway.risk.engine.kill_switch.active

    profile.write_text("symbols: [NQ\n  : : not yaml at all")  # unreadable: falls back, with a warning
    release = subprocess.run(
        [sys.executable, "-m", "nexus_gw.cli.app", "killswitch", "release"],
        capture_output=True,
        text=True,
        env={**env, "NEXUSGW_ADMIN_ENDPOINT": endpoints.admin},
        timeout=60,
    )
    assert release.returncode == 0 and "kill switch off" in release.stdout, release.stderr


def test_the_activation_reply_waits_for_nothing_but_status_waits_for_confirmation(
    running_gateway: Gateway, endpoints: Endpoints
) -> None:
    """With nothing working, an activation is complete at once; the CLI's --wait exits 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    env["NEXUSGW_ADMIN_ENDPOINT"] = endpoints.admin
    result = subprocess.run(
        [sys.executable, "-m", "nexus_gw.cli.app", "killswitch", "--wait", "5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "kill switch complete" in result.stdout


def test_flatten_orders_are_tracked_until_filled_and_a_restart_neither_duplicates_nor_forgets_them(
    running_gateway: Gateway,
    platform_peer_factory: PlatformFactory,
    nexus_peer: RawPeer,
    endpoints: Endpoints,
    zctx: zmq.Context[zmq.Socket[bytes]],
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="long", symbol="NQ", signal=1, confidence=0.9, qty=1))
    bought = accept(nt8)
    nt8.send(MsgType.FILL, m.LegFill(leg_id=bought.leg_id, fill_id="b1", qty=1, price=100.25))
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)

    result = admin_request(endpoints.admin, "killswitch.activate", {"reason": "flat", "who": "t", "flatten": True})
    assert len(result["flatten_orders"]) == 1 and not result["progress"]["complete"]
    flatten = accept(nt8)
    assert flatten.side == "SELL" and flatten.qty == 1
    wait_for(lambda: progress(endpoints)["flattening"], 5, "the flatten order tracked")
    running_gateway.stop_requested = True  # the gateway stops before the flatten order fills
    wait_for(lambda: running_gateway.ctx is None, 5, "the gateway stopped")
    nt8.close()

    restarted = Gateway(load_profile("dev", CONFIG_DIR))
    restarted.bind(announce=lambda line: None)
    thread = threading.Thread(target=restarted.run, daemon=True)
    thread.start()
    back = RawPeer(zctx, endpoints.platform, "nt8", codec.GATEWAY_TO_PLATFORM, keepalive=True)
    try:
        report = m.PlatformReport(open_orders=[m.ReportedOrder(leg_id=flatten.leg_id)], positions={})
        back.send(MsgType.HELLO, m.Hello(role="platform", name="nt8", driver="test", session="s2", report=report))
        assert back.recv()[0] is MsgType.WELCOME
        with pytest.raises(TimeoutError):
            back.recv(timeout_s=2.5)  # neither a second flatten order nor a cancel of the first
        still = progress(endpoints)
        assert [leg["leg_id"] for leg in still["flattening"]] == [flatten.leg_id] and not still["complete"]
        back.send(MsgType.FILL, m.LegFill(leg_id=flatten.leg_id, fill_id="f1", qty=1, price=100.0))
        wait_for(lambda: progress(endpoints)["complete"], 5, "flat and complete")
        orders = restarted.ledger.journal.load_orders(open_only=False)
        assert len([o for o in orders if o.client_id.startswith("flatten:")]) == 1
    finally:
        back.close()
        restarted.stop_requested = True
        thread.join(timeout=5)
