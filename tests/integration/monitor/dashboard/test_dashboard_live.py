"""``nexusgw dashboard`` driven headless by textual's own test driver against a real gateway on loopback sockets:
it shows the platforms online and an order after a signal; its kill switch and trading state keys act at the
gateway only after confirmation; a gateway that does not answer is shown as such until it does."""

from __future__ import annotations

import asyncio
import getpass
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from nexus_gw.cli.dashboard import admin_call
from nexus_gw.cli.target import AdminTarget
from nexus_gw.client.admin import admin_request
from nexus_gw.config.loader import LoadedProfile
from nexus_gw.monitor.dashboard.app import Dashboard
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration
PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]
SIZE = (180, 80)
REFRESH_S = 0.2


class Recorder:
    """The CLI's admin call, remembering every command other than ``status``."""

    def __init__(self, endpoint: str) -> None:
        self.call = admin_call(AdminTarget(endpoint, "test"))
        self.commands: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        if command != "status":
            self.commands.append((command, args))
        return self.call(command, args)


def table(app: Dashboard, name: str) -> list[list[str]]:
    grid = app.query_one(f"#{name}", DataTable)
    return [[str(cell) for cell in grid.get_row_at(i)] for i in range(grid.row_count)]


def online(app: Dashboard) -> set[str]:
    return {row[0] for row in table(app, "platforms") if row[1] == "● ONLINE"}


def text(app: Dashboard, selector: str) -> str:
    return str(app.query_one(selector, Static).content)


