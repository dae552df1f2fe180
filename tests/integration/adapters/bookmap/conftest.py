"""The real ``bookmap`` package against the fake Bookmap, in process: fixtures shared by the Bookmap tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexus_gw.adapters.bookmap.driver import BookmapDriver
from nexus_gw.adapters.bookmap.fake import FakeBookmap, FakeInstrument
from nexus_gw.adapters.bookmap.settings import BookmapSettings
from nexus_gw.protocol.messages import Subscription

NQ = "NQZ6.CME@RITHMIC"
ES = "ESZ6.CME@RITHMIC"


def instruments() -> list[FakeInstrument]:
    return [FakeInstrument(NQ, 0.25, 21000.0), FakeInstrument(ES, 0.25, 6000.0, instrument_multiplier=50.0)]


def subscriptions() -> list[Subscription]:
    return [Subscription(root="NQ", symbol=NQ, tick_size=0.25), Subscription(root="ES", symbol=ES, tick_size=0.25)]


def make_driver(port: int, **settings: object) -> BookmapDriver:
    base: dict[str, object] = {"port": port, "reconnect_initial_s": 0.05, "reconnect_max_s": 0.5}
    return BookmapDriver("bookmap", BookmapSettings.model_validate({**base, **settings}))


@pytest.fixture
def fake() -> Iterator[FakeBookmap]:
    server = FakeBookmap(instruments(), interval_s=0.02).start()
    yield server
    server.stop()
