"""kill -9 of the gateway while legs are open: every fill reaches NEXUS exactly once, no leg is sent twice."""

from __future__ import annotations

import itertools
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.journal import Journal, journal_path
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR, RawPeer

pytestmark = pytest.mark.e2e


@pytest.fixture
def slow_fill_stack(tmp_path: Path) -> Iterator[LocalStack]:
    env = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    s.start_companion("nt8", args=["--fill-interval-s", "2.5", "--slices", "1"])  # NinjaTrader fills after 2.5 s
    yield s
    s.stop_all()


def test_gateway_kill_9_with_open_legs_then_restart_delivers_each_fill_once(slow_fill_stack: LocalStack) -> None:
    stack = slow_fill_stack
    stack.start_gateway()
    for name in ("nt8", "mt5_global"):
        stack.start_adapter(name)
    stack.wait_online(["nt8", "mt5_global"])
    fills: list[dict[str, Any]] = []
    got = threading.Event()
    gw = NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="survivor", liveness_s=1.0)
    gw.connect()
    gw.set_fill_callback(lambda f: (fills.append(f), got.set()))
    gw.start_listening()
    try:
        stack.wait_quoted(["NQ"])
        order_id = gw.send_signal("NQ", 1.0, 0.9, qty=1)
        assert order_id, gw.last_refusal
        time.sleep(0.5)  # both legs are at the platforms: MT5 filled at once, nt8 fills in ~2 s
        stack.kill("gateway")
        time.sleep(3.0)  # the simulated platforms fill while the gateway is dead
        stack.start_gateway()
        stack.wait_online(["nt8", "mt5_global"])
        assert got.wait(10), "the fill never reached NEXUS"
        time.sleep(1.5)  # room for any duplicate to show up
    finally:
        gw.close()
    assert len(fills) == 1
    fill = fills[0]
    assert fill["order_id"] == order_id and fill["filled_qty"] == 2 and fill["status"] == "FILLED"
    for name in ("nt8", "mt5_global"):
        submissions = [
            line
            for line in stack.log_path(name).read_text().splitlines()
            if f"runner: order {order_id}.{name}:" in line  # the adapter's one line per leg it submits
        ]
        assert len(submissions) == 1, f"{name} received the leg {len(submissions)} times"
    with Journal.open(journal_path(stack.run_dir / "data"), readonly=True) as journal:
        legs = sorted(f.leg_id for f in journal.query_fills())
        assert legs == sorted([f"{order_id}.nt8", f"{order_id}.mt5_global"])
        assert [d for d in journal.pending() if d.kind == "FILL"] == []


@pytest.fixture
def persistent_sim_stack(tmp_path: Path) -> Iterator[LocalStack]:
    env = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25"}
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    s.start_companion("nt8", args=["--fill-interval-s", "1.5", "--slices", "1"])  # NinjaTrader fills after 1.5 s
    yield s
    s.stop_all()


def test_adapter_kill_9_mid_order_then_restart_counts_the_fill_once_and_routes_around_it(
    persistent_sim_stack: LocalStack,
) -> None:
    stack = persistent_sim_stack
    stack.start_gateway()
    for name in ("nt8", "mt5_global"):
        stack.start_adapter(name)
    stack.wait_online(["nt8", "mt5_global"])
    fills: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    got = threading.Event()
    with NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="engine") as gw:
        gw.set_fill_callback(lambda f: (fills.append(f), got.set()))
        gw.set_order_status_callback(updates.append)
        gw.start_listening()
        stack.wait_quoted(["NQ", "ES"])
        order_id = gw.send_signal("NQ", 1.0, 0.9, qty=1)
        assert order_id, gw.last_refusal
        time.sleep(0.5)  # the leg is at nt8's exchange; its fill is due in ~1 s
        stack.kill("nt8")
        stack.wait_status(lambda s: not s["platforms"]["nt8"]["online"], 5, "nt8 offline")
        routed = gw.send_signal("ES", 1.0, 0.9, qty=1)  # while nt8 is down: routed to the rest
        assert routed, gw.last_refusal
        deadline = time.monotonic() + 5
        while not any(f["order_id"] == routed for f in fills) and time.monotonic() < deadline:
            time.sleep(0.05)
        es_fill = next(f for f in fills if f["order_id"] == routed)
        assert [leg["platform"] for leg in es_fill["legs"]] == ["mt5_global"]
        stack.start_adapter("nt8")
        stack.wait_online(["nt8", "mt5_global"])
        deadline = time.monotonic() + 10
        while not any(f["order_id"] == order_id for f in fills) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
    nq_fills = [f for f in fills if f["order_id"] == order_id]
    assert len(nq_fills) == 1, "the NQ fill must reach NEXUS exactly once"
    legs = {leg["platform"]: leg for leg in nq_fills[0]["legs"]}
    assert legs["nt8"]["filled_qty"] == 1 and legs["nt8"]["status"] == "FILLED"
    log_lines = stack.log_path("nt8").read_text().splitlines()
    submitted = [line for line in log_lines if f"runner: order {order_id}.nt8:" in line]
    assert len(submitted) == 1, "the leg reached nt8 once"


