"""Who is connected to the gateway, and whether they are alive.

A platform peer is online when it said HELLO, was heard from within ``liveness`` heartbeat intervals,
and does not report its own platform connection as down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nexus_gw.protocol.constants import OrderType
from nexus_gw.protocol.messages import Capabilities, SymbolCheck


@dataclass
class Peer:
    identity: bytes
    name: str
    session: str = ""
    connected_at: float = 0.0
    last_seen: float = 0.0
    messages: int = 0


@dataclass
class PlatformPeer(Peer):
    driver: str = ""
    capabilities: Capabilities = field(default_factory=Capabilities)
    platform_connected: bool = True
    alive: bool = True
    unreachable: bool = False  # its connection was seen to drop; only a new message revives it
    symbols: dict[str, str] = field(default_factory=dict)  # platform symbol -> root
    roots: dict[str, str] = field(default_factory=dict)  # root -> platform symbol (the same subscriptions)
    roots_key: str = ""  # names the subscriptions of its last WELCOME (MARKET_DATA by root carries it)
    symbol_checks: dict[str, SymbolCheck] = field(default_factory=dict)  # what its platform said of each symbol

    @property
    def online(self) -> bool:
        return self.alive and self.platform_connected

    @property
    def order_types(self) -> frozenset[OrderType]:
        return frozenset(OrderType(t) for t in self.capabilities.order_types)


@dataclass
class NexusPeer(Peer):
    alive: bool = True


class PeerTable:
    """Peers by identity, with liveness expiry."""

    def __init__(self, interval_s: float, liveness: int) -> None:
        self.expiry_s = interval_s * liveness
        self.platforms: dict[str, PlatformPeer] = {}
        self.nexus: dict[bytes, NexusPeer] = {}

    def seen_platform(self, name: str, now: float) -> PlatformPeer | None:
        peer = self.platforms.get(name)
        if peer is not None:
            peer.last_seen = now
            peer.messages += 1
            peer.unreachable = False
        return peer

    def seen_nexus(self, identity: bytes, now: float) -> NexusPeer | None:
        peer = self.nexus.get(identity)
        if peer is not None:
            peer.last_seen = now
            peer.messages += 1
        return peer

    def expire(self, now: float) -> tuple[list[PlatformPeer], list[PlatformPeer], list[NexusPeer]]:
        """Mark silent peers dead; return (platforms that went offline, came back, nexus peers gone)."""
        went, back = [], []
        for peer in self.platforms.values():
            alive = now - peer.last_seen <= self.expiry_s and not peer.unreachable
            if alive != peer.alive:
                peer.alive = alive
                (back if alive else went).append(peer)
        gone = [p for p in self.nexus.values() if now - p.last_seen > self.expiry_s]
        for peer in gone:
            del self.nexus[peer.identity]
        return went, back, gone
