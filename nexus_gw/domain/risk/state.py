"""Trading states per scope and the kill switch record: plain data a journal can store and restore.

* ACTIVE: trade normally.
* REDUCING: only orders that shrink a position pass (a reversal through flat is cut to its closing part).
* HALTED: nothing passes, exits included. Cancels are not orders and are never blocked.

States are set per scope: ``global``, ``platform`` (an instance name such as ``mt5_global``) or ``symbol`` (a
canonical root such as ``NQ``). The state that applies to an order going to platform P for root R is the most
restrictive of global, P and R. The kill switch is separate and stronger: while active it refuses every order,
whatever the states say, and only :meth:`TradingStates.release_kill_switch` lifts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from nexus_gw.domain.risk.timeutil import iso, parse_aware, require_aware


class TradingState(StrEnum):
    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"

    @property
    def rank(self) -> int:
        """Restrictiveness: higher is stricter."""
        return _RANK[self]


_RANK = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


class Scope(StrEnum):
    GLOBAL = "global"
    PLATFORM = "platform"
    SYMBOL = "symbol"


@dataclass(frozen=True, slots=True)
class StateEntry:
    """A trading state set on one scope, by whom, why and when."""

    scope: Scope
    value: str | None
    state: TradingState
    who: str
    reason: str
    since: datetime

    def label(self) -> str:
        """E.g. 'symbol NQ' or 'global'."""
        return self.scope.value if self.value is None else f"{self.scope.value} {self.value}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope.value,
            "value": self.value,
            "state": self.state.value,
            "who": self.who,
            "reason": self.reason,
            "since": self.since.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StateEntry:
        return cls(
            scope=Scope(data["scope"]),
            value=data["value"],
            state=TradingState(data["state"]),
            who=str(data["who"]),
            reason=str(data["reason"]),
            since=parse_aware(data["since"], "since"),
        )


@dataclass(frozen=True, slots=True)
class KillSwitch:
    """The kill switch record. ``flatten``: the gateway also closes every position (its orders use
    ``Origin.FLATTEN``). The release fields record who lifted the last activation."""

    active: bool = False
    flatten: bool = False
    reason: str = ""
    who: str = ""
    when: datetime | None = None
    released_by: str = ""
    released_at: datetime | None = None
    release_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "flatten": self.flatten,
            "reason": self.reason,
            "who": self.who,
            "when": iso(self.when),
            "released_by": self.released_by,
            "released_at": iso(self.released_at),
            "release_reason": self.release_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KillSwitch:
        return cls(
            active=bool(data["active"]),
            flatten=bool(data.get("flatten", False)),
            reason=str(data.get("reason", "")),
            who=str(data.get("who", "")),
            when=parse_aware(data["when"], "when") if data.get("when") else None,
            released_by=str(data.get("released_by", "")),
            released_at=parse_aware(data["released_at"], "released_at") if data.get("released_at") else None,
            release_reason=str(data.get("release_reason", "")),
        )


def _check_who_reason(who: str, reason: str) -> None:
    if not who.strip():
        raise ValueError("who is empty; say who made the change (operator name or component)")
    if not reason.strip():
        raise ValueError("reason is empty; say why, it is shown in status and kept in the journal")


@dataclass(slots=True)
class TradingStates:
    """The store of scoped trading states and the kill switch. Mutated only through its methods."""

    entries: dict[tuple[Scope, str | None], StateEntry] = field(default_factory=dict)
    kill_switch: KillSwitch = field(default_factory=KillSwitch)

    def set(
        self, scope: Scope, value: str | None, state: TradingState, who: str, reason: str, now: datetime
    ) -> StateEntry:
        """Set the state of one scope; ``value`` is None for global, the platform or root name otherwise."""
        scope = Scope(scope)
        if scope is Scope.GLOBAL and value is not None:
            raise ValueError(f"global scope takes no value, got {value!r}; pass value=None")
        if scope is not Scope.GLOBAL and not value:
            raise ValueError(f"{scope.value} scope needs a value: the {scope.value} name")
        _check_who_reason(who, reason)
        entry = StateEntry(scope, value, TradingState(state), who, reason, require_aware(now))
        self.entries[(scope, value)] = entry
        return entry

    def get(self, scope: Scope, value: str | None = None) -> StateEntry | None:
        return self.entries.get((Scope(scope), value))

    def effective(self, platform: str | None, symbol: str | None) -> StateEntry | None:
        """The most restrictive entry among global, ``platform`` and ``symbol``, or None when all are ACTIVE.

        On a tie the broader scope is named (global, then symbol, then platform), so the message points at the
        switch that has the widest effect. The kill switch is not part of this; check it separately.
        """
        worst: StateEntry | None = None
        for key in ((Scope.GLOBAL, None), (Scope.SYMBOL, symbol), (Scope.PLATFORM, platform)):
            if key[0] is not Scope.GLOBAL and key[1] is None:
                continue
            entry = self.entries.get(key)
            if entry is None or entry.state is TradingState.ACTIVE:
                continue
            if worst is None or entry.state.rank > worst.state.rank:
                worst = entry
        return worst

    def effective_state(self, platform: str | None, symbol: str | None) -> TradingState:
        entry = self.effective(platform, symbol)
        return entry.state if entry else TradingState.ACTIVE

    def activate_kill_switch(self, who: str, reason: str, now: datetime, *, flatten: bool = False) -> KillSwitch:
        """Activate (or re-activate, e.g. to add ``flatten``). It stays active until explicitly released."""
        _check_who_reason(who, reason)
        previous = self.kill_switch
        self.kill_switch = KillSwitch(
            active=True,
            flatten=flatten or (previous.active and previous.flatten),
            reason=reason,
            who=who,
            when=require_aware(now),
        )
        return self.kill_switch

    def release_kill_switch(self, who: str, reason: str, now: datetime) -> KillSwitch:
        """Lift the kill switch. The activation's who/why/when are kept for the record."""
        _check_who_reason(who, reason)
        ks = self.kill_switch
        self.kill_switch = KillSwitch(
            active=False,
            flatten=False,
            reason=ks.reason,
            who=ks.who,
            when=ks.when,
            released_by=who,
            released_at=require_aware(now),
            release_reason=reason,
        )
        return self.kill_switch

    def to_dict(self) -> dict[str, Any]:
        return {
            "kill_switch": self.kill_switch.to_dict(),
            "states": [e.to_dict() for e in self.entries.values()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TradingStates:
        store = cls(kill_switch=KillSwitch.from_dict(data["kill_switch"]))
        for raw in data.get("states", []):
            entry = StateEntry.from_dict(raw)
            store.entries[(entry.scope, entry.value)] = entry
        return store
