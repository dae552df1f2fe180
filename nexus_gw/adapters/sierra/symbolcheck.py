"""Symbols Sierra really has: each subscribed symbol is looked up with a DTC security-definition request.

Sierra spells a contract per data feed (``NQZ26_FUT_CME``, ``NQZ26-CME``, ``NQZ26``…). A symbol template that
does not match the feed gives no market data and orders Sierra rejects. So after every logon, and for every symbol
subscribed later, the adapter asks Sierra (SECURITY_DEFINITION_FOR_SYMBOL_REQUEST) whether it knows the symbol:

- a definition → known; reported to the gateway (``status``, ``nexusgw check``);
- a reject → unknown: the adapter asks for the same contract in the other spellings
  (:func:`~nexus_gw.domain.symbols.templates.spellings`), and the report names the preset Sierra knows, e.g.
  ``set platforms.sierra.settings.symbol_template: sierra``. Legs in that symbol are refused with that message;
- no answer (a server without security definitions, a timeout) → not verified: nothing is refused, the gateway
  sees ``known: null``.

Callbacks run on the DTC session's I/O thread; the state is guarded by a lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from nexus_gw.domain.symbols.templates import PRESETS, SETTING, preset_name, spellings
from nexus_gw.errors import PlatformError, PlatformUnavailable
from nexus_gw.protocol.messages import Subscription

from .dtc.session import DtcSession

log = logging.getLogger(__name__)

Report = Callable[[str, bool, str], None]
"""``report(symbol, known, reason)``."""


class SymbolVerifier:
    """Asks Sierra about each subscribed symbol and remembers the answer; see the module docstring."""

    def __init__(self, platform: str, template: str | None, report: Report) -> None:
        self.platform = platform
        self.template = template
        self.report = report
        self._lock = threading.Lock()
        self._wanted: dict[str, Subscription] = {}
        self._unknown: dict[str, str] = {}
        self._known: set[str] = set()
        self._supported = False
        """Whether the server's latest logon answer offered security definitions."""

    def want(self, subscriptions: list[Subscription]) -> list[Subscription]:
        """Remember the subscribed symbols; return those not verified yet."""
        with self._lock:
            self._wanted = {s.symbol: s for s in subscriptions}
            for gone in set(self._unknown) - set(self._wanted):
                del self._unknown[gone]
            self._known &= set(self._wanted)
            return [s for s in subscriptions if s.symbol not in self._known and s.symbol not in self._unknown]

    def on_logon(self, session: DtcSession, supported: bool) -> None:
        """A new logon (maybe another feed): verify every symbol again, if the server offers security definitions
        (its logon answer says so; one that does not might reject every request, which must not refuse trading)."""
        with self._lock:
            self._supported = supported
            self._known.clear()
            self._unknown.clear()
            wanted = list(self._wanted.values())
        if not supported:
            log.warning(
                "%s: Sierra's DTC server does not offer security definitions; the symbols are not verified (a "
                "wrong settings.%s shows only as missing market data and rejected orders)",
                self.platform,
                SETTING,
            )
            return
        self.verify(session, wanted)

    def refusal(self, symbol: str) -> str | None:
        """Why a leg in ``symbol`` must not be sent (Sierra does not know it), or None."""
        with self._lock:
            return self._unknown.get(symbol)

    def verify(self, session: DtcSession, subscriptions: list[Subscription]) -> None:
        """Send one security-definition request per symbol (answers arrive on the I/O thread)."""
        if not self._supported:
            return
        for sub in subscriptions:
            try:
                future = session.request_security_definition_async(sub.symbol)
            except PlatformUnavailable as exc:
                log.info("%s: %s not verified yet (%s); it is at the next logon", self.platform, sub.symbol, exc)
                continue
            future.add_done_callback(lambda f, sub=sub: self._answered(session, sub, f))

    def _answered(self, session: DtcSession, sub: Subscription, future: Future[list[Any]]) -> None:
        error = future.exception()
        if error is None:
            self._settle(sub.symbol, True, "")
        elif isinstance(error, PlatformUnavailable) or not isinstance(error, PlatformError):
            log.warning(
                "%s: could not verify %s with Sierra (%s); it is traded unverified", self.platform, sub.symbol, error
            )
        else:
            self._probe(session, sub, str(error), dict(spellings(sub.symbol, sub.exchange)))

    def _probe(self, session: DtcSession, sub: Subscription, rejected: str, left: dict[str, str]) -> None:
        """Ask for the next other spelling; the first one Sierra knows names the preset to use."""
        if not left:
            self._settle(sub.symbol, False, self._message(sub.symbol, rejected, None, None))
            return
        preset, spelled = left.popitem()
        try:
            future = session.request_security_definition_async(spelled)
        except PlatformUnavailable:
            self._settle(sub.symbol, False, self._message(sub.symbol, rejected, None, None))
            return

        def answered(f: Future[list[Any]]) -> None:
            if f.exception() is None:
                self._settle(sub.symbol, False, self._message(sub.symbol, rejected, preset, spelled))
            else:
                self._probe(session, sub, rejected, left)

        future.add_done_callback(answered)

    def _message(self, symbol: str, rejected: str, preset: str | None, spelled: str | None) -> str:
        template = self.template
        now = (template if template in PRESETS else preset_name(template)) if template else "config/symbols.yaml"
        setting = f"platforms.{self.platform}.settings.{SETTING}"
        if preset is not None:
            return (
                f"Sierra does not know {symbol} on platform {self.platform}; it knows the contract as {spelled}: set "
                f"{setting}: {preset} (now {now}) and restart the gateway and the adapter"
            )
        return (
            f"Sierra does not know {symbol} on platform {self.platform} ({rejected}), nor the same contract in the "
            f"other spellings ({', '.join(PRESETS)}); check that your data feed lists the contract (Sierra's "
            f"Find Symbol) and set {setting} to its spelling (now {now})"
        )

    def _settle(self, symbol: str, known: bool, reason: str) -> None:
        with self._lock:
            if symbol not in self._wanted:
                return
            if known:
                self._known.add(symbol)
                self._unknown.pop(symbol, None)
            else:
                self._unknown[symbol] = reason
        if known:
            log.info("%s: Sierra knows %s", self.platform, symbol)
        else:
            log.error("%s: %s; legs in %s are refused", self.platform, reason, symbol)
        self.report(symbol, known, reason)
