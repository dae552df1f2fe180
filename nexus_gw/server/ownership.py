"""Which signal engine an order belongs to: the ``name`` of the HELLO of the engine that sent it.

The owner is persisted with the order in the journal, so it survives restarts of the gateway and of the
engine (a new session of the same name is the same owner). ``""`` is the gateway's own orders (rolls,
flatten), never reported to engines; ``None`` an order journaled before owners were kept (reported to every
engine, as before).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nexus_gw.server.ledger import Ledger
    from nexus_gw.server.peers import PeerTable

INTERNAL_OWNER = ""


class Owners:
    """``owners[order_id] = identity`` records the engine behind a connection as the order's owner."""

    def __init__(self, ledger: Ledger, peers: PeerTable) -> None:
        self.ledger = ledger
        self.peers = peers

    def __setitem__(self, order_id: str, identity: bytes) -> None:
        self.ledger.owners[order_id] = self.engine_name(identity)

    def engine_name(self, identity: bytes) -> str:
        """The HELLO name behind a NEXUS connection ("" for the gateway itself)."""
        if identity == b"":
            return INTERNAL_OWNER
        peer = self.peers.nexus.get(identity)
        return peer.name if peer is not None else identity.decode("utf-8", "replace")

    def get(self, order_id: str, default: str | None = None) -> str | None:
        owner = self.ledger.owner_of(order_id)
        return default if owner is None else owner

    def name_of(self, order_id: str) -> str | None:
        return self.ledger.owner_of(order_id)

    def forget(self, order_id: str) -> None:
        """Drop what is kept in memory about ``order_id`` (never journaled, or pruned); the journal keeps its own."""
        self.ledger.owners.pop(order_id, None)
