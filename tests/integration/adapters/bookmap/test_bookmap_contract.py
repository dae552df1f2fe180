"""The Bookmap driver passes the driver contract: the real ``bookmap`` package against the fake Bookmap (every
order of 2 is executed in 2 parts; a size over the fake's limit is rejected)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.adapters.bookmap.fake import FakeBookmap
from nexus_gw.protocol.messages import Order

from ..contract import WAIT, DriverContract, Harness, Running, make_order
from .conftest import instruments, make_driver, subscriptions


class BookmapHarness(Harness):
    def __init__(self) -> None:
        self.name = "bookmap"
        self.fake = FakeBookmap(instruments(), interval_s=0.02, max_size=10).start()
        self.subscriptions = subscriptions()

    def make_driver(self) -> PlatformDriver:
        return make_driver(self.fake.port)

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        order = make_order(self, leg=leg_id)
        return Order(**{**{k: getattr(order, k) for k in order.__struct_fields__}, "qty": 50.0}), r"status REJECTED"

    def interrupt(self, running: Running) -> Running:
        """Bookmap drops the connection: the driver notices, reconnects and replays Bookmap's order list."""
        connects = running.events.states.count(True)
        self.fake.drop()
        running.wait(lambda: running.events.states and running.events.states[-1] is False, "the loss noticed", WAIT)
        running.wait(lambda: running.events.states.count(True) > connects, "the reconnect", WAIT)
        return running

    def close(self) -> None:
        self.fake.stop()


class TestBookmapContract(DriverContract):
    @pytest.fixture
    def harness(self) -> Iterator[Harness]:
        harness = BookmapHarness()
        yield harness
        harness.close()
