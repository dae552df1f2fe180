"""Per-engine outbound queues on the NEXUS socket: order traffic first and never dropped, market data conflated.

Every signal engine (by HELLO name) has one queue with two classes:

- **order traffic** (WELCOME, ORDER_UPDATE, FILL, ERROR): FIFO, never dropped. It waits while the engine's
  pipe is full or while the engine is offline, and goes to its newest connection. Final ORDER_UPDATEs and
  FILLs are also kept in the journal's outbox until acknowledged, so they survive a gateway restart too.
- **market data**: FIFO while the engine keeps up; when more than ``market_limit`` messages wait, the
  waiting ticks are conflated to the latest per (platform, symbol) (counted in ``market_conflated``), and
  every batch that comes while that conflated data waits is merged into it (one dict update per batch); it is
  encoded once per platform when the engine's pipe takes it. A message waits as the gateway got it: the
  adapter's payload when it sent ticks by root, encoded once. Market
  data for an engine that is gone is dropped (``market_dropped``).

``flush`` writes order traffic first, then market data, until the engine's pipe says EAGAIN. A journaled
message written to an engine that acknowledges its kind is written again every ``REDELIVER_AFTER_S`` until
the engine acknowledges it (a message lost in a connection the engine did not notice). No sockets here: the
gateway passes the function that writes one message.
"""

from __future__ import annotations

import enum
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

import zmq

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, header_for

#: zmq send high-water mark of the NEXUS socket, in messages per engine: what may wait in zmq (beyond the
#: engine's own receive queue) in front of a fill. Small, so order traffic overtakes queued market data here.
NEXUS_SNDHWM = 200

#: Market-data messages that may wait per engine before they are conflated.
MARKET_LIMIT = 200

#: Seconds after which a journaled message written to an engine and not acknowledged is written again.
REDELIVER_AFTER_S = 10.0


class Sent(enum.Enum):
    OK = "ok"
    AGAIN = "again"  # the engine's pipe is full: try again next pass
    GONE = "gone"  # the engine's connection is gone


@dataclass(slots=True)
class Item:
    msg_type: MsgType
    header: bytes
    body: bytes
    order_id: str = ""  # for a journaled final message: its acknowledgement ref (order id, or ``<id>#<revision>``)
    delivery_id: int | None = None  # a journaled final message (acknowledged by the engine)


Write = Callable[[bytes, bytes, bytes], Sent]
Written = Callable[["EngineQueue", Item], None]


class EngineQueue:
    def __init__(self, name: str, market_limit: int = MARKET_LIMIT) -> None:
        self.name = name
        self.identity: bytes | None = None
        self.acks_updates = False  # the engine acknowledges final ORDER_UPDATEs (HELLO acks)
        self.market_limit = market_limit
        self.orders: deque[Item] = deque()
        #: (batch, header, payload, its last tick per symbol or None)
        self.market: deque[tuple[m.MarketData, bytes, bytes, dict[str, m.Tick] | None]] = deque()
        #: while the engine lags: platform -> symbol -> its latest tick, of everything waiting (``market`` empty)
        self.conflated: dict[str, dict[str, m.Tick]] = {}
        self._queued_deliveries: set[int] = set()
        self.unacked: dict[int, tuple[float, Item]] = {}  # delivery id -> (written at, message)
        self.counters: Counter[str] = Counter()

    @property
    def online(self) -> bool:
        return self.identity is not None

    def push_order(self, item: Item, front: bool = False) -> bool:
        """Queue order traffic; False for a journaled message that is already waiting here."""
        if item.delivery_id is not None:
            if item.delivery_id in self._queued_deliveries:
                return False
            self._queued_deliveries.add(item.delivery_id)
        if front:
            self.orders.appendleft(item)
        else:
            self.orders.append(item)
        self.counters["order_queued"] += 1
        return True

    def push_market(
        self, md: m.MarketData, header: bytes, body: bytes, latest: dict[str, m.Tick] | None = None
    ) -> None:
        """Queue a batch (``latest``: its last tick per symbol, when the caller has it)."""
        if not self.online:
            self.counters["market_dropped"] += len(md.ticks)
            return
        if self.conflated:  # the engine lags: merged into what waits
            self._merge(md, latest)
            return
        self.market.append((md, header, body, latest))
        if len(self.market) > self.market_limit:
            while self.market:
                waiting, _, _, waiting_latest = self.market.popleft()
                self._merge(waiting, waiting_latest)

    def _merge(self, md: m.MarketData, latest: dict[str, m.Tick] | None) -> None:
        """Keep only the latest tick per (platform, symbol); count the ticks replaced."""
        ticks = self.conflated.setdefault(md.platform, {})
        before = len(ticks)
        ticks.update(latest if latest is not None else {tick.symbol: tick for tick in md.ticks})
        self.counters["market_conflated"] += len(md.ticks) - (len(ticks) - before)

    @property
    def market_waiting(self) -> int:
        """Market-data messages waiting (a conflated platform's ticks go as one)."""
        return len(self.market) + len(self.conflated)

    def acked(self, order_id: str, kinds: tuple[str, ...]) -> None:
        """The engine acknowledged ``kinds`` of an order: stop writing them again."""
        for delivery_id, (_, item) in list(self.unacked.items()):
            if item.order_id == order_id and item.msg_type.value in kinds:
                del self.unacked[delivery_id]

    def redeliver(self, now: float, after_s: float = REDELIVER_AFTER_S) -> int:
        """Queue again what was written more than ``after_s`` ago and is still unacknowledged; how many."""
        due = [item for written, item in self.unacked.values() if now - written >= after_s]
        count = 0
        for item in due:
            del self.unacked[item.delivery_id]  # type: ignore[arg-type]
            if self.push_order(item):
                count += 1
        self.counters["redelivered"] += count
        return count

    def _expects_ack(self, item: Item) -> bool:
        if item.delivery_id is None:
            return False
        return item.msg_type is MsgType.FILL or (item.msg_type is MsgType.ORDER_UPDATE and self.acks_updates)

    def go_offline(self) -> None:
        self.identity = None
        self.unacked.clear()  # the journal has them: resent after the next HELLO
        dropped = sum(len(md.ticks) for md, _, _, _ in self.market) + sum(map(len, self.conflated.values()))
        self.market.clear()
        self.conflated.clear()
        self.counters["market_dropped"] += dropped

    def flush(self, write: Write, written: Written | None = None, now: float = 0.0) -> bool:
        """Write what waits, order traffic first; True when everything went. ``now``: monotonic seconds."""
        if self.identity is None:
            return not self.orders
        while self.orders:
            item = self.orders[0]
            sent = write(self.identity, item.header, item.body)
            if sent is not Sent.OK:
                return self._stopped(sent)
            self.orders.popleft()
            self.counters["order_sent"] += 1
            if item.delivery_id is not None:
                self._queued_deliveries.discard(item.delivery_id)
                if self._expects_ack(item):
                    self.unacked[item.delivery_id] = (now, item)
            if written is not None:
                written(self, item)
        while self.market:
            md, header, body, _ = self.market[0]
            sent = write(self.identity, header, body)
            if sent is not Sent.OK:
                return self._stopped(sent)
            self.market.popleft()
            self.counters["market_sent"] += len(md.ticks)
        while self.conflated:
            platform, ticks = next(iter(self.conflated.items()))
            sent = write(self.identity, MARKET_DATA_HEADER, _encode_market(platform, ticks))
            if sent is not Sent.OK:
                return self._stopped(sent)
            del self.conflated[platform]
            self.counters["market_sent"] += len(ticks)
        return True

    def _stopped(self, sent: Sent) -> bool:
        if sent is Sent.AGAIN:
            self.counters["pipe_full"] += 1
        else:
            self.go_offline()
        return False

    def snapshot(self) -> dict[str, object]:
        return {
            "online": self.online,
            "order_waiting": len(self.orders),
            "unacknowledged": len(self.unacked),
            "market_waiting": self.market_waiting,
            **dict(sorted(self.counters.items())),
        }


