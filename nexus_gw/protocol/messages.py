"""Typed payloads of every message. Field names are the MessagePack map keys on the wire.

Unknown fields are ignored (a newer peer may add fields); a missing required field is an error that
names the field. ``Tick`` is the one array-encoded struct: market data is the hot path, and each tick is
``[symbol, bid, ask, last, size, ts_ns]`` (see docs/protocol.md).
"""

from __future__ import annotations

import sys
from typing import Annotated

import msgspec

from nexus_gw.protocol.constants import OrderStatus, OrderType, Side


class Message(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of every payload. A peer may omit optional fields (their defaults apply). What the gateway sends
    (``omit_defaults=False`` below) carries every field, defaults included, so no receiver has to guess one."""


class Capabilities(Message, kw_only=True):
    order_types: list[OrderType] = msgspec.field(
        default_factory=lambda: [OrderType.MARKET, OrderType.LIMIT, OrderType.STOP]
    )
    cancel: bool = True
    paper: bool = False


class ReportedOrder(Message, kw_only=True):
    leg_id: str
    status: OrderStatus = OrderStatus.ACCEPTED
    filled_qty: float = 0.0
    platform_order_id: str = ""
    in_doubt: bool = False
    """Sent, but the adapter never read the platform's answer and cannot yet tell whether the platform has it:
    keep the leg open (never conclude "never received"); the adapter settles it from the platform's history."""


class ReportedFill(Message, kw_only=True):
    leg_id: str
    fill_id: str
    qty: float
    price: float
    ts_ns: int = 0


class PlatformReport(Message, kw_only=True):
    """Adapter → gateway (type POSITION, or inside HELLO): what the platform itself says now — working orders
    by leg id, recent executions, and signed positions by platform symbol — for reconciliation."""

    open_orders: list[ReportedOrder] = msgspec.field(default_factory=list)
    executions: list[ReportedFill] = msgspec.field(default_factory=list)
    positions: dict[str, float] = msgspec.field(default_factory=dict)
    orders_epoch: str = ""
    """The gateway process (``Order.gw_epoch``) whose orders ``orders_through`` counts; empty: unknown."""
    orders_through: int = 0
    """The highest ``Order.gw_seq`` of that gateway the adapter had handled when it built this report."""


class ReportRequest(Message, kw_only=True, omit_defaults=False):
    """Gateway → adapter (type STATUS): send a PlatformReport now (a stuck order, or an operator's check)."""

    reason: str = ""


class Hello(Message, kw_only=True):
    """First message of a peer. ``role`` is ``platform`` (adapters on :5555) or ``nexus`` (engines on :5556)."""

    role: str
    name: str
    driver: str = ""
    session: str = ""
    version: str = ""
    capabilities: Capabilities = msgspec.field(default_factory=Capabilities)
    report: PlatformReport | None = None
    #: From an engine: the kinds of message it acknowledges (``FILL``, ``ORDER_UPDATE``). An engine that
    #: acknowledges ``ORDER_UPDATE`` gets every final ORDER_UPDATE resent until it does.
    acks: list[str] = msgspec.field(default_factory=list)


class Subscription(Message, kw_only=True, omit_defaults=False):
    """A platform symbol an adapter should stream, and the root it stands for."""

    root: str
    symbol: str
    tick_size: float = 0.0
    exchange: str = ""  # the root's exchange (CME, CBOT, B3); "" from older gateways


class Welcome(Message, kw_only=True, omit_defaults=False):
    """The gateway's answer to HELLO."""

    gateway: str
    version: str
    profile: str
    heartbeat_interval_s: float
    roots: list[str] = msgspec.field(default_factory=list)
    subscriptions: list[Subscription] = msgspec.field(default_factory=list)
    #: To an engine: the order ids of its orders still working (absent from older gateways). Any other order
    #: the engine still thinks is working has finished; its final messages follow.
    working: list[str] | None = None
    #: To an adapter: names these subscriptions. An adapter that sends its ticks under their roots (not its
    #: platform symbols) puts this key in each MARKET_DATA (``MarketData.roots_key``), and the gateway forwards
    #: the batch to engines as it is. Empty: an older gateway (send platform symbols); always empty to engines.
    roots_key: str = ""


class Heartbeat(Message, kw_only=True, omit_defaults=False):
    """Sign of life. From an adapter, ``connected`` says whether its platform connection is up."""

    ts_ns: int | float = 0  # a float (JavaScript Number) is accepted and truncated to an int by the decoder
    connected: bool | None = None
    #: From an adapter whose driver verifies symbols: what its platform said of each subscribed symbol so far
    #: (nil: not verified, e.g. an older adapter or a driver that cannot ask). Always nil from the gateway.
    symbols: list[SymbolCheck] | None = None


#: A tick's price or size: finite and not negative, checked by the decoder itself (market data is the hot path;
#: NaN fails ``ge``). ``protocol.validate`` explains a refusal field by field.
TickNumber = Annotated[float, msgspec.Meta(ge=0.0, le=sys.float_info.max)]


class Tick(msgspec.Struct, array_like=True, gc=False):
    """One quote/trade update. On the wire: ``[symbol, bid, ask, last, size, ts_ns]``."""

    symbol: str
    bid: TickNumber
    ask: TickNumber
    last: TickNumber
    size: TickNumber
    ts_ns: int


class MarketData(Message, kw_only=True, omit_defaults=False):
    """A batch of ticks. ``symbol`` is the root toward NEXUS; from an adapter it is the platform's symbol, or the
    root when ``roots_key`` is the key of the adapter's current WELCOME (the gateway then forwards the batch to
    engines as it came, encoded once)."""

    platform: str = ""
    ticks: list[Tick]
    roots_key: str = ""


class MQScore(Message, kw_only=True):
    composite: float | None = None
    noise: float | None = None


class Signal(Message, kw_only=True):
    """NEXUS → gateway: trade ``symbol`` (a root such as ``NQ``) in the direction of ``signal``."""

    client_id: str
    symbol: str
    signal: float
    confidence: float
    qty: float | None = None
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    mqscore: MQScore | None = None
    ts_ns: int = 0


class Order(Message, kw_only=True, omit_defaults=False):
    """Gateway → adapter: one leg to place at the platform, in the platform's symbol."""

    leg_id: str
    order_id: str
    symbol: str
    side: Side
    qty: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    ts_ns: int = 0
    gw_seq: int = 0
    """Per-gateway-process send number of this ORDER (0: not numbered); see ``PlatformReport.orders_through``."""
    gw_epoch: str = ""
    """Identifies the gateway process that numbered it."""


class Cancel(Message, kw_only=True, omit_defaults=False):
    """NEXUS → gateway by ``order_id`` or ``client_id`` (or ``all``: every working order, optionally of one
    ``symbol``); gateway → adapter by ``leg_id``."""

    order_id: str = ""
    client_id: str = ""
    leg_id: str = ""
    all: bool = False
    symbol: str = ""


class LegUpdate(Message, kw_only=True):
    """Adapter → gateway (type ORDER_UPDATE): the platform's state of one leg."""

    leg_id: str
    status: OrderStatus
    reason: str = ""
    platform_order_id: str = ""
    ts_ns: int = 0
    seq: int = 0


class LegFill(Message, kw_only=True):
    """Adapter → gateway (type FILL): one execution of a leg. ``fill_id`` is unique per leg."""

    leg_id: str
    fill_id: str
    qty: float
    price: float
    ts_ns: int = 0
    seq: int = 0


class LegReport(Message, kw_only=True, omit_defaults=False):
    platform: str
    symbol: str
    leg_id: str
    qty: float
    filled_qty: float
    avg_price: float | None = None
    status: OrderStatus
    reason: str = ""
    multiplier: float = 1.0
    paper: bool = False


class OrderUpdate(Message, kw_only=True, omit_defaults=False):
    """Gateway → NEXUS: the aggregate state of an order. ``final`` means no further updates will come."""

    order_id: str
    client_id: str
    symbol: str
    side: Side
    status: OrderStatus
    qty: float
    filled_qty: float = 0.0
    avg_price: float | None = None
    reason: str = ""
    final: bool = False
    legs: list[LegReport] = msgspec.field(default_factory=list)
    ts_ns: int = 0
    revision: int = 0
    """0 for an order's first final state; n for the n-th correction (a fill reported after the order had
    finished); acknowledge with ``ref = delivery_ref(order_id, revision)``."""


class FillReport(Message, kw_only=True, omit_defaults=False):
    """Gateway → NEXUS (type FILL): the one aggregated fill of a finished order."""

    order_id: str
    client_id: str
    symbol: str
    side: Side
    qty: float
    filled_qty: float
    avg_price: float
    status: OrderStatus
    legs: list[LegReport]
    currency: str = ""
    realized_pnl: float | None = None
    realized_pnl_usd: float | None = None
    pnl_note: str = ""
    position: float | None = None
    ts_ns: int = 0
    revision: int = 0
    """As in OrderUpdate: a FILL of revision n supersedes every earlier FILL of the order."""


class Ack(Message, kw_only=True, omit_defaults=False):
    """Receipt of order traffic. Adapter → gateway order (``kind`` ORDER, ``ref`` leg id); gateway → adapter
    report (``seq``); NEXUS → gateway aggregated fill (``kind`` FILL, ``ref`` order id)."""

    kind: str = ""
    ref: str = ""
    seq: int = 0


class Error(Message, kw_only=True, omit_defaults=False):
    """Either direction: what was wrong with a message the peer sent, and what to do."""

    code: str
    message: str
    ref: str = ""
    ts_ns: int = 0


class Admin(Message, kw_only=True):
    """Operator → gateway on the admin socket."""

    command: str
    args: dict[str, object] = msgspec.field(default_factory=dict)


class Status(Message, kw_only=True, omit_defaults=False):
    """Gateway → operator: the answer to an ADMIN command."""

    ok: bool
    data: dict[str, object] = msgspec.field(default_factory=dict)
    message: str = ""


class SymbolCheck(Message, kw_only=True, omit_defaults=False):
    """Whether the platform knows one subscribed symbol; ``reason`` says why not and what to change."""

    symbol: str
    known: bool
    reason: str = ""
