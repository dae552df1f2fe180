from __future__ import annotations

import msgpack

from nexus_gw.client.core import ClientCore
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus, Side


def update(
    status: OrderStatus, final: bool, legs: int = 1, client_id: str = "c1", reason: str = ""
) -> tuple[bytes, bytes]:
    leg_reports = [
        m.LegReport(platform="nt8", symbol="NQ 03-25", leg_id="o1.nt8", qty=1, filled_qty=0, status=status)
    ] * legs
    return codec.encode(
        MsgType.ORDER_UPDATE,
        m.OrderUpdate(
            order_id="o1",
            client_id=client_id,
            symbol="NQ",
            side=Side.BUY,
            status=status,
            qty=1,
            final=final,
            legs=leg_reports,
            reason=reason,
        ),
    )


def test_signal_frames_carry_the_client_id_and_fields() -> None:
    core = ClientCore(name="t")
    cid, (header, payload) = core.signal(
        "NQ", 1.0, 0.85, qty=1, client_id="abc", mqscore={"composite": 0.7, "noise": 0.2}
    )
    assert cid == "abc" and header == b"SIGNAL/1"
    data = msgpack.unpackb(payload)
    assert data["symbol"] == "NQ" and data["mqscore"] == {"composite": 0.7, "noise": 0.2}


def test_symbol_with_working_order_is_skipped_until_final_update() -> None:
    core = ClientCore()
    core.signal("NQ", 1, 0.9, client_id="c1")
    events, outcomes = core.receive(*update(OrderStatus.SENT, final=False))
    assert outcomes[0].order_id == "o1" and events[0].kind == "order_status"
    assert core.signal("NQ", 1, 0.9) is None
    core.receive(*update(OrderStatus.FILLED, final=True))
    assert core.signal("NQ", 1, 0.9) is not None


def test_refusal_resolves_pending_signal_with_reason_and_no_order() -> None:
    core = ClientCore()
    core.signal("NQ", 1, 0.9, client_id="c1")
    _, outcomes = core.receive(*update(OrderStatus.REJECTED, final=True, legs=0, reason="DUPLICATE_SYMBOL: busy"))
    assert outcomes[0].order_id is None and outcomes[0].refusal.startswith("DUPLICATE_SYMBOL")
    assert "NQ" not in core.active_by_symbol


def test_error_with_client_id_resolves_that_signal_only() -> None:
    core = ClientCore()
    core.signal("XX", 1, 0.9, client_id="c1")
    core.signal("NQ", 1, 0.9, client_id="c2")
    _, outcomes = core.receive(*codec.encode(MsgType.ERROR, m.Error(code="UNKNOWN_SYMBOL", message="XX?", ref="c1")))
    assert [o.client_id for o in outcomes] == ["c1"]
    assert "c2" in core.pending


def test_unknown_peer_error_asks_for_a_new_hello() -> None:
    core = ClientCore()
    core.receive(
        *codec.encode(MsgType.WELCOME, m.Welcome(gateway="g", version="1", profile="dev", heartbeat_interval_s=1))
    )
    assert core.welcome is not None
    core.receive(*codec.encode(MsgType.ERROR, m.Error(code="UNKNOWN_PEER", message="hello first")))
    assert core.welcome is None


def test_market_data_becomes_plan_style_dicts() -> None:
    core = ClientCore()
    events, _ = core.receive(
        *codec.encode(
            MsgType.MARKET_DATA, m.MarketData(platform="sierra", ticks=[m.Tick("NQ", 1.0, 1.25, 1.25, 2, 99)])
        )
    )
    assert events[0].data == {
        "symbol": "NQ",
        "price": 1.25,
        "bid": 1.0,
        "ask": 1.25,
        "last": 1.25,
        "size": 2,
        "timestamp_ns": 99,
        "platform": "sierra",
    }


def test_market_data_an_adapter_sent_by_root_and_the_gateway_forwarded_as_it_came_decodes_alike() -> None:
    md = m.MarketData(platform="nt8", ticks=[m.Tick("ES", 5.0, 5.25, 5.25, 1, 7)], roots_key="5bd96fa9.1")
    events, _ = ClientCore().receive(*codec.encode(MsgType.MARKET_DATA, md))
    assert [(e.kind, e.data["symbol"], e.data["platform"], e.data["timestamp_ns"]) for e in events] == [
        ("market_data", "ES", "nt8", 7)
    ]


def test_garbage_from_gateway_becomes_an_error_event_not_a_crash() -> None:
    events, _ = ClientCore().receive(b"NOPE/1", b"")
    assert events[0].kind == "error"


