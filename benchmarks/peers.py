"""The benchmark's peer processes: a platform (market data, fills), an engine (counts ticks, or sends signals), a proxy.

    python -m benchmarks.peers platform --endpoint tcp://… --name bench1 [--ticks N --batch 100 --rate R] [--fill]
    python -m benchmarks.peers consume  --endpoint tcp://… [--no-hello] [--latency]
    python -m benchmarks.peers engine   --endpoint tcp://… --roots A,B,… --signals N --concurrency C
    python -m benchmarks.peers proxy    --front tcp://… --back tcp://…

Each speaks the wire protocol of docs/protocol.md with raw DEALER sockets and known framing (two frames), as
adapters and engines do, prints one JSON line ``{"event": "ready", …}`` once connected and, when it has a result,
one ``{"event": "result", …}``. A peer given ``--wait-go`` starts its work when a line arrives on stdin. With
``--no-hello`` it skips the handshake: the same frames go through a ``zmq.proxy`` instead of the gateway.
Clocks: times that cross processes are ``time.time_ns()`` (one system clock); the rest ``perf_counter_ns``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any

import msgspec
import zmq

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType

HB = codec.encode(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=0, connected=True))
MD_HEADER = codec.encode(MsgType.MARKET_DATA, m.MarketData(ticks=[]))[0]
FILL_HEADER = b"FILL/1"
_stop = False


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def _on_term(signum: int, frame: object) -> None:
    global _stop
    _stop = True


def dealer(ctx: zmq.Context[zmq.Socket[bytes]], endpoint: str, identity: str) -> zmq.Socket[bytes]:
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.IDENTITY, identity.encode())
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.RCVHWM, 0)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    return sock


def send(sock: zmq.Socket[bytes], frames: tuple[bytes, bytes]) -> None:
    sock.send(frames[0], zmq.SNDMORE)
    sock.send(frames[1])


def hello(sock: zmq.Socket[bytes], msg: m.Hello, timeout_s: float = 20.0) -> m.Welcome:
    send(sock, codec.encode(MsgType.HELLO, msg))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if sock.poll(200):
            header, payload = sock.recv(), sock.recv()
            if header == b"WELCOME/1":
                return msgspec.msgpack.decode(payload, type=m.Welcome)
    raise SystemExit(f"no WELCOME within {timeout_s:.0f}s from the gateway; is it running on this endpoint?")


def wait_go(enabled: bool) -> None:
    if enabled:
        sys.stdin.readline()


# -- platform: market data producer, and/or an adapter that fills every leg at once -----------------------
def platform(args: argparse.Namespace) -> None:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    sock = dealer(ctx, args.endpoint, args.name)
    if args.no_hello:
        symbols, roots_key = args.symbols.split(","), args.roots_key
    else:
        session = f"{args.name}-{os.getpid()}-{time.time_ns()}"  # the gateway numbers reports per session
        report = m.PlatformReport()
        welcome = hello(sock, m.Hello(role="platform", name=args.name, driver="sim", session=session, report=report))
        roots_key = welcome.roots_key  # as the adapters' link does: ticks under roots with the WELCOME's key
        symbols = [s.root if roots_key else s.symbol for s in welcome.subscriptions]
    emit("ready", symbols=symbols, roots_key=roots_key)
    wait_go(args.wait_go)
    fresh = args.rate > 0 and args.ticks == 0  # paced streaming: every batch stamped now
    prebuilt = [
        codec.encode(
            MsgType.MARKET_DATA,
            m.MarketData(
                platform=args.name,
                ticks=[
                    m.Tick(symbols[(k * args.batch + j) % len(symbols)], 100.0, 100.25, 100.25, 1.0, time.time_ns())
                    for j in range(args.batch)
                ],
                roots_key=roots_key,
            ),
        )[1]
        for k in range(16)
    ]
    seq = 0
    sent = 0
    messages = args.ticks // args.batch if args.ticks else 0
    first_ns = time.time_ns()
    next_at = time.perf_counter()
    next_beat = 0.0
    burst_at = time.perf_counter() + args.burst_every if args.burst else float("inf")
    stream = args.ticks > 0 or args.rate > 0
    while stream and not _stop and (messages == 0 or sent < messages):
        now = time.perf_counter()
        if now >= next_beat:
            next_beat = now + 0.5
            if not args.no_hello:
                send(sock, HB)
                while sock.poll(0):
                    seq = _answer(sock, seq, args.fill)
        if args.fill:
            while sock.poll(0):
                seq = _answer(sock, seq, True)
        if now >= burst_at:  # a burst: this many messages flat out, then back to the pace
            for _ in range(min(args.burst, messages - sent) if messages else args.burst):
                sock.send(MD_HEADER, zmq.SNDMORE)
                sock.send(prebuilt[sent & 15])
                sent += 1
            burst_at = now + args.burst_every
            next_at = time.perf_counter()
            continue
        if args.rate:
            if now < next_at:
                time.sleep(min(next_at - now, 0.002))
                continue
            next_at += 1.0 / args.rate
        if fresh or args.latency:
            stamp = time.time_ns()
            ticks = [
                m.Tick(symbols[(sent * args.batch + j) % len(symbols)], 100.0, 100.25, 100.25, 1.0, stamp)
                for j in range(args.batch)
            ]
            md = m.MarketData(platform=args.name, ticks=ticks, roots_key=roots_key)
            payload = codec.encode(MsgType.MARKET_DATA, md)[1]
        else:
            payload = prebuilt[sent & 15]
        sock.send(MD_HEADER, zmq.SNDMORE)
        sock.send(payload)
        sent += 1
    emit("result", first_ns=first_ns, last_ns=time.time_ns(), messages=sent, ticks=sent * args.batch)
    while not _stop and args.fill:  # keep filling (and heartbeating) until told to stop
        if sock.poll(200):
            seq = _answer(sock, seq, True)
        if time.perf_counter() >= next_beat:
            next_beat = time.perf_counter() + 0.5
            send(sock, HB)
    linger_until = time.monotonic() + (0 if args.fill else args.linger)
    while not _stop and time.monotonic() < linger_until:  # stay connected: an exiting sender may lose its queue
        time.sleep(0.05)
    ctx.destroy(linger=0)


_positions: dict[str, float] = {}  # what the fake platform holds: the reports it answers STATUS with are true


def _answer(sock: zmq.Socket[bytes], seq: int, fill: bool) -> int:
    header, payload = sock.recv(), sock.recv()
    if header == b"ORDER/1" and fill:
        order = msgspec.msgpack.decode(payload, type=m.Order)
        signed = order.qty if order.side == "BUY" else -order.qty
        _positions[order.symbol] = _positions.get(order.symbol, 0.0) + signed
        send(sock, codec.encode(MsgType.ACK, m.Ack(kind="ORDER", ref=order.leg_id)))
        seq += 1
        send(sock, codec.encode(MsgType.ORDER_UPDATE, m.LegUpdate(leg_id=order.leg_id, status="ACCEPTED", seq=seq)))
        seq += 1
        leg_fill = m.LegFill(leg_id=order.leg_id, fill_id=f"F{seq}", qty=order.qty, price=100.25, seq=seq)
        send(sock, codec.encode(MsgType.FILL, leg_fill))
    elif header == b"STATUS/1":  # a report covering none of the gateway's ORDERs is always true
        send(sock, codec.encode(MsgType.POSITION, m.PlatformReport(positions=dict(_positions))))
    return seq


# -- engine that counts market data (throughput) or times each tick (latency) ------------------------------
class _Tail(msgspec.Struct):
    ticks: list[m.Tick]


def consume(args: argparse.Namespace) -> None:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    sock = dealer(ctx, args.endpoint, args.name)
    if not args.no_hello:
        hello(sock, m.Hello(role="nexus", name=args.name))
    else:
        time.sleep(0.3)  # the proxy's DEALER sees this connection before the producer sends
    emit("ready")
    decoder = msgspec.msgpack.Decoder(_Tail)
    ticks = messages = 0
    first_ns = last_ns = 0
    lat: list[int] = []
    next_beat = 0.0
    marker = b"\xa5ticks"
    while not _stop:
        if not sock.poll(200):
            if first_ns and time.time_ns() - last_ns > args.idle * 1e9:
                break
        else:
            while True:
                try:
                    header = sock.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                payload = sock.recv()
                if header != MD_HEADER:
                    continue
                now = time.time_ns()
                if not first_ns:
                    first_ns = now
                last_ns = now
                messages += 1
                if args.latency:
                    for tick in decoder.decode(payload).ticks:
                        lat.append(now - tick.ts_ns)
                        ticks += 1
                    continue
                at = payload.find(marker) + 6
                kind = payload[at]
                ticks += kind & 0x0F if kind & 0xF0 == 0x90 else int.from_bytes(payload[at + 1 : at + 3], "big")
        if not args.no_hello and time.perf_counter() >= next_beat:
            next_beat = time.perf_counter() + 0.5
            send(sock, HB)
    result: dict[str, Any] = {"first_ns": first_ns, "last_ns": last_ns, "ticks": ticks, "messages": messages}
    if lat:
        lat = sorted(lat[len(lat) // 10 :])  # the first tenth is warm-up
        result.update({f"p{q}": lat[min(len(lat) - 1, int(len(lat) * q / 100))] / 1000 for q in (50, 99, 99.9)})
    emit("result", **result)
    ctx.destroy(linger=0)


# -- engine that trades: signal → aggregated FILL, closed loop ----------------------------------------------
def engine(args: argparse.Namespace) -> None:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    sock = dealer(ctx, args.endpoint, args.name)
    greeting = m.Hello(role="nexus", name=args.name, acks=["FILL"])
    hello(sock, greeting)
    emit("ready")
    wait_go(args.wait_go)
    rehellos, rehello_at = 0, 0.0
    roots = args.roots.split(",")
    free = list(roots)
    side = dict.fromkeys(roots, 1.0)
    started: dict[str, tuple[str, int]] = {}  # client_id -> (root, perf_counter_ns at send)
    lat: list[int] = []
    rejected: dict[str, int] = {}
    sent = done = 0
    limit_ns = time.perf_counter_ns() + int(args.duration * 1e9) if args.duration else 0
    t0 = last_fill = time.perf_counter_ns()
    next_beat = stopped_at = 0.0
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        running = (args.signals == 0 or sent < args.signals) and (not limit_ns or time.perf_counter_ns() < limit_ns)
        while running and free and len(started) < args.concurrency and (args.signals == 0 or sent < args.signals):
            root = free.pop(0)
            client_id = f"{args.name}-{sent}"
            side[root] = -side[root]
            sig = m.Signal(client_id=client_id, symbol=root, signal=side[root], confidence=0.9, qty=1)
            started[client_id] = (root, time.perf_counter_ns())
            send(sock, codec.encode(MsgType.SIGNAL, sig))
            sent += 1
        if not running and not started:
            break
        if not running and stopped_at == 0.0:
            stopped_at = time.monotonic()
        if stopped_at and time.monotonic() - stopped_at > args.grace:
            break  # what is still in flight is reported as unfinished
        if time.perf_counter() >= next_beat:
            next_beat = time.perf_counter() + 0.5
            send(sock, HB)
        if not sock.poll(100):
            continue
        while True:
            try:
                header = sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
            payload = sock.recv()
            if header == FILL_HEADER:
                fill = msgspec.msgpack.decode(payload, type=m.FillReport)
                send(sock, codec.encode(MsgType.ACK, m.Ack(kind="FILL", ref=fill.order_id)))
                begun = started.pop(fill.client_id, None)
                if begun is not None:
                    last_fill = time.perf_counter_ns()
                    lat.append(last_fill - begun[1])
                    free.append(begun[0])
                    done += 1
            elif header == b"ERROR/1":
                error = msgspec.msgpack.decode(payload, type=m.Error)
                if error.code == "UNKNOWN_PEER" and time.monotonic() >= rehello_at:  # dropped: say HELLO again
                    send(sock, codec.encode(MsgType.HELLO, greeting))
                    rehellos += 1
                    rehello_at = time.monotonic() + 1.0
            elif header == b"ORDER_UPDATE/1":
                update = msgspec.msgpack.decode(payload, type=m.OrderUpdate)
                if update.final and update.avg_price is None and update.client_id in started:
                    reason = update.reason.split(":", 1)[0]
                    rejected[reason] = rejected.get(reason, 0) + 1
                    started.pop(update.client_id)  # its root is not signalled again in this run
    elapsed = ((last_fill if lat else time.perf_counter_ns()) - t0) / 1e9
    lat.sort()
    result: dict[str, Any] = {
        "sent": sent,
        "filled": done,
        "seconds": elapsed,
        "rejected": rejected,
        "unfinished": len(started),
    }
    if lat:
        result.update({f"p{q}": lat[min(len(lat) - 1, int(len(lat) * q / 100))] / 1e6 for q in (50, 99)})
    emit("result", **result)
    ctx.destroy(linger=0)


def proxy(args: argparse.Namespace) -> None:
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    front, back = ctx.socket(zmq.DEALER), ctx.socket(zmq.DEALER)
    front.bind(args.front)
    back.bind(args.back)
    emit("ready")
    zmq.proxy(front, back)  # until the benchmark kills this process


def main(argv: list[str] | None = None) -> None:
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_term)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="role", required=True)
    p = sub.add_parser("platform")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--name", default="bench1")
    p.add_argument("--no-hello", action="store_true")
    p.add_argument("--symbols", default="", help="with --no-hello: the symbols to stream, comma-separated")
    p.add_argument("--roots-key", default="", help="with --no-hello: the roots_key to send (as the gateway's run did)")
    p.add_argument("--ticks", type=int, default=0, help="ticks to send (0: stream until stopped)")
    p.add_argument("--batch", type=int, default=100, help="ticks per MARKET_DATA message")
    p.add_argument("--rate", type=float, default=0.0, help="messages per second (0: flat out)")
    p.add_argument("--burst", type=int, default=0, help="messages per burst, sent flat out on top of the pace")
    p.add_argument("--burst-every", type=float, default=2.0)
    p.add_argument("--latency", action="store_true", help="stamp every message with the time it is sent")
    p.add_argument("--fill", action="store_true", help="fill every ORDER at once (ACK, ACCEPTED, FILL)")
    p.add_argument("--linger", type=float, default=30.0)
    c = sub.add_parser("consume")
    c.add_argument("--endpoint", required=True)
    c.add_argument("--name", default="bench-md")
    c.add_argument("--no-hello", action="store_true")
    c.add_argument("--latency", action="store_true")
    c.add_argument("--idle", type=float, default=1.5, help="seconds without market data that end the run")
    e = sub.add_parser("engine")
    e.add_argument("--endpoint", required=True)
    e.add_argument("--name", default="bench-engine")
    e.add_argument("--roots", required=True)
    e.add_argument("--signals", type=int, default=0)
    e.add_argument("--duration", type=float, default=0.0)
    e.add_argument("--concurrency", type=int, default=1)
    e.add_argument("--timeout", type=float, default=600.0)
    e.add_argument("--grace", type=float, default=10.0, help="seconds to wait for orders in flight at the end")
    e.add_argument("--wait-go", action="store_true")
    x = sub.add_parser("proxy")
    x.add_argument("--front", required=True)
    x.add_argument("--back", required=True)
    for q in (p, c):
        q.add_argument("--wait-go", action="store_true")
    args = parser.parse_args(argv)
    {"platform": platform, "consume": consume, "engine": engine, "proxy": proxy}[args.role](args)


if __name__ == "__main__":
    main()
