"""The simulated NinjaTrader keeps its state file where it is told, even in a directory nobody has made yet."""

from __future__ import annotations

import json
import time
from pathlib import Path

from nexus_gw.adapters.nt8.ati_simulator.simulator import AtiSimulator, SimulatorConfig


def test_an_order_is_taken_and_recorded_with_the_state_files_directory_missing(tmp_path: Path) -> None:
    # under supervisord the state file is <data dir>/companions/<name>-state.json, and no other companion may have
    # created that directory before this one saves: the simulator's thread died there, and its orders with it
    state = tmp_path / "data" / "companions" / "nt8-ninjatrader-state.json"
    sim = AtiSimulator(SimulatorConfig(root=tmp_path / "ati", state_file=state, fill_interval_s=0.0))
    (sim.incoming / "oif1.txt").write_text("PLACE;Sim101;NQ 12-26;BUY;1;MARKET;;;DAY;;leg-1;;", encoding="ascii")
    now = time.monotonic()
    for step in range(20):
        sim.step(now + step)
    assert not list(sim.incoming.glob("oif*.txt")), "the order file was not taken"
    view = json.loads(state.read_text())
    assert view["placed"] and view["orders"]["leg-1"]["filled"] == 1
