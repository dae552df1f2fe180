"""A market-data batch is applied once, as if tick by tick: marks, reference quote, risk freshness and FX come from
each root's last tick; every known tick reaches the engines under its root, in order; unknown ones are counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pytest

from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.server.gateway import Gateway
from tests.conftest import RawPeer

pytestmark = pytest.mark.integration

PlatformFactory = Callable[[str], tuple[RawPeer, m.Welcome]]


@pytest.mark.parametrize("named_by", ["platform symbol", "root"])
def test_a_batch_marks_quotes_and_rates_from_each_roots_last_tick_and_forwards_every_known_tick(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway, named_by: str
) -> None:
    brazil, welcome = platform_peer_factory("mt5_brazil")
    symbol = {s.root: s.symbol for s in welcome.subscriptions}
    brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=[m.Tick(symbol["WDO"], 5493.5, 5494.5, 5494.0, 1, 0)]))
    nexus_peer.send(MsgType.SIGNAL, m.Signal(client_id="hold", symbol="WIN", signal=1.0, confidence=0.9, qty=1))
    _, order = brazil.recv()
    brazil.send(MsgType.FILL, m.LegFill(leg_id=order.leg_id, fill_id="hold-1", qty=1, price=128000.0))
    nexus_peer.recv_until(lambda t, _: t is MsgType.FILL)  # a WIN position is held: it is marked
    unknown_before = running_gateway.counters["market_data_unknown_symbol"]

    batch = [
        m.Tick(symbol["WIN"], 128005.0, 128015.0, 128010.0, 1, 1),
        m.Tick("NOT-SUBSCRIBED", 1.0, 2.0, 1.5, 1, 2),
        m.Tick(symbol["WDO"], 5499.5, 5500.5, 5500.0, 1, 3),
        m.Tick(symbol["WDO"], 5509.5, 5510.5, 5510.0, 1, 4),
        m.Tick(symbol["WIN"], 128015.0, 128025.0, 128020.0, 1, 5),
        m.Tick(symbol["WIN"], 128020.0, 128030.0, 0.0, 0, 6),  # a quote without a trade price
    ]
    if named_by == "root":  # as adapters send it: by root, with the key of their WELCOME
        for tick in batch:
            tick.symbol = {v: k for k, v in symbol.items()}.get(tick.symbol, tick.symbol)
        brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=batch, roots_key=welcome.roots_key))
    else:
        brazil.send(MsgType.MARKET_DATA, m.MarketData(ticks=batch))
    forwarded = nexus_peer.recv_until(
        lambda t, msg: t is MsgType.MARKET_DATA and any(tick.ts_ns == 6 for tick in msg.ticks), skip=()
    )[-1][1]

    assert forwarded.platform == "mt5_brazil"
    assert [(t.symbol, t.last, t.ts_ns) for t in forwarded.ticks] == [
        ("WIN", 128010.0, 1),
        ("WDO", 5500.0, 3),
        ("WDO", 5510.0, 4),
        ("WIN", 128020.0, 5),
        ("WIN", 0.0, 6),
    ]
    assert running_gateway.counters["market_data_unknown_symbol"] == unknown_before + 1
    view = running_gateway.ledger.positions.position("mt5_brazil", "WIN")
    assert view.mark == 128020.0  # the last trade price: a quote without one leaves the mark where it was
    quote = running_gateway.ledger.quotes["WIN"]
    assert (quote.platform, quote.bid, quote.ask, quote.last) == ("mt5_brazil", 128020.0, 128030.0, 0.0)
    assert running_gateway.risk.last_prices["WIN"] == 0.0 and running_gateway.risk.last_prices["WDO"] == 5510.0
    assert {"WIN", "WDO"} <= set(running_gateway.risk.engine.ctx.market_data_seen)
    rate = running_gateway.fx.rate("USD", "BRL", datetime.now(UTC))
    assert rate.rate == Decimal("5.51")  # the batch's last WDO price


def _raw_market_data(engine: RawPeer, last_ts_ns: int, timeout_s: float = 5.0) -> bytes:
    """The payload of the first MARKET_DATA whose last tick has ``last_ts_ns``, as the engine's socket got it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if engine.sock.poll(100):
            header, payload = engine.sock.recv_multipart()
            if header == b"MARKET_DATA/1" and msgspec.msgpack.decode(payload)["ticks"][-1][5] == last_ts_ns:
                return payload
        engine.send(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=time.time_ns()))
    raise TimeoutError(f"no MARKET_DATA ending with ts_ns {last_ts_ns} within {timeout_s}s")


def test_a_batch_by_root_under_the_current_key_reaches_engines_as_the_adapter_encoded_it(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    brazil, welcome = platform_peer_factory("mt5_brazil")
    assert welcome.roots_key
    ticks = [m.Tick("WIN", 128005.0, 128015.0, 128010.0, 1, 11), m.Tick("WDO", 5499.5, 5500.5, 5500.0, 1, 12)]
    md = m.MarketData(platform="mt5_brazil", ticks=ticks, roots_key=welcome.roots_key)
    header, payload = codec.encode(MsgType.MARKET_DATA, md)
    brazil.send_raw(header, payload)

    assert _raw_market_data(nexus_peer, 12) == payload  # not decoded into new objects, not encoded again
    assert running_gateway.risk.last_prices["WIN"] == 128010.0
    assert running_gateway.fx.rate("USD", "BRL", datetime.now(UTC)).rate == Decimal("5.5")


def test_a_batch_by_root_under_an_earlier_welcomes_key_or_another_platforms_name_is_not_passed_on_as_it_came(
    nexus_peer: RawPeer, platform_peer_factory: PlatformFactory, running_gateway: Gateway
) -> None:
    brazil, welcome = platform_peer_factory("mt5_brazil")
    unknown_before = running_gateway.counters["market_data_unknown_symbol"]
    stale = m.MarketData(ticks=[m.Tick("WIN", 1.0, 2.0, 1.5, 1, 21)], roots_key=welcome.roots_key + "-earlier")
    brazil.send(MsgType.MARKET_DATA, stale)  # a roll crossed it: its ticks may be of the old contract
    unnamed = m.MarketData(platform="nt8", ticks=[m.Tick("WIN", 3.0, 4.0, 3.5, 1, 22)], roots_key=welcome.roots_key)
    brazil.send(MsgType.MARKET_DATA, unnamed)

    forwarded = msgspec.msgpack.decode(_raw_market_data(nexus_peer, 22), type=m.MarketData)
    assert forwarded.platform == "mt5_brazil" and [t.ts_ns for t in forwarded.ticks] == [22]
    assert running_gateway.counters["market_data_unknown_symbol"] == unknown_before + 1
    assert running_gateway.risk.last_prices["WIN"] == 3.5


def test_every_welcome_names_its_subscriptions_anew(platform_peer_factory: PlatformFactory) -> None:
    first, welcome = platform_peer_factory("mt5_brazil")
    first.send(MsgType.HELLO, m.Hello(role="platform", name="mt5_brazil", driver="test"))
    _, again = first.recv()
    assert isinstance(again, m.Welcome) and again.roots_key not in ("", welcome.roots_key)
