"""Watching front contracts: which roots rolled since the last look.

The gateway asks ``RollWatcher.check(now)`` on every housekeeping pass; a roll is the moment the front
contract of a root changes (``Contract.roll_at``). Roots that do not expire (spot CFDs) never roll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nexus_gw.domain.contracts import front_contract
from nexus_gw.domain.instruments import InstrumentRegistry


@dataclass(frozen=True)
class RollEvent:
    root: str
    old: str
    new: str
    at: datetime


class RollWatcher:
    def __init__(self, instruments: InstrumentRegistry, roots: list[str], now: datetime) -> None:
        self._instruments = {r: instruments.get(r) for r in roots if instruments.get(r).is_expiring}
        self.fronts: dict[str, str] = {r: front_contract(i, now).code for r, i in self._instruments.items()}

    def check(self, now: datetime) -> list[RollEvent]:
        events = []
        for root, instrument in self._instruments.items():
            code = front_contract(instrument, now).code
            if code != self.fronts[root]:
                events.append(RollEvent(root, self.fronts[root], code, now))
                self.fronts[root] = code
        return events
