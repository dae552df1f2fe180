"""TradingStates: scope precedence, validation, and a journal round trip."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from nexus_gw.domain.risk import Scope, TradingState, TradingStates
from tests.unit.domain.risk.helpers import T0

A, R, H = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED


@pytest.mark.parametrize(
    ("global_", "platform", "symbol", "expected"),
    [
        (None, None, None, A),
        (A, A, A, A),
        (R, None, None, R),
        (None, R, None, R),
        (None, None, R, R),
        (H, A, A, H),
        (A, H, R, H),
        (R, A, H, H),
        (A, R, A, R),
        (R, H, A, H),
    ],
)
def test_effective_state_is_the_most_restrictive_scope(
    global_: TradingState | None, platform: TradingState | None, symbol: TradingState | None, expected: TradingState
) -> None:
    store = TradingStates()
    for scope, value, state in (
        (Scope.GLOBAL, None, global_),
        (Scope.PLATFORM, "mt5", platform),
        (Scope.SYMBOL, "NQ", symbol),
    ):
        if state is not None:
            store.set(scope, value, state, "ops", "test", T0)
    assert store.effective_state("mt5", "NQ") is expected


def test_scoped_state_does_not_leak_to_other_platforms_or_symbols() -> None:
    store = TradingStates()
    store.set(Scope.PLATFORM, "mt5", H, "ops", "broker issue", T0)
    store.set(Scope.SYMBOL, "NQ", R, "ops", "news", T0)
    assert store.effective_state("nt8", "ES") is A
    assert store.effective_state("nt8", "NQ") is R
    assert store.effective_state("mt5", "ES") is H


def test_tie_names_the_broader_scope_with_who_and_why() -> None:
    store = TradingStates()
    store.set(Scope.PLATFORM, "mt5", R, "bob", "platform", T0)
    store.set(Scope.GLOBAL, None, R, "alice", "fomc", T0)
    entry = store.effective("mt5", "NQ")
    assert entry is not None
    assert (entry.label(), entry.who, entry.reason, entry.since) == ("global", "alice", "fomc", T0)


@pytest.mark.parametrize(
    ("scope", "value", "who", "reason"),
    [
        (Scope.GLOBAL, "x", "ops", "why"),
        (Scope.PLATFORM, None, "ops", "why"),
        (Scope.SYMBOL, "", "ops", "why"),
        (Scope.GLOBAL, None, " ", "why"),
        (Scope.GLOBAL, None, "ops", ""),
    ],
)
def test_state_change_needs_a_proper_scope_who_and_reason(
    scope: Scope, value: str | None, who: str, reason: str
) -> None:
    with pytest.raises(ValueError):
        TradingStates().set(scope, value, H, who, reason, T0)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TradingStates().set(Scope.GLOBAL, None, H, "ops", "why", datetime(2025, 3, 10, 12, 0))


def test_states_and_kill_switch_survive_a_json_round_trip() -> None:
    store = TradingStates()
    store.set(Scope.GLOBAL, None, R, "alice", "fomc", T0)
    store.set(Scope.PLATFORM, "mt5_brazil", H, "bob", "B3 outage", T0)
    store.activate_kill_switch("carol", "runaway signals", T0, flatten=True)
    restored = TradingStates.from_dict(json.loads(json.dumps(store.to_dict())))
    assert restored == store
    assert restored.kill_switch.active and restored.kill_switch.flatten
    assert restored.effective_state("mt5_brazil", "WIN") is H


def test_release_keeps_the_activation_record_and_names_who_released() -> None:
    store = TradingStates()
    store.activate_kill_switch("carol", "runaway", T0)
    ks = store.release_kill_switch("dave", "fixed", T0)
    assert not ks.active
    assert (ks.who, ks.reason, ks.released_by, ks.release_reason) == ("carol", "runaway", "dave", "fixed")
    assert TradingStates.from_dict(store.to_dict()).kill_switch == ks


def test_restore_refuses_a_record_with_naive_times() -> None:
    data = TradingStates().to_dict()
    data["kill_switch"]["when"] = "2025-03-10T12:00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        TradingStates.from_dict(data)
