"""Per-engine outbound queues: order traffic first and never dropped, market data conflated with a counter."""

from __future__ import annotations

import msgspec

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.outbound import EngineQueue, EngineQueues, Item, Sent


def md(platform: str, *ticks: tuple[str, float]) -> tuple[m.MarketData, bytes, bytes]:
    msg = m.MarketData(platform=platform, ticks=[m.Tick(s, p, p, p, 1, 0) for s, p in ticks])
    header, body = codec.encode(MsgType.MARKET_DATA, msg)
    return msg, header, body


def order(tag: str, delivery_id: int | None = None) -> Item:
    return Item(MsgType.FILL, b"FILL/1", tag.encode(), order_id=tag, delivery_id=delivery_id)


class Pipe:
    """An engine's pipe that takes ``room`` messages, then says EAGAIN."""

    def __init__(self, room: int = 1_000_000) -> None:
        self.room = room
        self.got: list[bytes] = []
        self.bodies: list[bytes] = []  # market-data payloads

    def __call__(self, identity: bytes, header: bytes, body: bytes) -> Sent:
        if self.room <= 0:
            return Sent.AGAIN
        self.room -= 1
        self.got.append(header if header != b"FILL/1" else body)
        if header == b"MARKET_DATA/1":
            self.bodies.append(body)
        return Sent.OK


def test_order_traffic_leaves_before_market_data_that_was_queued_first() -> None:
    queue = EngineQueue("e")
    queue.identity = b"e-1"
    queue.push_market(*md("nt8", ("NQ", 1.0)))
    queue.push_order(order("fill-1"))
    pipe = Pipe()
    assert queue.flush(pipe)
    assert pipe.got == [b"fill-1", b"MARKET_DATA/1"]


def test_a_full_pipe_keeps_everything_for_the_next_pass_in_order() -> None:
    queue = EngineQueue("e")
    queue.identity = b"e-1"
    for i in range(3):
        queue.push_order(order(f"o{i}"))
    pipe = Pipe(room=1)
    assert not queue.flush(pipe)
    assert pipe.got == [b"o0"] and len(queue.orders) == 2 and queue.counters["pipe_full"] == 1
    pipe.room = 10
    assert queue.flush(pipe)
    assert pipe.got == [b"o0", b"o1", b"o2"]


def test_market_data_is_conflated_to_the_latest_tick_per_symbol_and_counted() -> None:
    queue = EngineQueue("e", market_limit=10)
    queue.identity = b"e-1"
    for i in range(1000):
        queue.push_market(*md("nt8", ("NQ", float(i)), ("ES", float(2000 - i))))
        queue.push_market(*md("sierra", ("NQ", float(i + 5))))
    assert queue.market_waiting <= 10  # bounded, however long the engine stalls
    assert queue.counters["market_conflated"] == 3000 - 3  # all but the latest of each (platform, symbol)
    pipe = Pipe()
    assert queue.flush(pipe) and queue.market_waiting == 0
    written = [msgspec.msgpack.decode(body, type=m.MarketData) for body in pipe.bodies]
    assert {(w.platform, t.symbol, t.last) for w in written for t in w.ticks} == {
        ("nt8", "NQ", 999.0),
        ("nt8", "ES", 1001.0),
        ("sierra", "NQ", 1004.0),
    }
    assert queue.counters["market_sent"] == 3


def test_a_lagging_engine_gets_what_came_meanwhile_merged_and_the_queue_goes_back_to_fifo_once_it_drains() -> None:
    queue = EngineQueue("e", market_limit=2)
    queue.identity = b"e-1"
    for i in range(3):
        queue.push_market(*md("nt8", ("NQ", float(i))))
    pipe = Pipe(room=0)
    assert not queue.flush(pipe)  # the pipe is full: it all waits, conflated
    queue.push_market(*md("nt8", ("ES", 7.0), ("NQ", 8.0)))
    pipe.room = 10
    assert queue.flush(pipe)
    (merged,) = [msgspec.msgpack.decode(body, type=m.MarketData) for body in pipe.bodies]
    assert [(t.symbol, t.last) for t in merged.ticks] == [("NQ", 8.0), ("ES", 7.0)]
    queue.push_market(*md("nt8", ("NQ", 9.0)))  # keeping up again: queued as it came
    assert len(queue.market) == 1 and not queue.conflated


def test_an_offline_engine_keeps_its_order_traffic_and_drops_market_data() -> None:
    queues = EngineQueues()
    queue = queues.connect("e", b"e-1", acks_updates=True)
    queues.disconnect(b"e-1")
    queue.push_order(order("fill-1", delivery_id=7))
    queues.push_market(*md("nt8", ("NQ", 1.0)))
    queue.push_market(*md("nt8", ("NQ", 2.0)))
    assert queue.counters["market_dropped"] == 1 and not queue.market
    assert not queue.push_order(order("fill-1", delivery_id=7))  # a resend of the same journaled message
    assert queues.flush(Pipe())  # nothing can go while it is offline; nothing lost either
    queues.connect("e", b"e-2", acks_updates=True)  # the engine's new session
    pipe = Pipe()
    assert queues.flush(pipe)
    assert pipe.got == [b"fill-1"]


def test_the_welcome_goes_first_after_a_hello() -> None:
    queues = EngineQueues()
    queue = queues.connect("e", b"e-1", acks_updates=False)
    queue.push_order(order("update"))
    queue.push_order(Item(MsgType.WELCOME, b"WELCOME/1", b"w"), front=True)
    pipe = Pipe()
    queues.flush(pipe)
    assert pipe.got == [b"WELCOME/1", b"update"]
    assert queues.snapshot()["e"]["order_sent"] == 2


def test_an_unacknowledged_fill_is_written_again_until_the_engine_acknowledges_it() -> None:
    queues = EngineQueues()
    queue = queues.connect("e", b"e-1", acks_updates=False)
    queue.push_order(order("fill-1", delivery_id=1))
    queue.push_order(Item(MsgType.ORDER_UPDATE, b"ORDER_UPDATE/1", b"final", order_id="fill-1", delivery_id=2))
    pipe = Pipe()
    queues.flush(pipe, now=100.0)
    assert list(queue.unacked) == [1]  # this engine does not acknowledge final updates: written once
    assert queue.redeliver(now=105.0, after_s=10.0) == 0
    assert queue.redeliver(now=110.0, after_s=10.0) == 1  # lost on the way, perhaps: again
    queues.flush(pipe, now=110.0)
    assert pipe.got == [b"fill-1", b"ORDER_UPDATE/1", b"fill-1"]
    queue.acked("fill-1", ("FILL", "ORDER_UPDATE"))
    assert queue.unacked == {} and queue.redeliver(now=1000.0) == 0
