"""The sd_notify protocol's pure parts: which address NOTIFY_SOCKET names, and the watchdog's pace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nexus_gw.ops.sdnotify import Notifier, notify_address, watchdog_interval


def test_a_path_is_used_as_it_is_and_an_at_sign_means_the_abstract_namespace() -> None:
    assert notify_address("/run/systemd/notify") == "/run/systemd/notify"
    assert notify_address("@/org/freedesktop/systemd1/notify/1") == "\0/org/freedesktop/systemd1/notify/1"


def test_no_address_when_unset_empty_relative_or_not_a_unix_socket() -> None:
    for value in ("", "@", "notify.sock", "vsock:2:1234"):
        assert notify_address(value) is None, value


def test_the_watchdog_is_pinged_at_half_its_timeout_and_only_by_the_process_it_watches() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}, 42) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "42"}, 42) == 2.0
    assert watchdog_interval({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "7"}, 42) is None
    for usec in ("", "0", "-5", "soon"):
        assert watchdog_interval({"WATCHDOG_USEC": usec}, 42) is None, usec


def test_without_notify_socket_or_on_windows_every_call_is_a_no_op() -> None:
    for notifier in (
        Notifier({}),
        Notifier({"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "2000000"}, platform="win32"),
    ):
        assert not notifier.enabled
        assert notifier.interval is None
        assert not notifier.ready("up")
        assert not notifier.watchdog(1e9)
        assert not notifier.stopping()
        assert notifier.sent == 0


def test_a_watchdog_without_notify_socket_is_ignored() -> None:
    assert Notifier({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())}).interval is None


def test_a_missing_socket_is_logged_once_and_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}, platform="linux")
    assert notifier.enabled
    assert not notifier.ready()
    assert not notifier.status("still here")
    warnings = [r for r in caplog.records if "systemd notification not sent" in r.getMessage()]
    assert len(warnings) == 1
