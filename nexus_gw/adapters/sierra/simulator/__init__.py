"""A DTC server simulator, the Sierra driver's development companion (tests, demos, the ``dev`` profile).

- ``config`` its settings; ``server`` the listener and the shared state; ``client`` one client connection;
- ``exchange`` the simulated exchange (orders, fills, positions; fills by the one fill model of
  ``nexus_gw.domain.matching``); ``state`` the state file that survives restarts;
- ``cli`` the command line (``python -m nexus_gw.adapters.sierra.simulator``); ``profile`` the same, trading the
  contracts of a profile's platform instance (``python -m nexus_gw.adapters.sierra.simulator.profile``).
"""

from __future__ import annotations

from .cli import config_from_args, main
from .config import DEFAULT_SYMBOLS, ServerEncoding, SimulatorConfig
from .server import DtcSimulator

__all__ = ["DEFAULT_SYMBOLS", "DtcSimulator", "ServerEncoding", "SimulatorConfig", "config_from_args", "main"]
