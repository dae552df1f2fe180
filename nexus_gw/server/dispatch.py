"""What the gateway knows about the ORDERs it sends to platforms, beyond the journal.

- every ORDER is numbered per gateway process (``gw_epoch``, ``gw_seq``) and the adapter session it went to
  is remembered, so a platform report can be checked against what it can know (docs/journal.md,
  "Reconciliation rules");
- legs routed to a platform that could not be reached are held for its return (``domain.holding``);
- repeated conditions (an unknown execution, an unknown peer) are reported once, not once per message.

In memory only: after a restart every journaled leg counts as sent to an unknown session (see
``server.reconciliation``).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict

from nexus_gw.domain.holding import HeldLegs
from nexus_gw.domain.reconcile import SentLeg
from nexus_gw.protocol import messages as m

#: How many alerted unknown fill ids are remembered (oldest forgotten first).
ALERTED_FILLS_KEPT = 100_000
#: At most one UNKNOWN_PEER error per identity per this many seconds.
UNKNOWN_PEER_INTERVAL_S = 1.0


class Dispatch:
    def __init__(self) -> None:
        self.epoch = f"{time.time_ns():x}-{uuid.uuid4().hex[:6]}"
        self.seq = 0
        self.sent: dict[str, SentLeg] = {}
        self.held = HeldLegs()
        self.held_orders: dict[str, m.Order] = {}  # leg id -> the ORDER to send when its platform is back
        self._alerted: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._unknown_peer_next: dict[bytes, float] = {}

    def number(self, order: m.Order) -> m.Order:
        """Give an ORDER its send number once (a resend keeps it)."""
        if not order.gw_seq:
            self.seq += 1
            order.gw_seq = self.seq
            order.gw_epoch = self.epoch
        return order

    def record_sent(self, order: m.Order, session: str) -> None:
        self.sent[order.leg_id] = SentLeg(session, order.gw_seq, order.gw_epoch)

    def forget(self, leg_id: str) -> None:
        self.sent.pop(leg_id, None)

    def prune(self, live_leg_ids: set[str]) -> None:
        """Forget the send records of legs the book no longer holds (bounded memory)."""
        self.sent = {k: v for k, v in self.sent.items() if k in live_leg_ids}

    def first_alert(self, platform: str, subject: str) -> bool:
        """True the first time an alert about ``subject`` (an unknown execution, a leg in doubt…) is due for
        ``platform``: each is raised once, from a bounded memory."""
        key = (platform, subject)
        if key in self._alerted:
            return False
        self._alerted[key] = None
        if len(self._alerted) > ALERTED_FILLS_KEPT:
            self._alerted.popitem(last=False)
        return True

    def may_answer_unknown_peer(self, identity: bytes, now: float) -> bool:
        """One UNKNOWN_PEER error per identity per interval: a burst of queued messages gets one answer."""
        if now < self._unknown_peer_next.get(identity, 0.0):
            return False
        if len(self._unknown_peer_next) > 10_000:
            self._unknown_peer_next = {k: v for k, v in self._unknown_peer_next.items() if v > now}
        self._unknown_peer_next[identity] = now + UNKNOWN_PEER_INTERVAL_S
        return True
