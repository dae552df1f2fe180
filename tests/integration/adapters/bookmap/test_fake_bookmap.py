"""The fake Bookmap on the wire, driven by a raw socket client: what it sends in answer to each client message,
and Bookmap's server behaviour it reproduces (no answer for an unknown alias, deaf after a malformed message, mute
after an unknown data type)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from nexus_gw.adapters.bookmap import frames as f
from nexus_gw.adapters.bookmap.fake import FakeBookmap

from .conftest import ES, NQ


class Client:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""

    def send(self, *fields: object) -> None:
        self.sock.sendall(f.encode(*fields))

    def until(self, done: str, timeout: float = 5.0) -> list[list[str]]:
        """Lines read until one starts with ``done`` (fields), all of them returned."""
        lines: list[list[str]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\n" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\n", 1)
                lines.append(f.fields(raw.decode()))
                if f.join(*lines[-1]).startswith(done):
                    return lines
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.buffer += self.sock.recv(65536)
            except TimeoutError:
                break
        raise AssertionError(f"no line starting {done!r}; got {[f.join(*x)[:60] for x in lines[-5:]]}")


@pytest.fixture
def client(fake: FakeBookmap) -> Iterator[Client]:
    c = Client(fake.port)
    yield c
    c.sock.close()


def test_hello_instruments_subscriptions_and_an_order_filled_in_parts(fake: FakeBookmap, client: Client) -> None:
    client.send(f.CLIENT_INIT)
    infos = [line for line in client.until(f.join(f.INSTRUMENT_INFO, ES)) if line[0] == f.INSTRUMENT_INFO]
    assert [(i[1], float(i[4]), json.loads(i[7])["trading"]) for i in infos] == [(NQ, 0.25, True), (ES, 0.25, True)]
    client.send(f.REQ_DATA, NQ, 7, f.DEPTH, "")  # the package's layout: an empty trailing field
    depth = [line for line in client.until(f.join(f.RESP_DATA, 7)) if line[0] == f.DEPTH]
    assert len(depth) == 20 and {d[2] for d in depth} == {"0", "1"}
    client.send(f.SEND_ORDER, json.dumps({"alias": NQ, "isBuy": True, "size": 2, "clientId": "leg1"}))
    lines = client.until(f.join(f.POSITION_UPDATE), timeout=5)
    lines += client.until(f.join(f.POSITION_UPDATE), timeout=5)
    updates = [json.loads(line[1]) for line in lines if line[0] == f.UPDATE_ORDER]
    executions = [json.loads(line[2]) for line in lines if line[0] == f.EXECUTE_ORDER]
    assert [u["status"] for u in updates] == ["PENDING_SUBMIT", "WORKING", "WORKING", "FILLED"]
    assert {u["clientId"] for u in updates} == {"leg1"} and [e["size"] for e in executions] == [1, 1]
    client.send(f.SEND_ORDER, json.dumps({"alias": "ZZZZ6.CME@RITHMIC", "isBuy": True, "size": 1}))
    client.send(f.REQ_DATA, NQ, 8, f.POSITION_UPDATE, "")
    (position,) = [json.loads(x[1]) for x in client.until(f.join(f.RESP_DATA, 8)) if x[0] == f.POSITION_UPDATE]
    assert position["position"] == 2 and len(fake.market.orders) == 1  # the unknown alias got nothing


def test_a_malformed_client_message_makes_it_deaf_and_an_unknown_data_type_mute(
    fake: FakeBookmap, client: Client
) -> None:
    client.send(f.CLIENT_INIT)
    client.until(f.join(f.INSTRUMENT_INFO, ES))
    client.send(f.REQ_DATA, NQ, 5, "99", "")
    deadline = time.monotonic() + 5
    while not fake.mute:
        assert time.monotonic() < deadline, "the fake never went mute"
        time.sleep(0.01)
    client.send(f.CANCEL_ORDER, NQ, "bm1", "maybe", "nan")  # a flag the server cannot read
    client.send(f.SEND_ORDER, json.dumps({"alias": NQ, "isBuy": True, "size": 1}))
    while not fake.deaf:
        assert time.monotonic() < deadline, "the fake never went deaf"
        time.sleep(0.01)
    assert fake.market.orders == {}  # read nothing after the malformed message
