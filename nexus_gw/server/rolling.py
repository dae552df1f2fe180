"""Contract rolls in the running gateway: re-subscribe every platform to the new front contract, journal the
roll with the positions left in the expiring contract, and roll them when ``trading.roll_positions: auto``."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from nexus_gw.domain.clock import Clock
from nexus_gw.domain.rollover import RollWatcher
from nexus_gw.domain.symbols import SymbolMapper
from nexus_gw.server.execution import ExecutionDesk
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.peers import PeerTable, PlatformPeer

log = logging.getLogger(__name__)


class Rolls:
    """Watches the front contracts; receives what it uses (never the gateway).

    ``resubscribe(peer)`` sends a platform its subscriptions again (the platform handler does it)."""

    def __init__(
        self,
        watcher: RollWatcher,
        ledger: Ledger,
        peers: PeerTable,
        desk: ExecutionDesk,
        symbols: SymbolMapper,
        clock: Clock,
        counters: Counter[str],
        resubscribe: Callable[[PlatformPeer], None],
        roll_positions: bool,
    ) -> None:
        self.watcher = watcher
        self.ledger = ledger
        self.peers = peers
        self.desk = desk
        self.symbols = symbols
        self.clock = clock
        self.counters = counters
        self.resubscribe = resubscribe
        self.roll_positions = roll_positions
        self.log: list[dict[str, str]] = []  # the rolls seen since start (status shows them)

    def check(self) -> None:
        """At a roll time: new legs already resolve to the next contract; re-subscribe every platform."""
        events = self.watcher.check(self.clock.now())
        if not events:
            return
        for event in events:
            log.warning("ROLL %s: %s -> %s at %s", event.root, event.old, event.new, event.at.isoformat())
            self.counters["rolls"] += 1
            open_positions = {
                p.platform: p.qty for p in self.ledger.positions.positions() if p.root == event.root and p.qty
            }
            record = {
                "root": event.root,
                "from": event.old,
                "to": event.new,
                "at": event.at.isoformat(),
                "positions_in_expiring_contract": open_positions,
            }
            self.log.append(record)  # type: ignore[arg-type]
            self.ledger.event("roll", record, event.at)
            if open_positions:
                log.warning(
                    "positions in expiring %s still open: %s; roll them or close them",
                    event.old,
                    ", ".join(f"{k} {v:+g}" for k, v in open_positions.items()),
                )
        old_symbols = {
            name: {root: symbol for symbol, root in peer.symbols.items()} for name, peer in self.peers.platforms.items()
        }
        for peer in list(self.peers.platforms.values()):
            if peer.alive:
                self.resubscribe(peer)
        if self.roll_positions:
            for event in events:
                self.roll(event.root, event.new, old_symbols)

    def roll(self, root: str, new_code: str, old_symbols: dict[str, dict[str, str]]) -> None:
        now = self.clock.now()
        for position in self.ledger.positions.positions():
            if position.root != root or not position.qty:
                continue
            platform = position.platform
            old = old_symbols.get(platform, {}).get(root)
            new = self.symbols.resolve(root, platform, now)
            if old is None or old == new:
                continue  # a CFD (no contract) or a platform we never quoted: nothing to roll
            self.desk.gateway_orders.roll_position(root, platform, old, new, position.qty, new_code)
