"""Settings of a DTC client session and its lifecycle states."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from nexus_gw.domain.backoff import Backoff
from nexus_gw.errors import ConfigError

from .constants import DEFAULT_MAX_FRAME_BYTES, SUPPORTED_ENCODINGS, Encoding


class SessionState(StrEnum):
    """Where a :class:`~.session.DtcSession` is in its life; ``wait_for_state`` waits on it."""

    IDLE = "idle"
    """Created, ``start()`` not called yet."""
    CONNECTING = "connecting"
    """Opening the socket, negotiating or logging on."""
    LOGGED_ON = "logged_on"
    BACKOFF = "backoff"
    """Connection lost; waiting before the next attempt."""
    REJECTED = "rejected"
    """The server refused the logon; the session stopped (call ``start()`` again after fixing credentials)."""
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """How to reach and use one DTC server. Times are seconds. Credentials come from the caller (environment)."""

    host: str = "127.0.0.1"
    port: int = 11099
    username: str = ""
    password: str = field(default="", repr=False)
    encoding: Encoding = Encoding.BINARY
    """Encoding to ask for. With ``negotiate_encoding`` the server may answer with another one (then used)."""
    negotiate_encoding: bool = True
    """Send the binary ENCODING_REQUEST first (Sierra: server Encoding = Automatic). Without it the server must
    already speak ``encoding``."""
    heartbeat_interval_s: int = 10
    connect_timeout_s: float = 5.0
    logon_timeout_s: float = 10.0
    request_timeout_s: float = 15.0
    send_timeout_s: float = 5.0
    reconnect: bool = True
    reconnect_initial_s: float = 1.0
    reconnect_max_s: float = 30.0
    reconnect_jitter: float = 0.1
    """Random extra delay, as a fraction of the backoff, so many clients do not reconnect in lockstep."""
    retry_after_logon_error: bool = False
    """Reconnect after a LOGON_ERROR (2). Off by default: wrong credentials do not get better by retrying."""
    trade_account: str = ""
    """Account for orders and reconciliation; empty = the first account the server lists."""
    exchange: str = ""
    """Value of the DTC ``Exchange`` field in market-data requests and orders (Sierra: usually empty)."""
    client_name: str = "nexusgw"
    reconcile_on_logon: bool = True
    fill_history_days: int = 1
    client_order_id_prefix: str = "ngw"
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    poll_interval_s: float = 0.05
    """Longest the I/O loop blocks in one read; bounds the latency of ``stop()`` and of heartbeats."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 0 < self.port < 65536:
            problems.append(f"port must be 1..65535 (was {self.port})")
        if self.heartbeat_interval_s < 1:
            problems.append(f"heartbeat_interval_s must be a whole number >= 1 (was {self.heartbeat_interval_s})")
        for name in (
            "connect_timeout_s",
            "logon_timeout_s",
            "request_timeout_s",
            "send_timeout_s",
            "reconnect_initial_s",
            "poll_interval_s",
        ):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be > 0 (was {getattr(self, name)})")
        if self.reconnect_max_s < self.reconnect_initial_s:
            problems.append(
                f"reconnect_max_s ({self.reconnect_max_s}) must be >= reconnect_initial_s ({self.reconnect_initial_s})"
            )
        if self.encoding not in SUPPORTED_ENCODINGS:
            problems.append(f"encoding {self.encoding!r} is not supported (binary, json, json_compact)")
        if not 0 <= self.reconnect_jitter < 1:
            problems.append(f"reconnect_jitter must be a fraction in [0, 1) (was {self.reconnect_jitter})")
        if problems:
            raise ConfigError("invalid Sierra DTC session settings: " + "; ".join(problems))

    def backoff(self) -> Backoff:
        """The reconnect backoff these settings give (``reconnect_initial_s`` doubling up to ``reconnect_max_s``)."""
        return Backoff(self.reconnect_initial_s, self.reconnect_max_s, self.reconnect_jitter)