async def until(
    pilot: Pilot[None], predicate: Callable[[], Any], what: str, peers: tuple[RawPeer, ...] = (), timeout_s: float = 10
) -> Any:
    """Let the app run until ``predicate`` holds; the peers heartbeat meanwhile, as live adapters and engines do."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for peer in peers:
            peer.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))
        found = predicate()
        if found:
            return found
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def accept(platform: RawPeer) -> m.Order:
    msg_type, order = platform.recv(timeout_s=15)  # generous: a loaded machine delays the gateway thread
    assert msg_type is MsgType.ORDER, order
    platform.send(MsgType.ACK, m.Ack(kind="ORDER", ref=order.leg_id))
    platform.send(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status=OrderStatus.ACCEPTED))
    return order


def gateway_status(endpoints: Endpoints) -> dict[str, Any]:
    return admin_request(endpoints.admin, "status", timeout_s=1.0, tries=1)


def kill_switch(endpoints: Endpoints) -> dict[str, Any]:
    return dict(gateway_status(endpoints)["risk"]["kill_switch"])


def test_platforms_online_an_order_after_a_signal_and_the_kill_switch_after_confirmation(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, endpoints: Endpoints
) -> None:
    nt8, _ = platform_peer_factory("nt8")
    sierra, _ = platform_peer_factory("sierra")
    peers = (nexus_peer, nt8, sierra)
    request = Recorder(endpoints.admin)
    app = Dashboard(request, endpoints.admin, REFRESH_S, who="desk")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: online(app) == {"nt8", "sierra"}, "nt8 and sierra online", peers)
            others = [name for name in gateway_status(endpoints)["platforms"] if name not in ("nt8", "sierra")]
            assert f"Platforms: 2/{2 + len(others)} ONLINE" in text(app, "#head")  # every dev platform is enabled
            assert "Status: ● ACTIVE" in text(app, "#head")
            offline = {r[0]: r[1] for r in table(app, "platforms") if r[0] in others}
            assert offline == dict.fromkeys(others, "○ OFFLINE") and others

            signal = m.Signal(
                client_id="dash-1", symbol="NQ", signal=1.0, confidence=0.9, qty=1, order_type="LIMIT", limit_price=1.0
            )
            nexus_peer.send(MsgType.SIGNAL, signal)
            accept(nt8), accept(sierra)
            order = await until(
                pilot, lambda: [r for r in table(app, "orders") if r[1] == "dash-1"], "the order shown", peers
            )
            assert order[0][2:] == ["NQ", "BUY", "0/2", "ACCEPTED"]  # one lot on each of the two platforms
            await until(pilot, lambda: ["Trades", "1/1000"] in table(app, "trading"), "today's trade count", peers)

            await pilot.press("k")  # kill switch: a dialog, nothing sent yet
            await until(pilot, lambda: app.screen.query("#confirm"), "the confirmation dialog")
            assert request.commands == [] and not kill_switch(endpoints)["active"]
            await pilot.click("#reason")
            await pilot.press(*"drill")
            await pilot.click("#confirm")
            await until(pilot, lambda: kill_switch(endpoints)["active"], "kill switch active at the gateway", peers)
            assert kill_switch(endpoints)["reason"] == "drill" and kill_switch(endpoints)["who"] == "desk"
            await until(pilot, lambda: "KILL SWITCH ACTIVE (drill, by desk)" in text(app, "#head"), "shown", peers)

            await pilot.press("u")  # release
            await until(pilot, lambda: app.screen.query("#confirm"), "the release dialog")
            await pilot.click("#confirm")
            await until(pilot, lambda: not kill_switch(endpoints)["active"], "kill switch released", peers)
            assert kill_switch(endpoints)["released_by"] == "desk"
            await until(pilot, lambda: "Status: ● ACTIVE" in text(app, "#head"), "shown as active again", peers)
            assert [c for c, _ in request.commands] == ["killswitch.activate", "killswitch.release"]
            done = ["killswitch.activate: done", "killswitch.release: done"]
            await until(pilot, lambda: app.results == done, "both commands reported done", peers)

    asyncio.run(drive())


def test_cancelling_the_confirmation_sends_nothing(nexus_peer: RawPeer, endpoints: Endpoints) -> None:
    request = Recorder(endpoints.admin)
    app = Dashboard(request, endpoints.admin, REFRESH_S)

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.polls >= 1 and app.data is not None, "a first status", (nexus_peer,))
            for key, dismiss in (("k", "cancel-button"), ("k", "escape"), ("u", "cancel-button"), ("t", "escape")):
                await pilot.press(key)
                await until(pilot, lambda: app.screen.query("#cancel"), f"the dialog of {key!r}")
                seen = app.polls  # the screen behind the dialog keeps refreshing
                await until(pilot, lambda s=seen: app.polls >= s + 2, "two refreshes under the dialog", (nexus_peer,))
                if dismiss == "escape":
                    await pilot.press("escape")
                else:
                    await pilot.click("#cancel")
                await until(pilot, lambda: not app.screen.query("#cancel"), "the dialog gone")
            seen = app.polls
            await until(pilot, lambda: app.polls >= seen + 3, "three more refreshes", (nexus_peer,))
        assert request.commands == []
        found = gateway_status(endpoints)["risk"]
        assert found["kill_switch"]["active"] is False and found["kill_switch"]["released_by"] == ""
        assert found["trading_states"] == []

    asyncio.run(drive())


def test_trading_state_key_sets_the_global_state_at_the_gateway(nexus_peer: RawPeer, endpoints: Endpoints) -> None:
    app = Dashboard(Recorder(endpoints.admin), endpoints.admin, REFRESH_S)  # who: the login, as every admin command

    def global_entry() -> dict[str, Any]:
        states = gateway_status(endpoints)["risk"]["trading_states"]
        return next((s for s in states if s["scope"] == "global"), {})

    def global_state() -> str | None:
        return global_entry().get("state")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            for state, shown in (("halted", "■ HALTED"), ("reducing", "▲ REDUCING"), ("active", "● ACTIVE")):
                button, wanted, headline = f"#state-{state}", state.upper(), f"Status: {shown}"
                await pilot.press("t")
                await until(pilot, lambda b=button: app.screen.query(b), "the trading state dialog")
                await pilot.click(button)
                await until(pilot, lambda w=wanted: global_state() == w, f"{wanted} at the gateway", (nexus_peer,))
                await until(pilot, lambda h=headline: h in text(app, "#head"), f"{headline} shown", (nexus_peer,))
        entry = global_entry()
        assert entry["who"] == getpass.getuser() and entry["reason"] == "set from the dashboard"

    asyncio.run(drive())


@pytest.fixture
def later_gateway(dev_profile: LoadedProfile) -> Iterator[Callable[[], None]]:
    """Start the gateway when the test says so; stopped at the end either way."""
    started: list[tuple[Gateway, threading.Thread]] = []

    def start() -> None:
        gateway = Gateway(dev_profile)
        gateway.bind(announce=lambda line: None)
        thread = threading.Thread(target=gateway.run, name="gateway", daemon=True)
        thread.start()
        started.append((gateway, thread))

    yield start
    for gateway, thread in started:
        gateway.stop_requested = True
        thread.join(timeout=5)
        assert not thread.is_alive(), "gateway loop did not stop"


def test_a_gateway_that_is_down_is_shown_and_retried_until_it_answers(
    endpoints: Endpoints, later_gateway: Callable[[], None]
) -> None:
    app = Dashboard(admin_call(AdminTarget(endpoints.admin, "test")), endpoints.admin, REFRESH_S)

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.polls >= 3, "three failed refreshes")
            assert text(app, "#banner").startswith(f"gateway not answering on {endpoints.admin} for ")
            assert app.query_one("#banner").has_class("down") and app.data is None
            await pilot.press("k")  # a command while it is down: refused on screen, the app keeps going
            await until(pilot, lambda: app.screen.query("#confirm"), "the dialog")
            await pilot.click("#confirm")
            await until(
                pilot,
                lambda: app.results == [f"killswitch.activate NOT done: gateway not answering on {endpoints.admin}"],
                "the failure shown",
            )
            later_gateway()
            await until(pilot, lambda: app.data is not None, "the gateway answering")
            assert not app.query_one("#banner").has_class("down")
            assert [r[0] for r in table(app, "platforms")] == list(gateway_status(endpoints)["platforms"])
            assert kill_switch(endpoints)["active"] is False  # the failed command was not queued for later

    asyncio.run(drive())
