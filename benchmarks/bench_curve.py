"""What CURVE costs on a ZeroMQ connection: one-way throughput and round-trip time, plain and encrypted.

    python benchmarks/bench_curve.py [--messages 200000] [--size 200]

A DEALER sends to a ROUTER over loopback TCP (a reader thread drains it), then 2000 request/reply round trips;
the same with CURVE keys on both sides. Nothing is asserted: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import threading
import time

import zmq


def measure(curve: bool, messages: int, size: int) -> tuple[float, float]:
    """(messages per second one way, round-trip microseconds)."""
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    router, dealer = ctx.socket(zmq.ROUTER), ctx.socket(zmq.DEALER)
    if curve:
        server_public, server_secret = zmq.curve_keypair()
        client_public, client_secret = zmq.curve_keypair()
        router.setsockopt(zmq.CURVE_SERVER, 1)
        router.setsockopt(zmq.CURVE_SECRETKEY, server_secret)
        dealer.setsockopt(zmq.CURVE_SERVERKEY, server_public)
        dealer.setsockopt(zmq.CURVE_PUBLICKEY, client_public)
        dealer.setsockopt(zmq.CURVE_SECRETKEY, client_secret)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    dealer.send(b"warm-up")
    router.recv_multipart()
    payload = b"p" * size

    def drain() -> None:
        for _ in range(messages):
            router.recv_multipart()

    reader = threading.Thread(target=drain)
    started = time.perf_counter()
    reader.start()
    for _ in range(messages):
        dealer.send(payload)
    reader.join()
    rate = messages / (time.perf_counter() - started)
    trips = 2000
    started = time.perf_counter()
    for _ in range(trips):
        dealer.send(payload)
        router.send_multipart(router.recv_multipart())
        dealer.recv()
    rtt_us = (time.perf_counter() - started) / trips * 1e6
    ctx.destroy(linger=0)
    return rate, rtt_us


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    print(f"| connection | msgs/s one way ({args.size} B) | round trip (µs) |")
    print("|---|---|---|")
    for curve in (False, True):
        rate, rtt = measure(curve, args.messages, args.size)
        print(f"| {'CURVE' if curve else 'plain'} | {rate:,.0f} | {rtt:.0f} |")


if __name__ == "__main__":
    main()
