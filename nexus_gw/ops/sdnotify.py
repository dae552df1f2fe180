"""systemd's notification protocol (``sd_notify``), spoken directly: readiness, watchdog, status and stopping.

A service started by systemd with ``Type=notify`` finds ``NOTIFY_SOCKET`` in its environment: a datagram socket
(a path, or ``@name`` in Linux's abstract namespace) to which it sends newline-separated ``KEY=VALUE`` fields —
``READY=1`` once it serves, ``WATCHDOG=1`` at least every ``WATCHDOG_USEC`` microseconds (we ping at half of it),
``STATUS=…`` for ``systemctl status``, ``STOPPING=1`` on the way out. Without ``NOTIFY_SOCKET`` (a terminal,
supervisord, Windows) every call is a no-op. Nothing POSIX-only is looked up at import time.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"


def notify_address(value: str) -> str | None:
    """The socket address ``NOTIFY_SOCKET`` names: a path, or ``@name`` mapped to the abstract namespace."""
    if value.startswith("@") and len(value) > 1:
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    return None  # unset, empty or not an AF_UNIX address (vsock is not spoken here)


def watchdog_interval(env: Mapping[str, str], pid: int) -> float | None:
    """Seconds between ``WATCHDOG=1`` pings: half of ``WATCHDOG_USEC``; None when no watchdog is asked of ``pid``."""
    try:
        usec = int(env.get(WATCHDOG_USEC, ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = env.get(WATCHDOG_PID, "")
    if owner and owner != str(pid):
        return None  # the watchdog belongs to another process (we were started by the service's main process)
    return usec / 2 / 1_000_000


class Notifier:
    """Sends notifications to the service manager, or nothing when none listens."""

    def __init__(self, env: Mapping[str, str] | None = None, platform: str = sys.platform) -> None:
        env = os.environ if env is None else env
        self.address = None if platform == "win32" else notify_address(env.get(NOTIFY_SOCKET, ""))
        self.interval = watchdog_interval(env, os.getpid()) if self.address else None
        self.next_ping = 0.0
        self.sent = 0
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """Send ``KEY=VALUE`` fields in one datagram; False when none listens or the send failed (logged once)."""
        family = getattr(socket, "AF_UNIX", None)
        if self.address is None or family is None:
            return False
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:
            if not self._failed:
                log.warning(
                    "systemd notification not sent to %r (%s); readiness/watchdog unavailable", self.address, exc
                )
                self._failed = True
            return False
        self.sent += 1
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def stopping(self, status: str = "") -> bool:
        return self.send("STOPPING=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self, now: float, status: Callable[[], str] | None = None) -> bool:
        """Ping the watchdog when due (``now`` is monotonic seconds); ``status`` adds a fresh STATUS to the ping."""
        if self.interval is None or now < self.next_ping:
            return False
        self.next_ping = now + self.interval
        return self.send("WATCHDOG=1", *([f"STATUS={status()}"] if status is not None else []))
