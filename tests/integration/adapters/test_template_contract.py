"""The template driver passes the driver contract against its stand-in platform library — the example of how a
new platform plugs in: a harness that starts the platform (or its development companion), makes the driver,
names an order the platform refuses, and breaks the connection."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator

import pytest

from nexus_gw.adapters._template import fakeplatform
from nexus_gw.adapters._template.driver import TemplateDriver
from nexus_gw.adapters._template.settings import TemplateSettings
from nexus_gw.adapters.base import PlatformDriver
from nexus_gw.protocol.messages import Order, Subscription

from .contract import WAIT, DriverContract, Harness, Running, make_order

_servers = itertools.count(1)


class TemplateHarness(Harness):
    def __init__(self) -> None:
        self.name = "tmpl"
        self.subscriptions = [Subscription(root="NQ", symbol="NQH25", tick_size=0.25)]
        self.server_name = f"contract-{next(_servers)}"
        self.server = fakeplatform.server(self.server_name, {"NQH25": 21000.0, "ESH25": 6000.0}, fills_per_order=2)

    def make_driver(self) -> PlatformDriver:
        return TemplateDriver(self.name, TemplateSettings(server=self.server_name))

    def rejected_order(self, leg_id: str) -> tuple[Order, str]:
        return make_order(self, leg=leg_id, symbol="ZZH25"), r"symbol ZZH25 not found"

    def interrupt(self, running: Running) -> Running:
        connects = running.events.states.count(True)
        self.server.drop()
        running.wait(lambda: running.events.states.count(True) > connects, "the reconnect", WAIT)
        return running

    def close(self) -> None:
        fakeplatform.forget(self.server_name)


class TestTemplateContract(DriverContract):
    @pytest.fixture
    def harness(self) -> Iterator[Harness]:
        harness = TemplateHarness()
        try:
            yield harness
        finally:
            harness.close()


def test_importing_the_driver_never_imports_the_platforms_library() -> None:
    code = (
        "import sys\n"
        "import nexus_gw.adapters._template, nexus_gw.adapters._template.driver\n"
        "from nexus_gw.adapters.registry import DRIVERS, settings_model\n"
        "for name in DRIVERS: settings_model(name)\n"
        "assert 'nexus_gw.adapters._template.fakeplatform' not in sys.modules, 'imported before start'\n"
        "from nexus_gw.adapters._template.driver import TemplateDriver\n"
        "from nexus_gw.adapters._template.settings import TemplateSettings\n"
        "class Events:\n"
        "    def platform_state(self, *a): pass\n"
        "TemplateDriver('t', TemplateSettings(server='none', reconnect_max_s=1)).start(Events())\n"
        "assert 'nexus_gw.adapters._template.fakeplatform' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
