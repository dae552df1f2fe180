"""Symbols Sierra really has: the driver asks the DTC server for each symbol's security definition at logon.

The simulator knows each contract in ONE spelling (its feed's), like Sierra; a driver whose symbol template
differs is told so, refuses legs in that symbol with a message naming the preset that works, and reports it.
"""

from __future__ import annotations

from collections.abc import Callable

from nexus_gw.adapters.sierra.driver import SierraDriver
from nexus_gw.adapters.sierra.simulator import DtcSimulator
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import Subscription

from .conftest import Recorder, order, wait_reconciled

FEED = {"NQZ26_FUT_CME": 21000.0, "ESZ26_FUT_CME": 6000.0}
"""The simulated feed spells contracts as Sierra's own feed does."""


def _subscribe(driver: SierraDriver, *symbols: str) -> None:
    driver.subscribe([Subscription(root=s[:2], symbol=s, tick_size=0.25, exchange="CME") for s in symbols])


def test_symbols_in_the_feeds_spelling_are_verified_known(
    make_simulator: Callable[..., DtcSimulator], make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    sim = make_simulator(symbols=FEED)
    driver, recorder = make_driver(sim.port, symbol_template="sierra")
    _subscribe(driver, "NQZ26_FUT_CME", "ESZ26_FUT_CME")
    recorder.wait_for("platform_state", lambda a: a[0] is True)
    assert recorder.wait_for("symbol_state", lambda a: a[0] == "NQZ26_FUT_CME")[1] is True
    assert recorder.wait_for("symbol_state", lambda a: a[0] == "ESZ26_FUT_CME")[1] is True
    assert not recorder.of("symbol_state", lambda a: a[1] is False)
    wait_reconciled(driver, 1)
    driver.submit(order("20260101-00000000aa.sierra", symbol="NQZ26_FUT_CME"))
    recorder.status("20260101-00000000aa.sierra", OrderStatus.ACCEPTED)


def test_a_wrong_template_is_caught_reported_and_its_legs_refused_naming_the_preset(
    make_simulator: Callable[..., DtcSimulator],
    make_driver: Callable[..., tuple[SierraDriver, Recorder]],
    encoding: str,
) -> None:
    sim = make_simulator(symbols=FEED)
    driver, recorder = make_driver(sim.port, encoding, symbol_template="plain")
    _subscribe(driver, "NQZ26")
    _symbol, known, reason = recorder.wait_for("symbol_state", lambda a: a[0] == "NQZ26")
    assert known is False
    assert "NQZ26_FUT_CME" in reason and "platforms.sierra.settings.symbol_template: sierra" in reason
    assert "now plain" in reason
    wait_reconciled(driver, 1)
    leg = "20260101-00000000bb.sierra"
    driver.submit(order(leg, symbol="NQZ26"))
    _leg, _status, refused, _sid = recorder.status(leg, OrderStatus.REJECTED)
    assert refused == reason  # refused by the adapter: never sent, so Sierra never acknowledged it
    assert not recorder.of("order_update", lambda a: a[0] == leg and a[1] is OrderStatus.ACCEPTED)


def test_a_contract_the_feed_lacks_in_every_spelling_says_so(
    make_simulator: Callable[..., DtcSimulator], make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    sim = make_simulator(symbols=FEED)
    driver, recorder = make_driver(sim.port)
    _subscribe(driver, "YMZ26")
    _symbol, known, reason = recorder.wait_for("symbol_state", lambda a: a[0] == "YMZ26")
    assert known is False
    assert "not found" in reason and "nor the same contract in the other spellings" in reason
    assert "settings.symbol_template" in reason


def test_a_server_without_security_definitions_leaves_symbols_unverified_and_tradable(
    make_simulator: Callable[..., DtcSimulator], make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    sim = make_simulator(symbols={"NQZ26": 21000.0})
    sim.exchange.security_definition = lambda _req: []  # type: ignore[assignment, method-assign]  # no answer
    driver, recorder = make_driver(sim.port, request_timeout_s=0.5)
    _subscribe(driver, "NQZ26")
    wait_reconciled(driver, 1)
    leg = "20260101-00000000cc.sierra"
    driver.submit(order(leg, symbol="NQZ26"))
    recorder.status(leg, OrderStatus.ACCEPTED)
    assert not recorder.of("symbol_state")


def test_a_server_that_offers_no_security_definitions_is_not_asked_and_nothing_is_refused(
    make_simulator: Callable[..., DtcSimulator], make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    sim = make_simulator(symbols={"NQZ26": 21000.0}, security_definitions=False)
    driver, recorder = make_driver(sim.port)
    _subscribe(driver, "NQZ26")
    wait_reconciled(driver, 1)
    assert driver.session.logon_info is not None
    assert driver.session.logon_info.security_definitions_supported is False
    leg = "20260101-00000000dd.sierra"
    driver.submit(order(leg, symbol="NQZ26"))
    recorder.status(leg, OrderStatus.ACCEPTED)
    assert not recorder.of("symbol_state")


def test_after_a_reconnect_every_symbol_is_verified_again(
    make_simulator: Callable[..., DtcSimulator], make_driver: Callable[..., tuple[SierraDriver, Recorder]]
) -> None:
    sim = make_simulator(symbols=FEED)
    driver, recorder = make_driver(sim.port, symbol_template="sierra")
    _subscribe(driver, "NQZ26_FUT_CME")
    recorder.wait_for("symbol_state", lambda a: a[0] == "NQZ26_FUT_CME")
    sim.drop_clients()
    recorder.wait_for("platform_state", lambda a: a[0] is True, count=2)
    recorder.wait_for("symbol_state", lambda a: a[0] == "NQZ26_FUT_CME" and a[1] is True, count=2)
