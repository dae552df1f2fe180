"""Crash campaign: ``kill -9`` of the gateway or an adapter at random points of an order's life, again and again.

Whatever the interleaving, at the end of the campaign:
- every signal the engine sent has a final answer at the engine (a FILL, a final update or a refusal);
- every order with executions reached the engine as one FILL (plus one per correction, when a fill came after
  the order had finished), the newest of which matches the exchange's record;
- every execution the platforms made (the MT5 terminal's deals on ``mt5_global``; on ``nt8``, through ATI files,
  the quantity the simulated NinjaTrader filled per order, as ATI reports it) is in the journal exactly once, and
  nothing else is;
- no leg was submitted to a platform twice, and no FILL is left undelivered in the journal.

The seed and the number of rounds come from ``NEXUSGW_CAMPAIGN_SEED`` / ``NEXUSGW_CAMPAIGN_ROUNDS`` so a
failure can be replayed; the seed in use is printed.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.client import NexusGatewayInterface
from nexus_gw.errors import GatewayUnavailable
from nexus_gw.journal import Journal, journal_path
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR
from tests.e2e.mt5_double import executed

pytestmark = pytest.mark.e2e

PLATFORMS = ("nt8", "mt5_global")
ATI = "nt8"  # the NT8 driver through ATI files; mt5_global is the MT5 driver against the MetaTrader5 double
ROOTS = ("NQ", "ES")


@dataclass
class EngineRecord:
    """What the engine saw, written by the SDK's callback thread."""

    fills: list[dict[str, Any]] = field(default_factory=list)
    finals: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_fill(self, fill: dict[str, Any]) -> None:
        with self.lock:
            self.fills.append(fill)

    def on_update(self, update: dict[str, Any]) -> None:
        if update.get("final"):
            with self.lock:
                self.finals[update["order_id"]] = update


@pytest.fixture
def campaign_stack(tmp_path: Path) -> Iterator[LocalStack]:
    env = {"NEXUSGW_GATEWAY__HEARTBEAT_INTERVAL_S": "0.25", "NEXUSGW_TRADING__ORDER_TIMEOUT_S": "30"}
    s = LocalStack("dev", CONFIG_DIR, tmp_path / "run", extra_env=env)
    s.start_companion(ATI, args=["--fill-interval-s", "0.4", "--slices", "2"])  # two fills, 0.4 s apart
    yield s
    s.stop_all()


