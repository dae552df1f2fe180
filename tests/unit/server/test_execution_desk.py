"""The execution desk without sockets: built with a fake outbound, a real journal on a temporary SQLite file,
and the dev profile; a signal becomes legs, the legs' fills one aggregated report to the signal's engine."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from nexus_gw.config.loader import LoadedProfile, load_profile
from nexus_gw.domain.clock import SystemClock
from nexus_gw.domain.orders import Leg, Order
from nexus_gw.journal import Delivery, Journal, journal_path
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType, OrderStatus, Side
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.peers import NexusPeer, PeerTable, PlatformPeer

CONFIG = Path(__file__).resolve().parents[3] / "config"
ENGINE = b"engine-1"


class FakeOutbound:
    """Records what the desk sends; platforms in ``down`` cannot be reached, legs are held when ``holding``."""

    def __init__(self) -> None:
        self.to_platforms: list[tuple[str, MsgType, m.Message]] = []
        self.to_engines: list[tuple[str | None, MsgType, m.Message | bytes]] = []
        self.direct: list[tuple[bytes | None, MsgType, m.Message]] = []
        self.down: set[str] = set()
        self.held: list[str] = []
        self.holding = False

    def to_platform(self, name: str, msg_type: MsgType, payload: m.Message) -> bool:
        if name in self.down:
            return False
        self.to_platforms.append((name, msg_type, payload))
        return True

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        if self.holding:
            self.held.append(leg.leg_id)
        return self.holding

    def to_nexus(self, identity: bytes | None, msg_type: MsgType, payload: m.Message) -> None:
        self.direct.append((identity, msg_type, payload))

    def to_engine(
        self, name: str | None, msg_type: MsgType, payload: m.Message | bytes, delivery: Delivery | None = None
    ) -> None:
        self.to_engines.append((name, msg_type, payload))

    def orders(self) -> list[tuple[str, m.Order]]:
        return [(p, msg) for p, t, msg in self.to_platforms if t is MsgType.ORDER and isinstance(msg, m.Order)]

    def fills(self) -> list[m.FillReport]:
        found = []
        for _, msg_type, payload in self.to_engines:
            if msg_type is MsgType.FILL:
                raw = payload if isinstance(payload, bytes) else msgspec.msgpack.encode(payload)
                found.append(msgspec.msgpack.decode(raw, type=m.FillReport))
        return found


@pytest.fixture
def loaded() -> LoadedProfile:
    return load_profile("dev", CONFIG)


@pytest.fixture
def desk_parts(loaded: LoadedProfile, tmp_path: Path) -> tuple[ExecutionDesk, FakeOutbound, Counter[str]]:
    peers = PeerTable(1.0, 3)
    for name in ("nt8", "sierra"):
        peers.platforms[name] = PlatformPeer(identity=name.encode(), name=name, session=f"s-{name}")
    peers.nexus[ENGINE] = NexusPeer(identity=ENGINE, name="engine")
    ledger = Ledger(
        Journal.open(journal_path(tmp_path)),
        loaded.reference.instruments,
        lambda amount, currency: Decimal(amount) if currency == "USD" else Decimal(amount) / Decimal(5),
    )
    out, counters = FakeOutbound(), Counter[str]()
    desk = ExecutionDesk(loaded, peers, SystemClock(), out, counters, ledger)
    yield desk, out, counters
    ledger.close()


def signal(client_id: str, value: float = 1.0, qty: float = 1.0, symbol: str = "NQ") -> m.Signal:
    return m.Signal(client_id=client_id, symbol=symbol, signal=value, confidence=0.9, qty=qty)


def test_a_signal_becomes_one_leg_per_online_platform_and_their_fills_one_aggregated_fill(
    desk_parts: tuple[ExecutionDesk, FakeOutbound, Counter[str]],
) -> None:
    desk, out, counters = desk_parts
    desk.on_signal(ENGINE, signal("c-1"))
    orders = out.orders()
    assert sorted(p for p, _ in orders) == ["nt8", "sierra"]
    assert all(o.side is Side.BUY and o.qty == 1 for _, o in orders)
    assert len({o.order_id for _, o in orders}) == 1
    for (platform, leg), price in zip(orders, (100.0, 102.0), strict=True):
        desk.on_leg_update(platform, m.LegUpdate(leg_id=leg.leg_id, status=OrderStatus.ACCEPTED))
        desk.on_leg_fill(platform, m.LegFill(leg_id=leg.leg_id, fill_id=f"f-{platform}", qty=1, price=price))
    fills = out.fills()
    assert len(fills) == 1, out.to_engines
    fill = fills[0]
    assert fill.client_id == "c-1" and fill.status is OrderStatus.FILLED
    assert fill.filled_qty == fill.qty and fill.avg_price == pytest.approx(101.0)
    assert sorted(leg.platform for leg in fill.legs) == ["nt8", "sierra"]
    assert all(name == "engine" for name, _, _ in out.to_engines)  # only the order's owner hears of it
    assert counters["leg_fills"] == 2


def test_a_repeated_fill_is_counted_once_and_reports_nothing_more(
    desk_parts: tuple[ExecutionDesk, FakeOutbound, Counter[str]],
) -> None:
    desk, out, counters = desk_parts
    desk.on_signal(ENGINE, signal("c-2"))
    platform, leg = out.orders()[0]
    desk.on_leg_fill(platform, m.LegFill(leg_id=leg.leg_id, fill_id="same", qty=1, price=100.0))
    reported = len(out.to_engines)
    desk.on_leg_fill(platform, m.LegFill(leg_id=leg.leg_id, fill_id="same", qty=1, price=100.0))
    assert counters["duplicate_fills"] == 1 and len(out.to_engines) == reported


def test_a_resent_client_id_is_answered_with_the_same_order_and_sends_no_new_leg(
    desk_parts: tuple[ExecutionDesk, FakeOutbound, Counter[str]],
) -> None:
    desk, out, counters = desk_parts
    desk.on_signal(ENGINE, signal("c-3"))
    sent = len(out.orders())
    desk.on_signal(ENGINE, signal("c-3"))
    assert len(out.orders()) == sent and counters["duplicate_signals"] == 1
    answer = [p for i, t, p in out.direct if i == ENGINE and t is MsgType.ORDER_UPDATE]
    assert answer and isinstance(answer[-1], m.OrderUpdate) and answer[-1].client_id == "c-3"


def test_an_unreachable_platform_leg_is_held_when_the_outbound_holds_it_else_rejected(
    desk_parts: tuple[ExecutionDesk, FakeOutbound, Counter[str]],
) -> None:
    desk, out, _ = desk_parts
    out.down = {"sierra"}
    out.holding = True
    desk.on_signal(ENGINE, signal("c-4"))
    order = desk.book.orders[desk.book.by_client["c-4"]]
    held = [leg for leg in order.legs.values() if leg.platform == "sierra"]
    assert [leg.leg_id for leg in held] == out.held and held[0].status is OrderStatus.NEW
    out.holding = False
    desk.on_signal(ENGINE, signal("c-5", symbol="ES"))
    order = desk.book.orders[desk.book.by_client["c-5"]]
    rejected = [leg for leg in order.legs.values() if leg.platform == "sierra"]
    assert rejected and rejected[0].status is OrderStatus.REJECTED and "unreachable" in rejected[0].reason


def test_a_refused_signal_answers_its_engine_with_an_error_naming_the_field(
    desk_parts: tuple[ExecutionDesk, FakeOutbound, Counter[str]],
) -> None:
    desk, out, _ = desk_parts
    desk.on_signal(ENGINE, signal("c-6", value=0.0))
    errors = [p for i, t, p in out.direct if t is MsgType.ERROR]
    assert len(errors) == 1 and isinstance(errors[0], m.Error)
    assert errors[0].ref == "c-6" and "signal is 0" in errors[0].message
    assert out.orders() == []
