"""The addon script as Bookmap runs it: the fake Bookmap starts ``python adapters/bookmap/nexusgw_addon.py <port>``
and the script, through the real ``bookmap`` package, says hello (``0``), takes the instruments and subscribes to
each one's depth, trades, order info and position, then finishes their initialization (``13``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from nexus_gw.adapters.bookmap import frames
from nexus_gw.adapters.bookmap.fake import FakeBookmap
from nexus_gw.stack import free_port
from tests.conftest import CONFIG_DIR
from tests.e2e.test_bookmap_e2e import with_bookmap

from .conftest import ES, NQ

SCRIPT = Path(__file__).resolve().parents[4] / "adapters" / "bookmap" / "nexusgw_addon.py"


def test_bookmap_starts_the_addon_script_which_subscribes_each_instrument(fake: FakeBookmap, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    with_bookmap(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXUSGW_")}
    env.update(
        {
            "NEXUSGW_PROFILE": "dev",
            "NEXUSGW_CONFIG_DIR": str(config),
            "NEXUSGW_GATEWAY__DATA_DIR": str(tmp_path / "data"),
            "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": f"tcp://127.0.0.1:{free_port()}",  # no gateway: it keeps trying
            "PYTHONPATH": os.pathsep.join(p for p in (str(SCRIPT.parents[2]), env.get("PYTHONPATH", "")) if p),
        }
    )
    addon = fake.launch(SCRIPT, env)
    try:
        wanted = {frames.join(frames.FINISHED_INITIALIZATION, alias) for alias in (NQ, ES)}
        deadline = time.monotonic() + 30
        while not wanted <= set(fake.received):
            assert addon.poll() is None, f"the addon script exited with {addon.returncode}"
            assert time.monotonic() < deadline, f"the addon did not initialize: {fake.received}"
            time.sleep(0.05)
    finally:
        addon.kill()  # the package never ends on its own (it does not notice the end of the connection)
        addon.wait(10)
    assert fake.received[0] == frames.CLIENT_INIT
    requested = {(p[1], p[3]) for p in (frames.fields(line) for line in fake.received) if p[0] == frames.REQ_DATA}
    kinds = {frames.DEPTH, frames.TRADE, frames.ORDER_INFO, frames.POSITION_UPDATE}
    assert requested == {(alias, kind) for alias in (NQ, ES) for kind in kinds}


def test_the_addon_script_without_a_port_says_how_it_is_run() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "Bookmap starts this script with the port" in done.stderr