def test_gateway_killed_between_a_commit_and_its_sends_sends_each_leg_once_after_restart(
    persistent_sim_stack: LocalStack, zctx: zmq.Context[zmq.Socket[bytes]]
) -> None:
    """Group commit: the legs of an order are written to the adapters only after the loop pass that journaled them
    committed. A gateway that dies in between (failpoint ``journal.after_commit``) has them journaled as SENT and
    never sent; after the restart each goes out once (reconciliation resends legs this process did not send) and
    the order fills once."""
    stack = persistent_sim_stack
    stack.extra_env["NEXUSGW_FAILPOINT"] = "journal.after_commit"
    stack.start_gateway()
    for name in ("nt8", "mt5_global"):
        stack.start_adapter(name)
    stack.wait_online(["nt8", "mt5_global"])
    engine = RawPeer(zctx, stack.endpoints.nexus, "after-commit-1", codec.GATEWAY_TO_NEXUS, keepalive=True)
    hello = m.Hello(role="nexus", name="after-commit", acks=["FILL", "ORDER_UPDATE"])
    engine.send(MsgType.HELLO, hello)
    assert engine.recv()[0] is MsgType.WELCOME
    gateway = stack.procs["gateway"]
    stack.wait_quoted(["NQ"])
    client_id = ""
    answers: list[str] = []
    give_up = time.monotonic() + 60  # a loaded machine may take a while to bring the first quotes
    for attempt in itertools.count():  # until one is taken (right after start, quotes may not have arrived yet)
        if time.monotonic() > give_up:
            break
        client_id = f"after-commit-{attempt}"
        engine.send(MsgType.SIGNAL, m.Signal(client_id=client_id, symbol="NQ", signal=1.0, confidence=0.9, qty=1))
        deadline = time.monotonic() + 20
        while gateway.poll() is None and time.monotonic() < deadline:
            try:  # an answer: refused (stale quotes); none and the gateway gone: it died at the failpoint
                seen = engine.recv_until(
                    lambda t, msg, cid=client_id: t is MsgType.ORDER_UPDATE and msg.client_id == cid, 0.5
                )
                update = seen[-1][1]
                answers.append(f"{client_id}: {update.status} {update.reason}")
                time.sleep(0.5)  # refused: give the quotes time to arrive
                break
            except TimeoutError:
                continue
        if gateway.poll() is not None:
            break
    try:
        gateway.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail(
            "the gateway never reached the failpoint; its answers:\n"
            + "\n".join(answers)
            + "\n"
            + stack.tail("gateway", 60)
        )
    assert gateway.returncode == 137  # died right after the commit, before any send
    with Journal.open(journal_path(stack.run_dir / "data"), readonly=True) as journal:
        order = journal.order_for_client(client_id)
    assert order is not None, "the order was committed before the failpoint"
    assert sorted(leg.platform for leg in order.legs.values()) == ["mt5_global", "nt8"]
    for name in ("nt8", "mt5_global"):  # journaled, never sent
        assert f"runner: order {order.order_id}.{name}:" not in stack.log_path(name).read_text()

    del stack.extra_env["NEXUSGW_FAILPOINT"]
    stack.start_gateway()
    stack.wait_online(["nt8", "mt5_global"])
    fills: list[m.FillReport] = []
    deadline = time.monotonic() + 30
    engine.send(MsgType.HELLO, hello)  # the restarted gateway knows no engine yet
    while not fills and time.monotonic() < deadline:
        try:
            msg_type, msg = engine.recv(timeout_s=1.0)
        except TimeoutError:
            continue
        if msg_type is MsgType.ERROR and msg.code == "UNKNOWN_PEER":
            engine.send(MsgType.HELLO, hello)
        elif msg_type is MsgType.FILL and msg.order_id == order.order_id:
            fills.append(msg)
            engine.send(MsgType.ACK, m.Ack(kind="FILL", ref=msg.order_id))
    assert fills, "the order never filled after the restart"
    assert fills[0].filled_qty == 2 and fills[0].status is OrderStatus.FILLED
    with pytest.raises(TimeoutError):  # no second FILL
        engine.recv_until(lambda t, msg: t is MsgType.FILL, timeout_s=1.5)
    for name in ("nt8", "mt5_global"):
        submissions = [
            line
            for line in stack.log_path(name).read_text().splitlines()
            if f"runner: order {order.order_id}.{name}:" in line
        ]
        assert len(submissions) == 1, f"{name} received the leg {len(submissions)} times"
    with Journal.open(journal_path(stack.run_dir / "data"), readonly=True) as journal:
        assert sorted(f.leg_id for f in journal.query_fills()) == sorted(order.legs)
    engine.close()
