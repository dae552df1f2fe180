"""PLATFORM_OFFLINE: orders only go to platforms that are connected.

A platform never reported as connected counts as offline. With ``connection.offline_platform: reroute`` the
order goes to the connected targets; with ``pause`` (default) entries stop while any target is offline, and
exits go to the connected targets. With no connected target nothing is sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.decision import Action, Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules.base import passes


class ConnectivityRule:
    name: ClassVar[str] = "connectivity"

    def __init__(self, config: RiskConfig) -> None:
        self._policy = config.connection.offline_platform

    def check(self, intent: OrderIntent, ctx: RiskContext, now: datetime) -> Decision:
        online = tuple(p for p in intent.platforms if ctx.platforms_online.get(p, False))
        offline = [p for p in intent.platforms if p not in online]
        if not offline:
            return passes(intent)
        if not online:
            return Decision.reject(
                ReasonCode.PLATFORM_OFFLINE,
                f"{intent.describe()} refused: no target platform is connected "
                f"({', '.join(offline)} offline). "
                "Check the adapters (`nexusgw status`) and wait for them to reconnect.",
            )
        note = f"{', '.join(offline)} offline; sent to {', '.join(online)} only."
        if self._policy == "reroute" or intent.is_reducing:
            return Decision(Action.ACCEPT, intent.qty, ReasonCode.PLATFORM_OFFLINE, note, platforms=online)
        message = (
            f"Entries are paused while {', '.join(offline)} is offline "
            f"(connection.offline_platform = pause); {intent.describe()} would add exposure. "
            "Wait for the reconnect, or set offline_platform: reroute."
        )
        if intent.closing_qty > 0:
            return Decision.scale(
                intent.closing_qty,
                ReasonCode.PLATFORM_OFFLINE,
                f"{message} Only the {intent.closing_qty} closing contract(s) are sent; {note}",
                platforms=online,
            )
        return Decision.reject(ReasonCode.PLATFORM_OFFLINE, message)
