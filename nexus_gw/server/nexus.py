"""The NEXUS socket's handler: signal engines' HELLO (WELCOME with their working orders, then what they never
acknowledged), signals and cancels to the execution desk, acknowledgements of final messages."""

from __future__ import annotations

import logging
import time
from collections import Counter

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.clock import Clock
from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType
from nexus_gw.server import outbound
from nexus_gw.server.engines import EngineLink
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.peers import NexusPeer, PeerTable
from nexus_gw.server.platforms import welcome
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.wire import Wire

log = logging.getLogger(__name__)


class NexusHandler:
    def __init__(
        self,
        loaded: LoadedProfile,
        wire: Wire,
        engines: EngineLink,
        peers: PeerTable,
        desk: ExecutionDesk,
        ledger: Ledger,
        risk: RiskGate,
        clock: Clock,
        counters: Counter[str],
    ) -> None:
        self.loaded = loaded
        self.wire = wire
        self.engines = engines
        self.peers = peers
        self.desk = desk
        self.ledger = ledger
        self.risk = risk
        self.clock = clock
        self.counters = counters
        self.decoder = codec.Decoder(codec.NEXUS_TO_GATEWAY)
        #: (engine, client id) of the signals handled in the open journal pass: each is told JOURNAL_UNAVAILABLE
        #: when the pass's commit fails (the loop resets it every pass)
        self.signals_in_pass: list[tuple[bytes, str]] = []

    def on_frames(self, frames: list[bytes]) -> None:
        decoded = self.wire.decode(self.wire.nexus, frames, self.decoder)  # type: ignore[arg-type]
        if decoded is None:
            return
        _, msg = decoded
        identity = frames[0]
        now = time.monotonic()
        if isinstance(msg, m.Hello):
            self.hello(identity, msg, now)
            return
        if self.peers.seen_nexus(identity, now) is None:
            ref = msg.client_id if isinstance(msg, m.Signal) else ""
            self.wire.reply_error(
                self.wire.nexus,  # type: ignore[arg-type]
                identity,
                ProtocolError(ErrorCode.UNKNOWN_PEER, "this client has not said HELLO; send HELLO first"),
                ref,
            )
            return
        self.risk.raise_alerts(self.risk.engine.on_engine_seen(self.clock.now()))
        if isinstance(msg, m.Signal):
            self.signals_in_pass.append((identity, msg.client_id))
            self.desk.on_signal(identity, msg)
        elif isinstance(msg, m.Cancel):
            self.desk.on_cancel(identity, msg)
        elif isinstance(msg, m.Ack) and msg.kind in ("FILL", "ORDER_UPDATE"):
            self.ack(identity, msg)
        elif isinstance(msg, m.Error):
            log.error("signal engine error %s: %s", msg.code, msg.message)

    def hello(self, identity: bytes, msg: m.Hello, now: float) -> None:
        self.peers.nexus[identity] = NexusPeer(
            identity=identity, name=msg.name, session=msg.session, connected_at=now, last_seen=now
        )
        log.info("signal engine %s connected (session %s)", msg.name, msg.session)
        queue = self.engines.queues.connect(msg.name, identity, "ORDER_UPDATE" in msg.acks)
        greeting = welcome(self.loaded, [])
        greeting.working = [
            o.order_id for o in self.desk.book.working() if self.desk.owners.name_of(o.order_id) == msg.name
        ]
        queue.push_order(outbound.Item(MsgType.WELCOME, *codec.encode(MsgType.WELCOME, greeting)), front=True)
        self.resend_unacked_fills(identity)

    def ack(self, identity: bytes, msg: m.Ack) -> None:
        peer = self.peers.nexus[identity]
        if self.ledger.acknowledged(msg.ref, msg.kind, peer.name):
            self.engines.queues.get(peer.name).acked(
                msg.ref, ("FILL", "ORDER_UPDATE") if msg.kind == "FILL" else ("ORDER_UPDATE",)
            )
        else:
            self.counters["acks_not_owner"] += 1
            log.warning(
                "signal engine %s acknowledged %s of order %s it does not own: ignored", peer.name, msg.kind, msg.ref
            )

    def resend_unacked_fills(self, identity: bytes) -> None:
        """Final ORDER_UPDATEs and FILLs this engine (by name) never acknowledged, lost with a connection or
        before a restart: queued again, oldest first. Only what the engine owns (or of unknown owner)."""
        peer = self.peers.nexus[identity]
        for delivery in self.ledger.pending_for(peer.name):
            if self.engines.to_engine_delivery(peer.name, delivery):
                self.counters["fills_resent" if delivery.kind == MsgType.FILL.value else "updates_resent"] += 1
