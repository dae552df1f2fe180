"""The signal engine's side of the protocol, without any I/O.

Both ``NexusGatewayInterface`` (threads) and ``AsyncNexusGateway`` (asyncio) feed received frames to
``ClientCore.receive`` and send the frames it builds. The core keeps what they share: the HELLO,
the mirror of duplicate prevention (one working order per symbol), the pending signals awaiting an
answer, and the translation of messages into plain dicts for callbacks.

A root is released on anything that says its order ended: the final ORDER_UPDATE, the FILL, or a
WELCOME whose ``working`` list no longer names the order. None of them alone blocks a root for good.

FILLs and final ORDER_UPDATEs are acknowledged only after the application's callback returned
(``settle``): a callback that raises, or an engine that dies before it returns, leaves the message
unacknowledged and the gateway delivers it again (every few seconds, and after each HELLO). Within one
process each is delivered to the callback once at a time and never again once its callback completed;
after an engine restart, one whose callback never completed is delivered again (at least once to the
callback, acknowledged once it completed).
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
from nexus_gw.protocol.refs import delivery_ref

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
    """Something for the application: kind is market_data, order_status, fill, error or welcome.

    ``ack`` is what to send once the callback has returned (``ClientCore.settle``), for messages the
    gateway resends until acknowledged."""

    kind: str
    data: dict[str, Any]
    ack: tuple[str, str] | None = None  # (ACK kind, order id)


@dataclass
class ClientCore:
    name: str = "nexus"
    session: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    active_by_symbol: dict[str, str] = field(default_factory=dict)
    pending: dict[str, Frames] = field(default_factory=dict)
    welcome: m.Welcome | None = None
    fills_seen: set[str] = field(default_factory=set)  # refs of fills whose callback completed (acknowledged)
    finals_seen: set[str] = field(default_factory=set)  # refs of final updates whose callback completed
    in_callback: set[tuple[str, str]] = field(default_factory=set)  # (kind, order id) handed to a callback
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
            MsgType.HELLO,
            m.Hello(
                role="nexus",
                name=self.name,
                session=self.session,
                version=__version__,
                acks=[MsgType.FILL.value, MsgType.ORDER_UPDATE.value],
            ),
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
            self._release(msg.symbol, msg.order_id)  # a FILL is only sent for a finished order
            ref = delivery_ref(msg.order_id, msg.revision)  # a correction (revision > 0) is a new delivery
            event = self._once(MsgType.FILL.value, ref, self.fills_seen, Event("fill", as_dict(msg)))
            return ([event] if event else []), []
        if isinstance(msg, m.Error):
            return self._on_error(msg)
        if isinstance(msg, m.Welcome):
            self.welcome = msg
            if msg.working is not None:  # orders of ours the gateway no longer works: they ended
                for symbol, order_id in list(self.active_by_symbol.items()):
                    if order_id not in msg.working:
                        log.info("order %s no longer works at the gateway: %s released", order_id, symbol)
                        del self.active_by_symbol[symbol]
            return [Event("welcome", as_dict(msg))], []
        return [], []  # heartbeat: liveness only

    def _release(self, symbol: str, order_id: str) -> None:
        if self.active_by_symbol.get(symbol) == order_id:
            del self.active_by_symbol[symbol]

    def _once(self, kind: str, order_id: str, done: set[str], event: Event) -> Event | None:
        """The event for a message the gateway resends until acknowledged, or None for a copy: one already
        handled is acknowledged again at once, one still in a callback is left to that callback."""
        if order_id in done:
            self.outgoing.append(codec.encode(MsgType.ACK, m.Ack(kind=kind, ref=order_id)))
            return None
        if (kind, order_id) in self.in_callback:
            return None
        self.in_callback.add((kind, order_id))
        event.ack = (kind, order_id)
        return event

    def settle(self, event: Event, ok: bool) -> Frames | None:
        """The callback of ``event`` returned (``ok``) or raised: the ACK to send now, if any.

        Not acknowledged after a failure: the gateway delivers the message again (on the next HELLO)."""
        if event.ack is None:
            return None
        kind, order_id = event.ack
        self.in_callback.discard(event.ack)
        if not ok:
            log.error(
                "%s callback for order %s raised: not acknowledged, the gateway will deliver it again",
                event.kind,
                order_id,
            )
            return None
        (self.fills_seen if kind == MsgType.FILL.value else self.finals_seen).add(order_id)
        return codec.encode(MsgType.ACK, m.Ack(kind=kind, ref=order_id))

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
                self._release(msg.symbol, msg.order_id)
            elif msg.order_id not in self.fills_seen and msg.order_id not in self.finals_seen:
                self.active_by_symbol[msg.symbol] = msg.order_id
        if msg.final and msg.legs:  # resent by the gateway until acknowledged
            event = self._once(
                MsgType.ORDER_UPDATE.value,
                delivery_ref(msg.order_id, msg.revision),
                self.finals_seen,
                Event("order_status", as_dict(msg)),
            )
            return ([event] if event else []), outcomes
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
