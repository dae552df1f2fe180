"""A fill's latency to the engine while a platform floods market data on the same engine link.

    python benchmarks/bench_fill_latency.py [--orders 20] [--batch 50] [--rate MSGS_PER_S]

The gateway runs in-process (real ZeroMQ sockets on loopback, a real SQLite journal in a temporary
directory). One platform peer streams quotes as fast as the gateway takes them and fills every order it
gets; one engine reads everything (market data included) as fast as Python lets it, and sends the next
signal when the previous order's FILL arrives. Reported: the time from the platform sending a leg's fill to
the engine receiving the order's FILL (p50/p90/max), and what the gateway conflated or dropped meanwhile.
Nothing is asserted: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import zmq

REPO = Path(__file__).resolve().parents[1]


def start_gateway(data_dir: str):  # type: ignore[no-untyped-def]
    """The gateway in a thread of this process: the script wraps its desk to time the adapter link in between."""
    from nexus_gw.config.loader import load_profile
    from nexus_gw.server.gateway import Gateway
    from nexus_gw.stack import Endpoints

    eps = Endpoints.free()
    os.environ.update(
        {
            "NEXUSGW_GATEWAY__SOCKETS__PLATFORM": eps.platform,
            "NEXUSGW_GATEWAY__SOCKETS__NEXUS": eps.nexus,
            "NEXUSGW_GATEWAY__SOCKETS__ADMIN": eps.admin,
            "NEXUSGW_GATEWAY__DATA_DIR": data_dir,
            "NEXUSGW_GATEWAY__LOG_LEVEL": "WARNING",
            "NEXUSGW_RISK__THROTTLE__MAX_ORDERS_PER_SECOND": "100000",
            "NEXUSGW_RISK__LIMITS__MAX_DAILY_TRADES": "1000000",
        }
    )
    gateway = Gateway(load_profile("dev", REPO / "config"))
    gateway.bind(announce=lambda line: None)
    thread = threading.Thread(target=gateway.run, daemon=True)
    thread.start()
    return gateway, thread, eps


def main() -> None:
    import logging

    from nexus_gw.protocol import codec
    from nexus_gw.protocol import messages as m
    from nexus_gw.protocol.constants import MsgType

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20, help="orders to time (default 20)")
    parser.add_argument("--batch", type=int, default=50, help="market-data messages per flood burst (default 50)")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="market-data messages per second (default 0: as fast as accepted)"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        gateway, thread, eps = start_gateway(tmp)
        ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        stop = threading.Event()
        fill_sent: dict[str, float] = {}  # order id -> when the platform sent its leg's fill
        latencies: list[float] = []
        inbound: list[float] = []  # platform's fill -> the gateway handles it (the adapter link, FIFO)
        on_leg_fill = gateway.desk.on_leg_fill

        def timed_leg_fill(platform_name: str, fill: m.LegFill) -> None:
            order_id = gateway.desk.book.by_leg.get(fill.leg_id, "")
            if order_id in fill_sent:
                inbound.append(time.perf_counter() - fill_sent[order_id])
            on_leg_fill(platform_name, fill)

        gateway.desk.on_leg_fill = timed_leg_fill  # type: ignore[method-assign]
        ticks_seen = [0]

        platform = ctx.socket(zmq.DEALER)
        platform.setsockopt(zmq.IDENTITY, b"sierra")
        platform.connect(eps.platform)
        platform.send_multipart(codec.encode(MsgType.HELLO, m.Hello(role="platform", name="sierra", driver="bench")))
        pdec = codec.Decoder(codec.GATEWAY_TO_PLATFORM)
        _, welcome = pdec.decode(*platform.recv_multipart())
        symbols = [s.symbol for s in welcome.subscriptions if s.root != "WDO"]

        def flood() -> None:
            n = 0
            started = time.perf_counter()
            while not stop.is_set():
                if args.rate and n > (time.perf_counter() - started) * args.rate:
                    time.sleep(0.001)
                for _ in range(args.batch):
                    n += 1
                    price = 100.0 + (n % 8) * 0.25
                    ticks = [m.Tick(s, price, price + 0.25, price, 1, time.time_ns()) for s in symbols]
                    try:
                        platform.send_multipart(
                            list(codec.encode(MsgType.MARKET_DATA, m.MarketData(ticks=ticks))), zmq.NOBLOCK
                        )
                    except zmq.Again:
                        break
                while platform.poll(0):
                    msg_type, msg = pdec.decode(*platform.recv_multipart())
                    if msg_type is MsgType.ORDER:
                        fill = m.LegFill(leg_id=msg.leg_id, fill_id="f", qty=msg.qty, price=100.0)
                        fill_sent[msg.order_id] = time.perf_counter()
                        platform.send_multipart(list(codec.encode(MsgType.FILL, fill)))

        engine = ctx.socket(zmq.DEALER)
        engine.setsockopt(zmq.IDENTITY, b"bench-engine")
        engine.connect(eps.nexus)
        engine.send_multipart(codec.encode(MsgType.HELLO, m.Hello(role="nexus", name="bench", acks=["FILL"])))
        ndec = codec.Decoder(codec.GATEWAY_TO_NEXUS)

        def signal(i: int) -> None:
            direction = 1.0 if i % 2 == 0 else -1.0
            sig = m.Signal(client_id=f"lat-{i}", symbol="ES", signal=direction, confidence=0.9, qty=1)
            engine.send_multipart(codec.encode(MsgType.SIGNAL, sig))

        flooder = threading.Thread(target=flood, daemon=True)
        flooder.start()
        time.sleep(1.0)  # the flood is in full swing
        sent = 0
        signal(sent)
        deadline = time.monotonic() + 60 + args.orders * 5
        last_beat = 0.0
        while len(latencies) < args.orders and time.monotonic() < deadline:
            if time.monotonic() - last_beat > 0.5:
                engine.send_multipart(codec.encode(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns())))
                last_beat = time.monotonic()
            if not engine.poll(100):
                continue
            msg_type, msg = ndec.decode(*engine.recv_multipart())
            if msg_type is MsgType.MARKET_DATA:
                ticks_seen[0] += len(msg.ticks)
            elif msg_type is MsgType.FILL:
                latencies.append(time.perf_counter() - fill_sent.get(msg.order_id, time.perf_counter()))
                engine.send_multipart(codec.encode(MsgType.ACK, m.Ack(kind="FILL", ref=msg.order_id)))
                sent += 1
                signal(sent)
            elif msg_type is MsgType.ORDER_UPDATE and msg.final and msg.avg_price is None:
                sent += 1  # refused (e.g. risk): try the next one
                signal(sent)
        stop.set()
        flooder.join(timeout=5)
        queues = gateway.outbound.snapshot()
        gateway.stop_requested = True
        thread.join(timeout=5)
        ctx.destroy(linger=0)
    if not latencies:
        print("no fill arrived")
        return
    latencies.sort()
    q = statistics.quantiles(latencies, n=10) if len(latencies) >= 2 else latencies * 9
    engine_q = queues.get("bench", {})
    print("| fill latency under a market-data flood | value |")
    print("|---|---|")
    print(f"| orders timed | {len(latencies)} |")
    print(f"| p50 ms | {statistics.median(latencies) * 1000:.1f} |")
    print(f"| p90 ms | {q[8] * 1000:.1f} |")
    print(f"| max ms | {latencies[-1] * 1000:.1f} |")
    if inbound:
        print(f"| of which platform → gateway (adapter link), p50 ms | {statistics.median(inbound) * 1000:.1f} |")
    print(f"| ticks the engine read | {ticks_seen[0]} |")
    print(f"| ticks conflated by the gateway | {engine_q.get('market_conflated', 0)} |")
    print(f"| ticks dropped by the gateway | {engine_q.get('market_dropped', 0)} |")


if __name__ == "__main__":
    main()
