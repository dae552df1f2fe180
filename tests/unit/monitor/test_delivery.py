"""Delivery beside the loop: deduplicated, rate-limited, and a hanging or failing sink never blocks submit."""

from __future__ import annotations

import threading
import time
from typing import Any

from nexus_gw.monitor.delivery import Notifier


class Recording:
    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.got: list[dict[str, Any]] = []
        self.event = threading.Event()

    def send(self, alert: dict[str, Any]) -> None:
        self.got.append(alert)
        self.event.set()


class Hanging:
    name = "hanging"

    def __init__(self) -> None:
        self.release = threading.Event()

    def send(self, alert: dict[str, Any]) -> None:
        self.release.wait(30)


class Raising:
    name = "raising"

    def send(self, alert: dict[str, Any]) -> None:
        raise OSError("connection refused")


def alert(code: str = "X", severity: str = "CRITICAL") -> dict[str, Any]:
    return {"severity": severity, "code": code, "message": "m", "at": "2026-12-06T00:00:00+00:00"}


def wait(predicate: Any, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_a_hanging_and_a_raising_sink_neither_block_submit_nor_stop_the_others() -> None:
    good, hanging = Recording(), Hanging()
    notifier = Notifier([hanging, Raising(), good], repeat_every_s=0, max_per_minute=1000, queue_size=5)
    notifier.start()
    try:
        for i in range(20):  # far more than the hanging sink's queue holds
            started = time.monotonic()
            assert notifier.submit(alert(f"A{i}"))
            assert time.monotonic() - started < 0.5  # submit never waits for a sink
            assert wait(lambda n=i: len(good.got) == n + 1)  # the good sink still delivers each one
        assert wait(lambda: notifier.stats()["deliveries"]["failed"] == 20)  # the raising sink: counted
        hang = notifier.workers[0]
        assert hang.delivered == 0 and hang.dropped == 20 - 1 - 5  # one in its send, five queued, the rest dropped
    finally:
        hanging.release.set()
        notifier.stop()


def test_the_same_key_is_delivered_once_per_repeat_window_and_the_rate_is_capped() -> None:
    clock = [0.0]
    sink = Recording()
    notifier = Notifier([sink], repeat_every_s=900, max_per_minute=2, monotonic=lambda: clock[0])
    assert notifier.submit(alert("A"), key="k1")
    assert not notifier.submit(alert("A"), key="k1")  # a repeat within 900 s
    assert notifier.submit(alert("B"), key="k2")
    assert not notifier.submit(alert("C"), key="k3")  # third in a minute: rate-limited
    clock[0] = 61.0
    assert notifier.submit(alert("C"), key="k3")
    clock[0] = 901.0
    assert notifier.submit(alert("A"), key="k1")
    stats = notifier.stats()["deliveries"]
    assert stats["suppressed"] == 1 and stats["rate_limited"] == 1


def test_below_min_severity_is_not_delivered_but_counted() -> None:
    notifier = Notifier([Recording()], min_severity="CRITICAL")
    assert not notifier.submit(alert("W", "WARNING"))
    assert notifier.stats()["raised"] == {"WARNING": 1}


def test_profile_fields_are_added_to_every_alert() -> None:
    sink = Recording()
    notifier = Notifier([sink], extra={"gateway": "gw1", "profile": "dev"})
    notifier.start()
    try:
        notifier.submit(alert())
        assert sink.event.wait(5)
        assert sink.got[0]["gateway"] == "gw1" and sink.got[0]["code"] == "X"
    finally:
        notifier.stop()


def test_a_forgotten_key_is_delivered_again_at_once() -> None:
    notifier = Notifier([Recording()], repeat_every_s=900, monotonic=lambda: 0.0)
    assert notifier.submit(alert("A"), key="k") and not notifier.submit(alert("A"), key="k")
    notifier.forget("k")
    assert notifier.submit(alert("A"), key="k")
