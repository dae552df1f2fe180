"""Gateway benchmarks on this machine: codec cost, market-data relay throughput, signal→fill latency.

    python benchmarks/bench_gateway.py            # writes nothing; prints a Markdown table

The gateway runs in-process (its own thread, real ZeroMQ sockets on loopback, a real SQLite journal in a
temporary directory); platform and engine are raw DEALER peers in the main thread, so the figures are the
gateway's own cost plus two loopback hops.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
import timeit
from pathlib import Path

import zmq

REPO = Path(__file__).resolve().parents[1]


def codec_costs() -> dict[str, float]:
    from nexus_gw.protocol import codec
    from nexus_gw.protocol import messages as m
    from nexus_gw.protocol.constants import MsgType

    signal = m.Signal(client_id="c" * 26, symbol="NQ", signal=1.0, confidence=0.85, qty=1)
    batch = m.MarketData(platform="nt8", ticks=[m.Tick("NQ 03-25", 1.0, 1.25, 1.25, 3, 1) for _ in range(100)])
    nexus = codec.Decoder(codec.NEXUS_TO_GATEWAY)
    platform = codec.Decoder(codec.PLATFORM_TO_GATEWAY)
    s_frames = codec.encode(MsgType.SIGNAL, signal)
    b_frames = codec.encode(MsgType.MARKET_DATA, batch)
    n = 20000
    return {
        "SIGNAL encode µs": timeit.timeit(lambda: codec.encode(MsgType.SIGNAL, signal), number=n) / n * 1e6,
        "SIGNAL decode µs": timeit.timeit(lambda: nexus.decode(*s_frames), number=n) / n * 1e6,
        "MARKET_DATA 100 ticks encode µs": timeit.timeit(
            lambda: codec.encode(MsgType.MARKET_DATA, batch), number=n // 10
        )
        / (n // 10)
        * 1e6,
        "MARKET_DATA 100 ticks decode µs": timeit.timeit(lambda: platform.decode(*b_frames), number=n // 10)
        / (n // 10)
        * 1e6,
    }


def start_gateway(data_dir: str):  # type: ignore[no-untyped-def]
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

    logging.disable(logging.WARNING)
    results = codec_costs()
    with tempfile.TemporaryDirectory() as tmp:
        gateway, thread, eps = start_gateway(tmp)
        ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        nexus = ctx.socket(zmq.DEALER)
        nexus.setsockopt(zmq.IDENTITY, b"bench-engine")
        nexus.setsockopt(zmq.RCVHWM, 0)
        nexus.connect(eps.nexus)
        nexus.send_multipart(list(codec.encode(MsgType.HELLO, m.Hello(role="nexus", name="bench"))))
        nexus.recv_multipart()
        plat = ctx.socket(zmq.DEALER)
        plat.setsockopt(zmq.IDENTITY, b"nt8")
        plat.setsockopt(zmq.SNDHWM, 0)
        plat.connect(eps.platform)
        plat.send_multipart(list(codec.encode(MsgType.HELLO, m.Hello(role="platform", name="nt8"))))
        _, payload = plat.recv_multipart()
        welcome = codec.Decoder(codec.GATEWAY_TO_PLATFORM).decode(b"WELCOME/1", payload)[1]
        symbol = next(s.symbol for s in welcome.subscriptions if s.root == "NQ")
        decoder = codec.Decoder(codec.GATEWAY_TO_NEXUS)

        # market data: batches of 100 ticks platform -> gateway -> engine
        batches = 3000
        frames = codec.encode(
            MsgType.MARKET_DATA,
            m.MarketData(ticks=[m.Tick(symbol, 21000.0, 21000.25, 21000.25, 1, time.time_ns()) for _ in range(100)]),
        )
        # The engine reads as fast as it can; when it falls behind, the gateway conflates its market data (per
        # symbol, latest wins), so the relay rate is what the gateway took in, and the engine's share is shown.
        received = 0
        start = time.perf_counter()
        for _ in range(batches):
            plat.send_multipart(list(frames))
        elapsed = 0.0
        while True:
            if nexus.poll(500):
                header, body = nexus.recv_multipart()
                if header == b"MARKET_DATA/1":
                    received += len(decoder.decode(header, body)[1].ticks)
            elif gateway.counters["market_data_ticks"] >= batches * 100:
                break
            if not elapsed and gateway.counters["market_data_ticks"] >= batches * 100:
                elapsed = time.perf_counter() - start
        results["market data relay, ticks/s into the gateway (100-tick batches)"] = batches * 100 / elapsed
        results["  of which delivered to a Python engine reading flat out, %"] = 100.0 * received / (batches * 100)
        nexus.send_multipart(list(codec.encode(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))))

        # signal -> order at platform -> fill -> aggregated fill at engine
        latencies = []
        for i in range(300):
            t0 = time.perf_counter()
            nexus.send_multipart(
                list(
                    codec.encode(
                        MsgType.SIGNAL,
                        m.Signal(client_id=f"b{i}", symbol="NQ", signal=1 if i % 2 == 0 else -1, confidence=0.9, qty=1),
                    )
                )
            )
            while True:
                header, body = plat.recv_multipart()
                if header == b"ORDER/1":
                    order = codec.Decoder(codec.GATEWAY_TO_PLATFORM).decode(header, body)[1]
                    break
            plat.send_multipart(
                list(
                    codec.encode(
                        MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="f", qty=1, price=21000.25, seq=i + 1)
                    )
                )
            )
            while True:
                header, body = nexus.recv_multipart()
                if header == b"FILL/1":
                    fill = decoder.decode(header, body)[1]
                    nexus.send_multipart(list(codec.encode(MsgType.ACK, m.Ack(kind="FILL", ref=fill.order_id))))
                    break
            latencies.append((time.perf_counter() - t0) * 1e3)
            if i % 50 == 0:  # keep market data fresh for the risk gate
                plat.send_multipart(list(frames))
        latencies.sort()
        results["signal→fill round trip p50 ms (journaled, fsync)"] = statistics.median(latencies)
        results["signal→fill round trip p99 ms (journaled, fsync)"] = latencies[int(len(latencies) * 0.99) - 1]
        gateway.stop_requested = True
        thread.join(5)
        nexus.close(0)
        plat.close(0)
        ctx.term()
    print("| measure | value |\n|---|---:|")
    for name, value in results.items():
        print(f"| {name} | {value:,.2f} |")


if __name__ == "__main__":
    main()
