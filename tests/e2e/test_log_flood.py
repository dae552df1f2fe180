"""A peer sending thousands of malformed messages costs the gateway's log a few lines, not one per message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import zmq

from nexus_gw.stack import LocalStack

pytestmark = pytest.mark.e2e

MESSAGES = 5000


def test_a_malformed_message_flood_is_summarised_in_the_log(tmp_path: Path) -> None:
    stack = LocalStack("dev", Path(__file__).resolve().parents[2] / "config", tmp_path / "run")
    stack.start_gateway()
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    try:
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(stack.endpoints.nexus)
        replies = 0
        deadline = time.monotonic() + 60
        # in bursts of 100, reading the answers in between: the gateway keeps only a small send queue per
        # connection (back-pressure), so a peer that never reads may lose answers, never the gateway its memory
        for burst in range(0, MESSAGES, 100):
            for i in range(burst, burst + 100):
                sock.send_multipart([b"SIGNAL/1", b"\xc1not msgpack %d" % i])
            while replies < burst + 100 and time.monotonic() < deadline:
                if sock.poll(200):
                    sock.recv_multipart()
                    replies += 1
        assert replies == MESSAGES, f"{replies} of {MESSAGES} malformed messages answered"
    finally:
        ctx.destroy(linger=0)
        codes = stack.stop_all()
    assert codes.get("gateway") in (None, 0), stack.tail("gateway")
    log = stack.log_path("gateway").read_text(errors="replace")
    assert log.count("bad message from") < 20, "one log line per malformed message"
    assert "repeated" in log and "more times" in log, log[-2000:]
    assert "Traceback" not in log
