"""Free loopback TCP ports for local stacks, demos and tests, picked outside the kernel's ephemeral range.

A port handed out by ``bind(("127.0.0.1", 0))`` comes from the ephemeral range, the same range every process's
next outgoing connection takes its local port from. Between picking such a port and binding it (a gateway
process starting, or restarting after a kill), any connection on the machine may take it, and a client that keeps
reconnecting to a dead listener on an ephemeral port can even end up connected to itself: the listener's bind
then fails with "Address already in use". Ports below (or above) that range are never handed out to connections.
Production profiles use fixed ports (5555–5557) outside it too.
"""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

LINUX_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
DEFAULT_EPHEMERAL = (49152, 65535)
"""The IANA range: Windows' and macOS' default, used when the kernel's range cannot be read."""
LOWEST = 20000
"""Below this, ports of well-known services are more likely; 5555–5557 stay the gateway's own."""
TRIES = 200

_lock = threading.Lock()
_handed_out: set[int] = set()
_pick = random.SystemRandom()


def ephemeral_range(path: Path = LINUX_RANGE_FILE) -> tuple[int, int]:
    """The kernel's ephemeral port range (Linux), else the IANA default."""
    try:
        low, high = (int(part) for part in path.read_text().split())
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL
    return low, high


def candidate_ports(ephemeral: tuple[int, int]) -> list[int]:
    """Ports from ``LOWEST`` to 65535 outside ``ephemeral``."""
    low, high = ephemeral
    return [port for port in range(LOWEST, 65536) if not low <= port <= high]


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nothing listens on, outside the ephemeral range, not handed out before by this process.

    Falls back to a kernel-chosen port when no such port is found (an unusual range leaving none outside it)."""
    pool = candidate_ports(ephemeral_range())
    with _lock:
        for _ in range(TRIES if pool else 0):
            port = _pick.choice(pool)
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        _handed_out.add(port)
        return port
