"""NinjaTrader 8 through the NexusBridge AddOn (``mode: bridge``): the bridge protocol over TCP.

Every order carries the leg id as its NinjaTrader name; the AddOn sends NinjaTrader's OrderState names upper-cased
(``states``). The behaviour (identity, reconnects, in-doubt legs, fills once) is the shared bridge driver's:
``nexus_gw/adapters/bridge/driver.py``.
"""

from __future__ import annotations

from nexus_gw.adapters.bridge.driver import BridgeDriver

from .settings import NT8Settings
from .states import leg_status


class NT8BridgeDriver(BridgeDriver):
    """Trades one NinjaTrader 8 account through the NexusBridge AddOn."""

    kind = "nt8"
    platform = "NinjaTrader"

    def __init__(self, name: str, settings: NT8Settings, paper: bool = False) -> None:
        super().__init__(name, settings, leg_status, paper=paper)
