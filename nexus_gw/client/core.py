"""The signal engine's side of the protocol, without any I/O.

Both ``NexusGatewayInterface`` (threads) and ``AsyncNexusGateway`` (asyncio) feed received frames to
``ClientCore.receive`` and send the frames it builds. The core keeps what they share: the HELLO,
the mirror of duplicate prevention (one working order per symbol, released on the final update),
the pending signals awaiting an answer, and the translation of messages into plain dicts for callbacks.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import msgspec

from nexus_gw import __version__
from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus, OrderType

log = logging.getLogger(__name__)

Frames = tuple[bytes, bytes]


@dataclass
class Outcome:
    """How the gateway answered a signal: an order id, or a refusal reason."""

    client_id: str
    order_id: str | None = None
    refusal: str = ""


@dataclass
class Event:
    """Something for the application: kind is market_data, order_status, fill, error or welcome."""

    kind: str
    data: dict[str, Any]


@dataclass
class ClientCore:
    name: str = "nexus"
    session: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    active_by_symbol: dict[str, str] = field(default_factory=dict)
    pending: dict[str, Frames] = field(default_factory=dict)
    welcome: m.Welcome | None = None
    fills_seen: set[str] = field(default_factory=set)
    outgoing: list[Frames] = field(default_factory=list)  # acknowledgements the transport must send

    def __post_init__(self) -> None:
        self._decoder = codec.Decoder(codec.GATEWAY_TO_NEXUS)

    @property
    def identity(self) -> bytes:
        return f"{self.name}-{self.session}".encode()

    @property
    def heartbeat_interval_s(self) -> float:
        """The gateway's heartbeat interval once welcomed (1 s before)."""
        return self.welcome.heartbeat_interval_s if self.welcome else 1.0

    def hello(self) -> Frames:
        return codec.encode(
            MsgType.HELLO, m.Hello(role="nexus", name=self.name, session=self.session, version=__version__)
        )

    def heartbeat(self, ts_ns: int) -> Frames:
        return codec.encode(MsgType.HEARTBEAT, m.Heartbeat(ts_ns=ts_ns))

    def signal(
        self,
        symbol: str,
        signal: float,
        confidence: float,
        qty: float | None = None,
        mqscore: dict[str, float] | None = None,
        client_id: str | None = None,
        order_type: str = "MARKET",
        limit_price: float | None = None,
        stop_price: float | None = None,
        ts_ns: int = 0,
    ) -> tuple[str, Frames] | None:
        """Frames of a SIGNAL, or None when ``symbol`` already has a working order (skip early)."""
        active = self.active_by_symbol.get(symbol)
        if active is not None and client_id not in self.pending:
            log.info("signal for %s skipped: order %s still working", symbol, active)
            return None
        client_id = client_id or uuid.uuid4().hex
        payload = m.Signal(
            client_id=client_id,
            symbol=symbol,
            signal=float(signal),
            confidence=float(confidence),
            qty=None if qty is None else float(qty),
            order_type=OrderType(order_type),
            limit_price=limit_price,
            stop_price=stop_price,
            mqscore=m.MQScore(**mqscore) if mqscore else None,
            ts_ns=ts_ns,
        )
        frames = codec.encode(MsgType.SIGNAL, payload)
        self.pending[client_id] = frames
        return client_id, frames

    def cancel_all(self, symbol: str = "") -> Frames:
        return codec.encode(MsgType.CANCEL, m.Cancel(all=True, symbol=symbol))

    def cancel(self, order_or_client_id: str) -> Frames:
        known_order = order_or_client_id in self.active_by_symbol.values()
        cancel = m.Cancel(order_id=order_or_client_id) if known_order else m.Cancel(client_id=order_or_client_id)
        return codec.encode(MsgType.CANCEL, cancel)

    def receive(self, header: bytes, payload: bytes) -> tuple[list[Event], list[Outcome]]:
        """Decode one message; return events for callbacks and outcomes of pending signals."""
        try:
            _, msg = self._decoder.decode(header, payload)
        except ProtocolError as exc:
            log.error("bad message from gateway: %s", exc)
            return [Event("error", {"code": exc.code, "message": str(exc), "ref": ""})], []
        if isinstance(msg, m.MarketData):
            return [Event("market_data", _tick_dict(t, msg.platform)) for t in msg.ticks], []
        if isinstance(msg, m.OrderUpdate):
            return self._on_order_update(msg)
        if isinstance(msg, m.FillReport):
            # Acknowledge every copy (the gateway resends until it hears this); deliver each order's fill once.
            self.outgoing.append(codec.encode(MsgType.ACK, m.Ack(kind="FILL", ref=msg.order_id)))
            if msg.order_id in self.fills_seen:
                return [], []
            self.fills_seen.add(msg.order_id)
            return [Event("fill", as_dict(msg))], []
        if isinstance(msg, m.Error):
            return self._on_error(msg)
        if isinstance(msg, m.Welcome):
            self.welcome = msg
            return [Event("welcome", as_dict(msg))], []
        return [], []  # heartbeat: liveness only

    def _on_order_update(self, msg: m.OrderUpdate) -> tuple[list[Event], list[Outcome]]:
        outcomes = []
        if msg.client_id in self.pending:
            del self.pending[msg.client_id]
            if msg.final and msg.status is OrderStatus.REJECTED and not msg.legs:
                outcomes.append(Outcome(msg.client_id, None, msg.reason))
            else:
                outcomes.append(Outcome(msg.client_id, msg.order_id))
        if msg.legs:
            if msg.final:
                if self.active_by_symbol.get(msg.symbol) == msg.order_id:
                    del self.active_by_symbol[msg.symbol]
            else:
                self.active_by_symbol[msg.symbol] = msg.order_id
        return [Event("order_status", as_dict(msg))], outcomes

    def _on_error(self, msg: m.Error) -> tuple[list[Event], list[Outcome]]:
        outcomes = []
        if msg.code == ErrorCode.UNKNOWN_PEER:
            self.welcome = None
        elif msg.ref in self.pending:
            del self.pending[msg.ref]
            outcomes.append(Outcome(msg.ref, None, f"{msg.code}: {msg.message}"))
        log.warning("gateway error %s: %s", msg.code, msg.message)
        return [Event("error", as_dict(msg))], outcomes


def as_dict(obj: Any) -> Any:
    """A message as plain dicts and lists with every field present (defaults included)."""
    if isinstance(obj, msgspec.Struct):
        return {name: as_dict(getattr(obj, name)) for name in obj.__struct_fields__}
    if isinstance(obj, list):
        return [as_dict(item) for item in obj]
    if isinstance(obj, dict):
        return {key: as_dict(value) for key, value in obj.items()}
    if isinstance(obj, Enum):
        return obj.value
    return obj


def _tick_dict(tick: m.Tick, platform: str) -> dict[str, Any]:
    return {
        "symbol": tick.symbol,
        "price": tick.last,
        "bid": tick.bid,
        "ask": tick.ask,
        "last": tick.last,
        "size": tick.size,
        "timestamp_ns": tick.ts_ns,
        "platform": platform,
    }