MARKET_DATA_HEADER = header_for(MsgType.MARKET_DATA)


def _encode_market(platform: str, ticks: dict[str, m.Tick]) -> bytes:
    return codec.encode(MsgType.MARKET_DATA, m.MarketData(platform=platform, ticks=list(ticks.values())))[1]


class EngineQueues:
    """The queues of every engine that ever said HELLO to this gateway, by name."""

    def __init__(self, market_limit: int = MARKET_LIMIT) -> None:
        self.market_limit = market_limit
        self.engines: dict[str, EngineQueue] = {}

    def get(self, name: str) -> EngineQueue:
        queue = self.engines.get(name)
        if queue is None:
            queue = self.engines[name] = EngineQueue(name, self.market_limit)
        return queue

    def connect(self, name: str, identity: bytes, acks_updates: bool) -> EngineQueue:
        """An engine said HELLO on ``identity``: its queue goes there from now on (newest HELLO wins)."""
        queue = self.get(name)
        if queue.identity is not None and queue.identity != identity:
            queue.go_offline()  # market data for the old connection is stale
        queue.identity = identity
        queue.acks_updates = acks_updates
        return queue

    def by_identity(self, identity: bytes) -> EngineQueue | None:
        for queue in self.engines.values():
            if queue.identity == identity:
                return queue
        return None

    def disconnect(self, identity: bytes) -> None:
        queue = self.by_identity(identity)
        if queue is not None:
            queue.go_offline()

    def push_market(
        self, md: m.MarketData, header: bytes, body: bytes, latest: dict[str, m.Tick] | None = None
    ) -> None:
        for queue in self.engines.values():
            if queue.online:
                queue.push_market(md, header, body, latest)

    def flush(self, write: Write, written: Written | None = None, now: float = 0.0) -> bool:
        """Flush every engine; True when nothing is left waiting for an online engine."""
        done = True
        for queue in self.engines.values():
            if not queue.flush(write, written, now) and queue.online:
                done = False
        return done

    def snapshot(self) -> dict[str, dict[str, object]]:
        return {name: queue.snapshot() for name, queue in sorted(self.engines.items())}


#: Kernel send buffer per engine connection (bytes): what waits in TCP in front of a fill, besides SNDHWM.
NEXUS_SNDBUF = 128 * 1024


def tune_socket(sock: zmq.Socket[bytes]) -> None:
    """Small send buffers on the NEXUS socket (set before it binds: the listener copies them to each engine's
    connection), so a fill queued here waits behind at most a few hundred market-data messages in zmq, plus
    what the kernel's socket buffers hold."""
    sock.setsockopt(zmq.SNDHWM, NEXUS_SNDHWM)
    sock.setsockopt(zmq.SNDBUF, NEXUS_SNDBUF)
