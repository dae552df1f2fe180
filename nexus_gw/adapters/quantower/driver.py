"""The ``quantower`` driver: one Quantower account through the NexusGw plug-in, over the bridge protocol.

Every order carries the leg id in its comment, so the plug-in names the leg in every order and trade event, also
after Quantower or the adapter restarted. All the bridge behaviour (reconnects and reports, in-doubt legs, fills
once by trade id, bad frames skipped) is the shared bridge driver's (``nexus_gw/adapters/bridge/driver.py``);
here: Quantower's name, its order statuses, and the symbol spelling of the account's connection.
"""

from __future__ import annotations

import logging

from nexus_gw.adapters.bridge.driver import BridgeDriver
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import Order, Subscription

from .settings import QuantowerSettings
from .states import leg_status
from .symbols import wrong_spelling

log = logging.getLogger(__name__)


class QuantowerDriver(BridgeDriver):
    """Trades one Quantower account through the NexusGw plug-in."""

    kind = "quantower"
    platform = "Quantower"

    def __init__(self, name: str, settings: QuantowerSettings, paper: bool = False) -> None:
        super().__init__(name, settings, leg_status, paper=paper)
        self.connection = settings.connection

    def subscribe(self, subscriptions: list[Subscription]) -> None:
        for sub in subscriptions:
            reason = wrong_spelling(self.connection, sub.symbol)
            if reason is not None:
                log.error("%s: %s", self.name, reason)
        super().subscribe(subscriptions)

    def submit(self, order: Order) -> None:
        reason = wrong_spelling(self.connection, order.symbol)
        if reason is not None:
            assert self._events is not None
            log.error("%s: leg %s rejected, not sent: %s", self.name, order.leg_id, reason)
            self._events.order_update(order.leg_id, OrderStatus.REJECTED, f"{self.name}: {reason}")
            return
        super().submit(order)
