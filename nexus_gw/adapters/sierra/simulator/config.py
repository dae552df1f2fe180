"""Settings of the DTC simulator: symbols, accounts, encodings, fill behaviour, state file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from ..dtc.constants import (
    DEFAULT_MAX_FRAME_BYTES,
    LogonStatus,
)

DEFAULT_SYMBOLS: Final = {"NQH25": 21000.0, "ESH25": 6000.0}


class ServerEncoding(StrEnum):
    """The simulator's counterpart of Sierra's DTC server "Encoding" setting."""

    AUTOMATIC = "automatic"
    """Grant the encoding a client asks for; a client that starts with ``{`` speaks JSON without asking."""
    BINARY = "binary"
    JSON = "json"


@dataclass(frozen=True)
class SimulatorConfig:
    """Behaviour of one simulator. Times are seconds; ``port=0`` picks a free port (see ``address``)."""

    host: str = "127.0.0.1"
    port: int = 0
    encoding: ServerEncoding = ServerEncoding.AUTOMATIC
    symbols: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SYMBOLS))
    """Symbol → base price of its random walk. Other symbols are rejected."""
    trade_accounts: tuple[str, ...] = ("Sim1",)
    tick_size: float = 0.25
    updates_per_second: float = 4.0
    """Market-data steps per second (each step: one trade and one bid/ask per symbol); 0 = no updates."""
    compact_updates: bool = False
    """Send MARKET_DATA_UPDATE_TRADE_COMPACT / BID_ASK_COMPACT instead of the double-precision messages."""
    username: str | None = None
    """When set, a logon must carry this username and ``password``."""
    password: str = field(default="", repr=False)
    logon_reject_text: str | None = None
    """When set, every logon is rejected with this text."""
    logon_reject_status: LogonStatus = LogonStatus.ERROR
    allow_trading: bool = True
    security_definitions: bool = True
    """Answer SECURITY_DEFINITION_FOR_SYMBOL_REQUEST (and say so at logon); False: a server that does not."""
    fill_latency_s: float = 0.05
    """Delay from acceptance (or from the market reaching the price) to the first execution."""
    fill_interval_s: float = 0.05
    """Delay between the executions of one order."""
    partial_fill_slices: int = 2
    seed: int | None = None
    logon_timeout_s: float = 10.0
    """A connection that has not logged on within this time is closed."""
    server_name: str = "nexusgw DTC simulator"
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    state_file: Path | None = None
    """File keeping orders, fills and positions across restarts of the simulator; ``None`` keeps them in memory."""
