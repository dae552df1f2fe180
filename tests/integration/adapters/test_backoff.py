"""The one reconnect backoff (``domain/backoff.py``) is what every reconnecting part uses."""

from __future__ import annotations

import inspect

import pytest

from nexus_gw.adapters import link
from nexus_gw.adapters.sierra.dtc import session, settings
from nexus_gw.adapters.sierra.dtc.settings import SessionConfig
from nexus_gw.domain import backoff as retry


def test_backoff_counts_failures_resets_and_never_exceeds_the_maximum() -> None:
    backoff = retry.Backoff(0.5, 3.0, jitter=0.5, rand=lambda: 1.0)
    assert [backoff.next_delay() for _ in range(4)] == [0.75, 1.5, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.75
    low = retry.Backoff(1.0, 8.0, jitter=0.2, rand=lambda: 0.0)
    assert low.delay(0) == pytest.approx(0.8)


def test_backoff_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="initial <= maximum"):
        retry.Backoff(2.0, 1.0)
    with pytest.raises(ValueError, match="jitter"):
        retry.Backoff(1.0, 2.0, jitter=1.5)


def test_the_dtc_session_and_the_gateway_link_share_the_one_backoff() -> None:
    assert isinstance(SessionConfig().backoff(), retry.Backoff)
    assert "Backoff" in inspect.getsource(link)
    for module in (session, settings):
        assert "backoff_delay" not in inspect.getsource(module), "a second backoff rule is back"
