"""Session settings validation, reconnect backoff, and behaviour with no server at all (no hangs)."""

from __future__ import annotations

import socket
import time

import pytest

from nexus_gw.adapters.sierra.dtc.constants import Encoding
from nexus_gw.adapters.sierra.dtc.session import DtcSession, SessionConfig, SessionState
from nexus_gw.domain.backoff import Backoff
from nexus_gw.errors import ConfigError


def test_invalid_settings_are_reported_together() -> None:
    with pytest.raises(ConfigError) as err:
        SessionConfig(port=0, heartbeat_interval_s=0, logon_timeout_s=0, reconnect_initial_s=5, reconnect_max_s=1)
    text = str(err.value)
    for fragment in ("port must be", "heartbeat_interval_s", "logon_timeout_s", "reconnect_max_s"):
        assert fragment in text
    with pytest.raises(ConfigError, match="not supported"):
        SessionConfig(encoding=Encoding.PROTOCOL_BUFFERS)


def test_password_is_not_in_the_repr() -> None:
    assert "hunter2" not in repr(SessionConfig(username="u", password="hunter2"))


def test_backoff_doubles_up_to_the_cap_and_jitter_stays_under_it() -> None:
    delays = [Backoff(1.0, 30.0, jitter=0.0).delay(n) for n in range(8)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert Backoff(1.0, 30.0, jitter=0.1, rand=lambda: 1.0).delay(1) == pytest.approx(2.2)
    assert Backoff(1.0, 30.0, jitter=0.5, rand=lambda: 1.0).delay(10) == 30.0
    assert Backoff(1.0, 5.0, jitter=0.0).delay(10_000) == 5.0
    assert SessionConfig(reconnect_initial_s=1.0, reconnect_max_s=30.0, reconnect_jitter=0.0).backoff().delay(3) == 8.0


def test_no_server_means_backoff_not_a_hang_and_stop_is_prompt() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    session = DtcSession(SessionConfig(port=port, connect_timeout_s=0.5, reconnect_initial_s=0.05, reconnect_max_s=0.2))
    session.start()
    assert not session.wait_until_logged_on(0.4)
    assert session.wait_for_state(lambda s: s is SessionState.BACKOFF, 2.0)
    assert "cannot connect" in session.last_error and "DTC Protocol Server" in session.last_error
    started = time.monotonic()
    session.stop(timeout=2.0)
    assert time.monotonic() - started < 1.0
    assert session.state is SessionState.STOPPED
    assert session.connect_attempts >= 2