def fill(order_id: str = "o1", symbol: str = "NQ", revision: int = 0) -> tuple[bytes, bytes]:
    return codec.encode(
        MsgType.FILL,
        m.FillReport(
            order_id=order_id,
            client_id="c1",
            symbol=symbol,
            side=Side.BUY,
            qty=1,
            filled_qty=1,
            avg_price=100.0,
            status=OrderStatus.FILLED,
            legs=[],
            revision=revision,
        ),
    )


def acks(core: ClientCore) -> list[tuple[str, str]]:
    sent = [codec.Decoder(codec.NEXUS_TO_GATEWAY).decode(*frames)[1] for frames in core.outgoing]
    core.outgoing.clear()
    return [(a.kind, a.ref) for a in sent]


def test_a_fill_is_acknowledged_only_after_its_callback_returned() -> None:
    core = ClientCore()
    events, _ = core.receive(*fill())
    assert [e.kind for e in events] == ["fill"] and acks(core) == []  # not before the callback ran
    assert core.receive(*fill())[0] == [] and acks(core) == []  # a copy while the callback runs: left to it
    assert core.settle(events[0], ok=False) is None  # the callback raised: no ack, delivered again
    events, _ = core.receive(*fill())
    assert [e.kind for e in events] == ["fill"]
    ack = core.settle(events[0], ok=True)
    assert ack is not None and codec.Decoder(codec.NEXUS_TO_GATEWAY).decode(*ack)[1] == m.Ack(kind="FILL", ref="o1")
    assert core.receive(*fill())[0] == [] and acks(core) == [("FILL", "o1")]  # handled: acknowledged at once


def test_a_corrected_fill_is_a_new_delivery_acknowledged_with_its_revision() -> None:
    core = ClientCore()
    first, _ = core.receive(*fill())
    core.settle(first[0], ok=True)
    corrected, _ = core.receive(*fill(revision=1))  # a late fill changed the finished order
    assert [e.kind for e in corrected] == ["fill"] and corrected[0].data["revision"] == 1
    ack = core.settle(corrected[0], ok=True)
    assert ack is not None and codec.Decoder(codec.NEXUS_TO_GATEWAY).decode(*ack)[1] == m.Ack(kind="FILL", ref="o1#1")
    assert core.receive(*fill(revision=1))[0] == [] and acks(core) == [("FILL", "o1#1")]
    assert core.receive(*fill())[0] == [] and acks(core) == [("FILL", "o1")]


def test_a_final_update_is_acknowledged_after_its_callback_and_delivered_once() -> None:
    core = ClientCore()
    events, _ = core.receive(*update(OrderStatus.CANCELLED, final=True))
    assert acks(core) == [] and events[0].ack == ("ORDER_UPDATE", "o1")
    assert core.settle(events[0], ok=True) is not None
    events, _ = core.receive(*update(OrderStatus.CANCELLED, final=True))
    assert events == [] and acks(core) == [("ORDER_UPDATE", "o1")]


def test_a_fill_releases_the_root_when_the_final_update_was_lost() -> None:
    core = ClientCore()
    core.signal("NQ", 1, 0.9, client_id="c1")
    core.receive(*update(OrderStatus.SENT, final=False))
    assert core.signal("NQ", 1, 0.9) is None
    core.receive(*fill())
    assert core.signal("NQ", 1, 0.9) is not None


def welcome(working: list[str] | None) -> tuple[bytes, bytes]:
    return codec.encode(
        MsgType.WELCOME, m.Welcome(gateway="g", version="1", profile="dev", heartbeat_interval_s=1, working=working)
    )


def test_a_welcome_that_no_longer_lists_an_order_releases_its_root() -> None:
    core = ClientCore()
    core.signal("NQ", 1, 0.9, client_id="c1")
    core.receive(*update(OrderStatus.SENT, final=False))
    core.receive(*welcome(["o1"]))
    assert core.signal("NQ", 1, 0.9) is None  # still working at the gateway
    core.receive(*welcome(None))
    assert core.signal("NQ", 1, 0.9) is None  # an older gateway says nothing about it
    core.receive(*welcome([]))
    assert core.signal("NQ", 1, 0.9) is not None


def test_hello_says_which_messages_the_engine_acknowledges() -> None:
    hello = codec.Decoder(codec.NEXUS_TO_GATEWAY).decode(*ClientCore().hello())[1]
    assert set(hello.acks) == {"FILL", "ORDER_UPDATE"}
