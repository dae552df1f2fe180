"""Which Sierra order belongs to which gateway leg.

The driver sends the gateway's leg id as the DTC ClientOrderID, so every ORDER_UPDATE names its leg. Sierra's
historical fills carry only the ServerOrderID, so the book also keeps ServerOrderID → leg id, learnt from order
updates and from the open orders listed after each logon; after a restart the driver refills it from the
runner's write-ahead store (:mod:`nexus_gw.adapters.inflight`). The optional file (the obsolete
``order_map_file`` setting) is still read and appended to, for profiles that set it. The book also remembers
the legs this process submitted, the cancels it still owes, and the submissions Sierra has not acknowledged yet
(if the connection ends first, their outcome is unknown until the reconciliation after the next logon settles
it).

Thread-safe: the runner thread submits and cancels while the session's I/O thread applies reports.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from nexus_gw.errors import ConfigError

log = logging.getLogger(__name__)

MAX_FILE_BINDINGS: Final = 20_000
"""Bindings kept when the map file is compacted at load (the newest ones; far more than days of trading)."""


@dataclass(frozen=True, slots=True)
class Unacknowledged:
    """A submission Sierra has neither accepted nor rejected yet. ``logon`` is the session's logon count then."""

    leg_id: str
    symbol: str
    side: str
    sent_at: float
    logon: int
    qty: float = 0.0


class LegBook:
    """Leg id ↔ ServerOrderID bindings (optionally persisted), submitted legs, owed cancels, unacknowledged orders."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._path = path
        self._leg_by_order: dict[str, str] = {}
        self._order_by_leg: dict[str, str] = {}
        self._submitted: set[str] = set()
        self._cancel_wanted: set[str] = set()
        self._unacknowledged: dict[str, Unacknowledged] = {}
        if path is not None:
            self._load(path)

    # ---------------------------------------------------------------------------------------------- bindings

    def bind(self, leg_id: str, server_order_id: str) -> bool:
        """Record that Sierra order ``server_order_id`` is leg ``leg_id``; True when this is new.

        The first binding of a leg stands: a second Sierra order under the same leg id (a repeated submission
        that Sierra refused) never replaces it.
        """
        with self._lock:
            if self._leg_by_order.get(server_order_id) == leg_id:
                return False
            self._leg_by_order[server_order_id] = leg_id
            self._order_by_leg.setdefault(leg_id, server_order_id)
            self._unacknowledged.pop(leg_id, None)
            self._append(leg_id, server_order_id)
            return True

    def leg_for_order(self, server_order_id: str) -> str | None:
        with self._lock:
            return self._leg_by_order.get(server_order_id)

    def order_for_leg(self, leg_id: str) -> str | None:
        """The Sierra order that stands for ``leg_id`` (its first accepted binding), if known."""
        with self._lock:
            return self._order_by_leg.get(leg_id)

    def knows_leg(self, leg_id: str) -> bool:
        """True for a leg submitted by this process or bound to a Sierra order (now or in the map file)."""
        with self._lock:
            return leg_id in self._submitted or leg_id in self._order_by_leg

    # ------------------------------------------------------------------------------------------- submissions

    def claim(self, leg_id: str) -> bool:
        """Mark ``leg_id`` as submitted; False if it already was (a repeated ORDER must not trade twice)."""
        with self._lock:
            if leg_id in self._submitted or leg_id in self._order_by_leg:
                return False
            self._submitted.add(leg_id)
            return True

    def release(self, leg_id: str) -> None:
        """Forget a claim whose order certainly never left this process (it may be submitted again)."""
        with self._lock:
            self._submitted.discard(leg_id)

    def expect_ack(
        self, leg_id: str, symbol: str, side: str, logon: int, *, qty: float = 0.0, sent_at: float | None = None
    ) -> None:
        """``leg_id`` is being sent during logon number ``logon``; it stays unacknowledged until settled.

        ``sent_at`` (default now) is the send time; a leg restored from the write-ahead store after a restart gives
        its recorded time and logon 0 (in doubt until the first reconciliation settles it).
        """
        with self._lock:
            when = time.time() if sent_at is None else sent_at
            self._unacknowledged[leg_id] = Unacknowledged(leg_id, symbol, side, when, logon, qty)

    def restamp(self, leg_id: str, logon: int) -> None:
        """The send of ``leg_id`` completed during logon ``logon`` (no effect once it is settled)."""
        with self._lock:
            item = self._unacknowledged.get(leg_id)
            if item is not None and item.logon < logon:
                self._unacknowledged[leg_id] = Unacknowledged(
                    item.leg_id, item.symbol, item.side, item.sent_at, logon, item.qty
                )

    def unacknowledged(self) -> list[Unacknowledged]:
        with self._lock:
            return list(self._unacknowledged.values())

    def settle(self, leg_id: str) -> None:
        """Sierra answered for ``leg_id`` (accepted, rejected), or the order certainly never left."""
        with self._lock:
            self._unacknowledged.pop(leg_id, None)

    # ----------------------------------------------------------------------------------------------- cancels

    def want_cancel(self, leg_id: str) -> None:
        """Remember a cancel that could not be sent yet (no ServerOrderID, or not connected)."""
        with self._lock:
            self._cancel_wanted.add(leg_id)

    def take_cancel(self, leg_id: str) -> bool:
        """True (once) if a cancel is owed for ``leg_id``."""
        with self._lock:
            if leg_id in self._cancel_wanted:
                self._cancel_wanted.discard(leg_id)
                return True
            return False

    def drop_cancel(self, leg_id: str) -> None:
        with self._lock:
            self._cancel_wanted.discard(leg_id)

    # -------------------------------------------------------------------------------------------------- file

    def _load(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the Sierra order map file {path} ({exc}); fix its permissions or set "
                "settings.order_map_file to a writable path"
            ) from exc
        pairs: list[tuple[str, str]] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                pairs.append((str(item["leg"]), str(item["order"])))
            except (ValueError, KeyError, TypeError):
                # a line cut by a crash mid-write is the only expected damage; everything before it is good
                log.warning("order map %s line %d is unreadable and skipped: %r", path, number, line[:120])
        for leg_id, server_order_id in pairs:
            self._leg_by_order[server_order_id] = leg_id
            self._order_by_leg.setdefault(leg_id, server_order_id)
        if len(pairs) > MAX_FILE_BINDINGS:
            self._rewrite(path, pairs[-MAX_FILE_BINDINGS:])
        log.info("order map %s: %d leg bindings loaded", path, len(pairs))

    def _rewrite(self, path: Path, pairs: list[tuple[str, str]]) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.writelines(_line(leg, order) for leg, order in pairs)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def _append(self, leg_id: str, server_order_id: str) -> None:
        if self._path is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as out:
                out.write(_line(leg_id, server_order_id))
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            log.error(
                "cannot record leg %s = Sierra order %s in %s (%s); the binding is kept in memory only, so fix the "
                "file before restarting the adapter",
                leg_id,
                server_order_id,
                self._path,
                exc,
            )


def _line(leg_id: str, server_order_id: str) -> str:
    return json.dumps({"leg": leg_id, "order": server_order_id}, separators=(",", ":")) + "\n"
