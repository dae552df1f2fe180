"""The outbound route of each platform, chosen once at start-up from the profile (never per message).

- ``LiveRoute``: to the platform's connected adapter. Every ORDER is numbered and remembered as unacknowledged
  until the adapter's ACK (resent after a reconnect by reconciliation); a leg its platform cannot take is held
  for the platform's return (``server.held``); a cancel of a held leg cancels it unsent.
- ``PaperRoute``: the platform's live quotes stay real, orders fill here against them (``server.paper``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from nexus_gw.domain.orders import Leg, Order
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.dispatch import Dispatch
from nexus_gw.server.held import LegHolder
from nexus_gw.server.paper import PaperBroker
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.protocols import OrderMessages

#: Writes one message to a platform's connection (identity) on the platform socket; False when not sent. Inside a
#: journal pass the write waits for the commit and reports True; the callable given last runs if it fails then.
WriteToPlatform = Callable[[bytes, MsgType, m.Message, Callable[[], None] | None], bool]


class Route(Protocol):
    paper: bool

    def send(self, msg_type: MsgType, payload: m.Message) -> bool: ...

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool: ...


class LiveRoute:
    paper = False

    def __init__(
        self,
        name: str,
        peers: PeerTable,
        dispatch: Dispatch,
        unacked: OrderMessages,
        holder: LegHolder,
        write: WriteToPlatform,
    ) -> None:
        self.name = name
        self.peers = peers
        self.dispatch = dispatch
        self.unacked = unacked
        self.holder = holder
        self.write = write

    def send(self, msg_type: MsgType, payload: m.Message) -> bool:
        if isinstance(payload, m.Cancel) and self.holder.cancel(payload.leg_id, "cancel requested"):
            return True  # a held leg is cancelled here, never sent
        peer = self.peers.platforms.get(self.name)
        if peer is None:
            return False
        if isinstance(payload, m.Order):
            self.dispatch.number(payload)
        if not isinstance(payload, m.Order):
            return self.write(peer.identity, msg_type, payload, None)
        order = payload
        sent = self.write(peer.identity, msg_type, order, lambda: self._not_written(order))
        if sent:
            self.unacked[order.leg_id] = (self.name, order)  # resent after a reconnect until acknowledged
            self.dispatch.record_sent(order, peer.session)
        return sent

    def _not_written(self, order: m.Order) -> None:
        """An ORDER kept for its pass's commit could not be written after it (the adapter's connection went):
        held for the platform's return, as a send that fails at once is."""
        self.unacked.pop(order.leg_id, None)
        self.holder.hold_unsent(order)

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        return self.holder.hold(order, leg, payload)


class PaperRoute:
    paper = True

    def __init__(self, name: str, broker: PaperBroker) -> None:
        self.name = name
        self.broker = broker

    def send(self, msg_type: MsgType, payload: m.Message) -> bool:
        if isinstance(payload, m.Order):
            self.broker.submit(self.name, payload)
        elif isinstance(payload, m.Cancel):
            self.broker.cancel(self.name, payload.leg_id)
        return True

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        return False  # a paper platform always takes the order


class PlatformRoutes:
    """Every platform's route by name; an unknown name has none (nothing is sent)."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes

    def to_platform(self, name: str, msg_type: MsgType, payload: m.Message) -> bool:
        route = self.routes.get(name)
        return route.send(msg_type, payload) if route is not None else False

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        route = self.routes.get(leg.platform)
        return route.hold(order, leg, payload) if route is not None else False

    def is_paper(self, name: str) -> bool:
        route = self.routes.get(name)
        return route is not None and route.paper