def _send(gw: NexusGatewayInterface, root: str, side: float, client_id: str) -> str | None:
    """Send (or resend, same client id) until the gateway answers; the answer's order id or None."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return gw.send_signal(root, side, 0.9, qty=1, client_id=client_id)
        except GatewayUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _crash_and_restart(stack: LocalStack, rng: random.Random, while_down: Any) -> str:
    victim = rng.choice(["gateway", *PLATFORMS])
    stack.kill(victim)
    if victim != "gateway" and rng.random() < 0.5:
        while_down()  # signals while a platform is dead: routed around it, or held for it
    time.sleep(rng.uniform(0.0, 1.0))  # the others go on: fills happen, reports queue, links time out
    if victim == "gateway":
        stack.start_gateway()
    else:
        stack.start_adapter(victim)
    stack.wait_online(list(PLATFORMS), timeout_s=30)
    return victim


def _exchange_fills(stack: LocalStack, name: str, legs: set[str]) -> dict[str, dict[str, float]]:
    """Leg id -> fill id -> qty as the platform recorded its executions; for ATI, which reports what an order
    filled in total (not each execution), leg id -> {"total": qty}."""
    if name != ATI:
        return executed(stack.companion_state_files[name], name, legs)
    orders = json.loads(stack.companion_state_files[name].read_text())["orders"]
    return {leg: {"total": float(o["filled"])} for leg, o in orders.items() if o["filled"]}


def test_repeated_kill_9_of_gateway_and_adapters_loses_nothing_and_duplicates_nothing(
    campaign_stack: LocalStack, tmp_path: Path
) -> None:
    seed = int(os.environ.get("NEXUSGW_CAMPAIGN_SEED", time.time_ns() % 1_000_000))
    rounds = int(os.environ.get("NEXUSGW_CAMPAIGN_ROUNDS", "8"))
    print(f"crash campaign: seed {seed}, {rounds} rounds (replay with NEXUSGW_CAMPAIGN_SEED={seed})")
    rng = random.Random(seed)
    stack = campaign_stack
    stack.start_gateway()
    for name in PLATFORMS:
        stack.start_adapter(name)
    stack.wait_online(list(PLATFORMS))
    record = EngineRecord()
    sent: dict[str, str | None] = {}  # client id -> order id (None: refused or skipped)
    victims: list[str] = []
    gw = NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="campaign", liveness_s=1.0)
    gw.connect()
    gw.set_fill_callback(record.on_fill)
    gw.set_order_status_callback(record.on_update)
    gw.start_listening()
    try:

        def signals(tag: str) -> None:
            for root in ROOTS:
                client_id = f"campaign-{seed}-{tag}-{root}"
                sent[client_id] = _send(gw, root, rng.choice([1.0, -1.0]), client_id)

        for number in range(rounds):
            signals(str(number))
            time.sleep(rng.uniform(0.0, 0.9))  # somewhere in the orders' life: sent, arriving, filling
            victims.append(_crash_and_restart(stack, rng, lambda n=number: signals(f"{n}-down")))
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            status = stack.status()
            orders = [oid for oid in sent.values() if oid]
            with record.lock:
                finished = set(record.finals) | {f["order_id"] for f in record.fills}
            if not status.get("active_orders") and all(oid in finished for oid in orders):
                break
            time.sleep(0.25)
        time.sleep(1.5)  # room for any late duplicate to show up
        blocked = dict(gw.core.active_by_symbol)
    finally:
        gw.close()
        codes = stack.stop_all()
    print(f"victims: {Counter(victims)}; signals {len(sent)}, orders {sum(1 for o in sent.values() if o)}")
    assert codes.get("gateway") in (None, 0), stack.tail("gateway", 60)

    orders = {cid: oid for cid, oid in sent.items() if oid}
    assert orders, "no signal became an order: the campaign tested nothing"
    with record.lock:
        fills = list(record.fills)
        finals = dict(record.finals)
    deliveries = Counter((f["order_id"], f["revision"]) for f in fills)  # a correction has a revision of its own
    duplicates = {key: n for key, n in deliveries.items() if n > 1}
    assert not duplicates, f"FILLs that reached the engine more than once: {duplicates}"
    latest: dict[str, dict[str, Any]] = {}  # order id -> its newest FILL (a correction supersedes)
    for f in fills:
        if f["revision"] >= latest.get(f["order_id"], {"revision": -1})["revision"]:
            latest[f["order_id"]] = f
    fills_per_order = Counter(f["order_id"] for f in fills)
    unanswered = [oid for oid in orders.values() if oid not in finals and oid not in fills_per_order]
    assert not unanswered, f"orders without a final answer at the engine: {unanswered}"
    assert not blocked, f"the SDK still blocks roots whose orders are finished: {blocked}"

    with Journal.open(journal_path(stack.run_dir / "data"), readonly=True) as journal:
        journaled: dict[str, dict[str, float]] = {}
        for f in journal.query_fills():
            journaled.setdefault(f.leg_id, {})[f.fill_id] = f.qty
        undelivered = [d.order_id for d in journal.pending() if d.kind == "FILL"]
    known_legs = set(journaled) | {f"{oid}.{name}" for oid in orders.values() for name in PLATFORMS}
    exchange: dict[str, dict[str, float]] = {}  # leg id -> fill id -> qty, the platforms' own record
    for name in PLATFORMS:
        exchange.update(_exchange_fills(stack, name, known_legs))
    executed_on = {leg.rsplit(".", 1)[1] for leg in exchange}
    assert executed_on == set(PLATFORMS), f"only {executed_on} executed anything: the comparison would be blind"
    for leg in [leg for leg in journaled if leg.endswith(f".{ATI}")]:
        journaled[leg] = {"total": sum(journaled[leg].values())}
    assert journaled == exchange, "the journal's executions differ from what the exchanges executed"
    assert not undelivered, f"FILLs still waiting in the journal's outbox: {undelivered}"

    for fill in latest.values():
        for leg in fill["legs"]:
            executed = sum(exchange.get(leg["leg_id"], {}).values())
            assert leg["filled_qty"] == pytest.approx(executed), (
                f"order {fill['order_id']}: engine was told {leg['filled_qty']} on {leg['leg_id']}, "
                f"the exchange executed {executed}"
            )
    for oid in orders.values():
        if exchange_legs := [leg for leg in exchange if leg.startswith(f"{oid}.")]:
            assert oid in fills_per_order, f"order {oid} executed on {exchange_legs} but no FILL reached the engine"

    submitted = 0
    for name in PLATFORMS:
        submissions = Counter(
            line.split("order ", 1)[1].split(":", 1)[0]
            for line in stack.log_path(name).read_text().splitlines()
            if " order " in line and (": BUY " in line or ": SELL " in line)
        )
        submitted += len(submissions)
        twice = {leg: n for leg, n in submissions.items() if n > 1}
        assert not twice, f"legs submitted to {name} more than once: {twice}"
    assert submitted >= len(orders), "the adapters' logs show fewer submissions than orders: the check is blind"
