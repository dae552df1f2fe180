"""What goes to signal engines: market data to every engine's queue, order traffic to its owner's queue
(kept while the engine is slow or offline), written to the NEXUS socket by ``flush`` once per loop pass."""

from __future__ import annotations

import time
from collections import Counter

from nexus_gw.journal import Delivery
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, header_for
from nexus_gw.protocol.refs import delivery_ref
from nexus_gw.server import outbound
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.reports import revision_of
from nexus_gw.server.wire import Wire


class EngineLink:
    def __init__(
        self, wire: Wire, queues: outbound.EngineQueues, peers: PeerTable, ledger: Ledger, counters: Counter[str]
    ) -> None:
        self.wire = wire
        self.queues = queues
        self.peers = peers
        self.ledger = ledger
        self.counters = counters
        self.next_redelivery = 0.0

    def to_nexus(self, identity: bytes | None, msg_type: MsgType, payload: m.Message) -> None:
        """To one connection (``identity``), or market data (``None``) to every engine's queue."""
        if identity is None:
            if msg_type is MsgType.MARKET_DATA and isinstance(payload, m.MarketData):
                self.market_data(payload)
            else:
                self.to_engine(None, msg_type, payload)
            return
        if identity in self.peers.nexus:
            self.wire.send(self.wire.nexus, identity, msg_type, payload)

    def market_data(self, md: m.MarketData, body: bytes | None = None, latest: dict[str, m.Tick] | None = None) -> None:
        """A batch for every engine's queue: ``body`` is its payload as it came (ticks under roots), None to
        encode ``md`` here; ``latest``: its last tick per root (what a lagging engine's queue keeps)."""
        if body is None:
            body = codec.encode(MsgType.MARKET_DATA, md)[1]
        self.queues.push_market(md, outbound.MARKET_DATA_HEADER, body, latest)

    def to_engine(
        self, name: str | None, msg_type: MsgType, payload: m.Message | bytes, delivery: Delivery | None = None
    ) -> None:
        """Order traffic for the engine ``name`` (queued while it is slow or offline); ``None``: an order of
        unknown owner (journaled before owners were kept), to every connected engine."""
        body = payload if isinstance(payload, bytes) else codec.encode(msg_type, payload)[1]
        item = outbound.Item(
            msg_type,
            header_for(msg_type),
            body,
            order_id=delivery_ref(delivery.order_id, revision_of(delivery.key)) if delivery is not None else "",
            delivery_id=delivery.delivery_id if delivery is not None else None,
        )
        if name is not None:
            self.queues.get(name).push_order(item)
            return
        for queue_name in {peer.name for peer in self.peers.nexus.values()}:
            self.queues.get(queue_name).push_order(outbound.Item(**{f: getattr(item, f) for f in item.__slots__}))

    def to_engine_delivery(self, name: str, delivery: Delivery) -> bool:
        item = outbound.Item(
            MsgType(delivery.kind),
            header_for(MsgType(delivery.kind)),
            delivery.payload,
            delivery_ref(delivery.order_id, revision_of(delivery.key)),
            delivery.delivery_id,
        )
        return self.queues.get(name).push_order(item)

    def flush(self) -> bool:
        """Write what waits for each engine, order traffic first; True when nothing is left for an online one."""
        now = time.monotonic()
        for queue in self.queues.engines.values():
            if queue.identity is not None and queue.identity not in self.peers.nexus:
                queue.go_offline()  # dropped as silent: what waits goes after its next HELLO
            elif now >= self.next_redelivery:
                queue.redeliver(now)
        if now >= self.next_redelivery:
            self.next_redelivery = now + 1.0
        return self.queues.flush(self.wire.write_nexus, self._written, now)

    def _written(self, queue: outbound.EngineQueue, item: outbound.Item) -> None:
        """An engine that does not acknowledge final ORDER_UPDATEs (an older SDK) gets each once, as before."""
        if item.msg_type is MsgType.ORDER_UPDATE and item.delivery_id is not None and not queue.acks_updates:
            self.ledger.acknowledged(item.order_id, MsgType.ORDER_UPDATE.value, queue.name)
