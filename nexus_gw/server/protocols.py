"""The small interfaces the server's objects receive instead of the gateway."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType

#: Sends one message to a platform through its outbound route; False when it could not go.
SendToPlatform = Callable[[str, MsgType, m.Message], bool]
#: Hands a leg update to the execution desk as if the platform had reported it.
ReportLeg = Callable[[str, m.LegUpdate], None]
#: An event for the journal's event log: (kind, data, at).
JournalEvent = Callable[[str, dict[str, Any], datetime], None]
#: ORDERs sent to a platform and not yet acknowledged: leg id -> (platform, ORDER); resent after a reconnect.
OrderMessages = dict[str, tuple[str, m.Order]]
