"""Contract rolls in the running gateway: re-subscribe every platform to the new front contract, journal the
roll with the positions left in the expiring contract, and roll them when ``trading.roll_positions: auto``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nexus_gw.protocol.constants import MsgType

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway

log = logging.getLogger(__name__)


def check_rolls(gw: Gateway) -> None:
    """At a roll time: new legs already resolve to the next contract; re-subscribe every platform."""
    events = gw.rolls.check(gw.clock.now())
    if not events:
        return
    for event in events:
        log.warning("ROLL %s: %s -> %s at %s", event.root, event.old, event.new, event.at.isoformat())
        gw.counters["rolls"] += 1
        open_positions = {p.platform: p.qty for p in gw.ledger.positions.positions() if p.root == event.root and p.qty}
        record = {
            "root": event.root,
            "from": event.old,
            "to": event.new,
            "at": event.at.isoformat(),
            "positions_in_expiring_contract": open_positions,
        }
        gw.roll_log.append(record)
        gw.ledger.event("roll", record, event.at)
        if open_positions:
            log.warning(
                "positions in expiring %s still open: %s; roll them or close them",
                event.old,
                ", ".join(f"{k} {v:+g}" for k, v in open_positions.items()),
            )
    old_symbols = {
        name: {root: symbol for symbol, root in peer.symbols.items()} for name, peer in gw.peers.platforms.items()
    }
    for peer in list(gw.peers.platforms.values()):
        if peer.alive:
            subscriptions = gw._subscriptions(peer.name)
            peer.symbols = {s.symbol: s.root for s in subscriptions}
            gw._send(gw.platform_sock, peer.identity, MsgType.WELCOME, gw._welcome(subscriptions))
    if gw.profile.trading.roll_positions == "auto":
        for event in events:
            roll_positions(gw, event.root, event.new, old_symbols)


def roll_positions(gw: Gateway, root: str, new_code: str, old_symbols: dict[str, dict[str, str]]) -> None:
    now = gw.clock.now()
    for position in gw.ledger.positions.positions():
        if position.root != root or not position.qty:
            continue
        platform = position.platform
        old = old_symbols.get(platform, {}).get(root)
        new = gw.symbols.resolve(root, platform, now)
        if old is None or old == new:
            continue  # a CFD (no contract) or a platform we never quoted: nothing to roll
        gw.desk.roll_position(root, platform, old, new, position.qty, new_code)
