"""docs/protocol.md is a contract: its examples are decoded and played against a running gateway.

Examples are fenced blocks whose info string is ``json example TYPE from>to [flags]``:

- every example decodes with the decoder of its direction (what the receiver accepts);
- every example of a message the gateway sends shows every field (the gateway always sends them all), and the
  messages a real gateway sends in a scripted session have exactly the example's keys, nested maps included;
- ``request-for-next`` examples are sent as they are and the gateway's answer must equal the next example in
  the fields named by its ``exact=`` flag;
- every counter the code can put in ``status.counts`` is documented.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
import zmq

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, header_for
from nexus_gw.server.gateway import Gateway
from nexus_gw.stack import Endpoints

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
DOC = REPO / "docs" / "protocol.md"
TABLES = {
    "platform>gateway": codec.PLATFORM_TO_GATEWAY,
    "engine>gateway": codec.NEXUS_TO_GATEWAY,
    "operator>gateway": codec.OPERATOR_TO_GATEWAY,
    "gateway>platform": codec.GATEWAY_TO_PLATFORM,
    "gateway>engine": codec.GATEWAY_TO_NEXUS,
    "gateway>operator": codec.GATEWAY_TO_OPERATOR,
}


@dataclass
class Example:
    msg_type: MsgType
    direction: str
    flags: list[str]
    payload: dict[str, Any]
    line: int

    @property
    def exact(self) -> list[str]:
        return next((f.split("=", 1)[1].split(",") for f in self.flags if f.startswith("exact=")), [])


def examples() -> list[Example]:
    found = []
    text = DOC.read_text()
    for match in re.finditer(r"^```json example (\S+) (\S+)([^\n]*)\n(.*?)^```", text, re.M | re.S):
        msg_type, direction, flags, body = match.groups()
        found.append(
            Example(MsgType(msg_type), direction, flags.split(), json.loads(body), text[: match.start()].count("\n"))
        )
    return found


EXAMPLES = examples()


def find(msg_type: MsgType, direction: str) -> Example:
    return next(e for e in EXAMPLES if e.msg_type is msg_type and e.direction == direction)


KEYED_BY_NAME = (".platforms", ".counts", ".engines")  # maps whose keys are names, not fields


def same_keys(example: Any, actual: Any, path: str = "$") -> None:
    """Maps: the same keys, recursively (an empty example map or list stands for any content); where the
    example shows a float the gateway sends a float (``0.0``, never ``0``)."""
    if isinstance(example, float) and actual is not None:
        assert isinstance(actual, float), f"{path}: docs/protocol.md shows a float, the gateway sent {actual!r}"
    for kind in (dict, list):
        if isinstance(example, kind):
            assert isinstance(actual, kind), f"{path}: docs/protocol.md shows a {kind.__name__}, got {actual!r:.80}"
    if isinstance(example, dict) and path.endswith(KEYED_BY_NAME):
        for key in set(example) & set(actual):
            same_keys(example[key], actual[key], f"{path}.{key}")
    elif isinstance(example, dict) and example:
        assert isinstance(actual, dict), f"{path}: expected a map, got {actual!r}"
        assert set(actual) == set(example), (
            f"{path}: the gateway sent keys {sorted(actual)}, docs/protocol.md shows {sorted(example)}"
        )
        for key in example:
            same_keys(example[key], actual[key], f"{path}.{key}")
    elif isinstance(example, list) and example and isinstance(example[0], dict) and actual:
        same_keys(example[0], actual[0], f"{path}[0]")


def test_the_document_has_examples_of_every_message_the_gateway_sends_to_engines_and_adapters() -> None:
    shown = {(e.msg_type, e.direction) for e in EXAMPLES}
    for direction in ("gateway>engine",):
        for msg_type in TABLES[direction]:
            assert (msg_type, direction) in shown, f"docs/protocol.md has no example of {msg_type} {direction}"
    assert (MsgType.SIGNAL, "engine>gateway") in shown and (MsgType.ADMIN, "operator>gateway") in shown


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.msg_type}-{e.direction}-line{e.line}")
def test_every_example_decodes_and_gateway_examples_show_every_field(example: Example) -> None:
    table = TABLES[example.direction]
    decoder = codec.Decoder(table)
    payload = msgspec.msgpack.encode(example.payload)
    if "request-for-next" in example.flags:
        return  # deliberately wrong requests; their answers are checked live
    _, msg = decoder.decode(header_for(example.msg_type), payload)
    if example.direction.startswith("gateway>") and "status" not in example.flags:
        sent = msgspec.msgpack.decode(codec.encode(example.msg_type, msg)[1])
        same_keys(sent, example.payload)  # every field the gateway would send is in the example


class Dealer:
    def __init__(self, zctx: zmq.Context[zmq.Socket[bytes]], endpoint: str, identity: bytes | None) -> None:
        self.sock = zctx.socket(zmq.DEALER)
        if identity:
            self.sock.setsockopt(zmq.IDENTITY, identity)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.last_beat = 0.0

    def send(self, msg_type: MsgType, payload: dict[str, Any], *prefix: bytes) -> None:
        self.sock.send_multipart([*prefix, header_for(msg_type), msgspec.msgpack.encode(payload)])

    def recv(self, want: MsgType, timeout_s: float = 5.0, beat: bool = True) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if beat and time.monotonic() - self.last_beat > 0.1:
                self.send(MsgType.HEARTBEAT, {"ts_ns": time.time_ns()})
                self.last_beat = time.monotonic()
            if self.sock.poll(50):
                frames = self.sock.recv_multipart()
                if frames[-2] == header_for(want):
                    return msgspec.msgpack.decode(frames[-1])
                assert not frames[-2].startswith(b"ERROR/"), msgspec.msgpack.decode(frames[-1])
        raise TimeoutError(f"no {want} within {timeout_s}s")


def test_a_session_played_from_the_examples_gets_exactly_the_documented_messages(
    zctx: zmq.Context[zmq.Socket[bytes]], endpoints: Endpoints, running_gateway: Gateway
) -> None:
    hello = find(MsgType.HELLO, "platform>gateway").payload
    adapter = Dealer(zctx, endpoints.platform, hello["name"].encode())
    adapter.send(MsgType.HELLO, hello)
    welcome = adapter.recv(MsgType.WELCOME)
    same_keys(find(MsgType.WELCOME, "gateway>platform").payload, welcome)
    nq = next(s["symbol"] for s in welcome["subscriptions"] if s["root"] == "NQ")
    key = welcome["roots_key"]
    assert key, "the gateway names its subscriptions, for ticks sent by root"
    quotes = [[s["symbol"], 100.0, 100.25, 100.25, 1.0, time.time_ns()] for s in welcome["subscriptions"]]
    adapter.send(MsgType.MARKET_DATA, {"ticks": quotes})

    engine = Dealer(zctx, endpoints.nexus, b"doc-engine")
    engine.send(MsgType.HELLO, find(MsgType.HELLO, "engine>gateway").payload)
    same_keys(find(MsgType.WELCOME, "gateway>engine").payload, engine.recv(MsgType.WELCOME))
    same_keys(find(MsgType.HEARTBEAT, "gateway>engine").payload, engine.recv(MsgType.HEARTBEAT))
    adapter.send(MsgType.HEARTBEAT, find(MsgType.HEARTBEAT, "platform>gateway").payload)

    market = find(MsgType.MARKET_DATA, "platform>gateway").payload  # ticks by root, with the WELCOME's key
    tick = market["ticks"][0]
    adapter.send(MsgType.MARKET_DATA, market | {"ticks": [["NQ", *tick[1:5], time.time_ns()]], "roots_key": key})
    same_keys(find(MsgType.MARKET_DATA, "gateway>engine").payload, engine.recv(MsgType.MARKET_DATA))
    adapter.send(MsgType.MARKET_DATA, {"ticks": [[nq, *tick[1:5], time.time_ns()]]})  # by platform symbol
    same_keys(find(MsgType.MARKET_DATA, "gateway>engine").payload, engine.recv(MsgType.MARKET_DATA))

    signal = find(MsgType.SIGNAL, "engine>gateway").payload
    engine.send(MsgType.SIGNAL, signal)
    update = engine.recv(MsgType.ORDER_UPDATE)
    assert update["client_id"] == signal["client_id"] and update["status"] == "SENT", update
    same_keys(find(MsgType.ORDER_UPDATE, "gateway>engine").payload, update)
    order = adapter.recv(MsgType.ORDER)
    same_keys(find(MsgType.ORDER, "gateway>platform").payload, order)

    leg_update = find(MsgType.ORDER_UPDATE, "platform>gateway").payload
    adapter.send(MsgType.ORDER_UPDATE, leg_update | {"leg_id": order["leg_id"], "status": "ACCEPTED", "seq": 1})
    same_keys(find(MsgType.ACK, "gateway>platform").payload, adapter.recv(MsgType.ACK))
    fill = find(MsgType.FILL, "platform>gateway").payload
    adapter.send(MsgType.FILL, fill | {"leg_id": order["leg_id"], "qty": order["qty"], "seq": 2})
    aggregated = engine.recv(MsgType.FILL)
    assert aggregated["filled_qty"] == order["qty"] and isinstance(aggregated["filled_qty"], float)
    same_keys(find(MsgType.FILL, "gateway>engine").payload, aggregated)
    engine.send(MsgType.ACK, find(MsgType.ACK, "engine>gateway").payload | {"ref": aggregated["order_id"]})

    for i, example in enumerate(EXAMPLES):
        if "request-for-next" in example.flags:
            answer = EXAMPLES[i + 1]
            engine.send(example.msg_type, example.payload)
            got = engine.recv(answer.msg_type) if answer.msg_type is not MsgType.ERROR else _error(engine)
            same_keys(answer.payload, got)
            for key in answer.exact:
                assert got[key] == answer.payload[key], f"docs/protocol.md line {answer.line}: {key} differs"

    admin = Dealer(zctx, endpoints.admin, None)
    admin.send(MsgType.ADMIN, find(MsgType.ADMIN, "operator>gateway").payload, b"")
    status = admin.recv(MsgType.STATUS, beat=False)
    assert status["ok"] is True
    same_keys(find(MsgType.STATUS, "gateway>operator").payload, status)


def _error(engine: Dealer) -> dict[str, Any]:
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        if engine.sock.poll(50):
            header, payload = engine.sock.recv_multipart()
            if header == header_for(MsgType.ERROR):
                return msgspec.msgpack.decode(payload)
    raise TimeoutError("no ERROR")


def test_every_counter_in_status_counts_is_documented() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "nexus_gw").rglob("*.py"))
    counters = set(re.findall(r'counters\["([a-z_]+)"\]', source))
    doc = DOC.read_text()
    table = doc[doc.index("`counts` holds only the counters") :]
    missing = sorted(c for c in counters if f"`{c}`" not in table)
    assert not missing, f"counters missing from the counts table of docs/protocol.md: {missing}"


def test_errors_answer_with_every_field(running_gateway: Gateway) -> None:
    assert set(msgspec.structs.asdict(m.Error(code="X", message="y"))) == {"code", "message", "ref", "ts_ns"}
