"""The driver interface every platform plugs into.

An adapter process is ``AdapterRunner`` (the gateway link, heartbeats, reconnects, timers) plus one
``PlatformDriver`` that speaks the platform's own API. The runner calls the driver; the driver reports
back through ``DriverEvents``, from any thread.

| method        | required | what it does                                                         |
|---------------|----------|----------------------------------------------------------------------|
| start         | yes      | connect to the platform; report ``platform_state`` when up or down   |
| stop          | yes      | disconnect cleanly                                                   |
| subscribe     | yes      | stream these platform symbols (replaces the previous set)            |
| submit        | yes      | place one leg; report ``order_update``/``fill`` as the platform does |
| cancel        | yes      | cancel a working leg by leg id                                       |
| poll          | no       | do due work in the runner's thread; return seconds until next call   |
| capabilities  | no       | order types and features, sent to the gateway in HELLO               |
| report        | no       | the platform's working orders, executions, positions (reconciliation) |
| resume        | no       | before start: the legs earlier runs sent (open ones, and finished ones) |

**Constructor contract.** ``registry.build_driver`` makes every driver as ``DriverClass(name, settings, paper=...)``:
``name`` is the platform instance name of the profile (the suffix of every leg id it gets), ``settings`` the
instance's ``settings:`` already validated by the settings model registered next to the driver (frozen pydantic,
unknown keys refused), ``paper`` whether the gateway fills this instance's legs itself (the driver then only
streams market data). The constructor does no I/O and imports nothing of the platform: the platform's own library
(``MetaTrader5``, a vendor SDK…) is imported in ``start``, so importing a driver's package never needs the platform
installed. A driver reconnects with ``domain/backoff.Backoff``, the one backoff. ``adapters/_template/`` is the
skeleton to copy and ``tests/integration/adapters/contract.py`` the suite every driver passes
(``docs/adding-a-platform.md``).

**Write-ahead.** The runner records every leg durably (``adapters/inflight.py``) before it acknowledges the
ORDER and calls ``submit``, so a driver never has to: a restarted adapter never sends a leg id twice. The binding
of a leg to the platform's own order id is recorded from ``order_update(..., platform_order_id=...)``: report it
as soon as the platform names the order. The record is closed when the leg is finished (rejected, cancelled,
expired, or filled in full). ``resume`` gets the records at the next start: bound ones name their platform order
(late fills still map); open unbound ones are *in doubt* (sent, answer never read) and the driver settles them
against the platform's open orders and history (``adapters/indoubt.py``), reporting them meanwhile with
``in_doubt=True`` in ``report()``, never as absent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.protocol.constants import OrderStatus
from nexus_gw.protocol.messages import Capabilities, Order, PlatformReport, Subscription


class DriverEvents(Protocol):
    """What a driver reports. Thread-safe: drivers may call these from their own threads."""

    def market_data(self, symbol: str, bid: float, ask: float, last: float, size: float, ts_ns: int) -> None: ...

    def order_update(self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> None: ...

    def fill(self, leg_id: str, fill_id: str, qty: float, price: float, ts_ns: int) -> None: ...

    def platform_state(self, connected: bool, reason: str = "") -> None: ...

    def symbol_state(self, symbol: str, known: bool, reason: str = "") -> None:
        """Whether the platform knows a subscribed symbol (drivers that can ask it; see ``report_symbol``)."""


def report_symbol(events: object, symbol: str, known: bool, reason: str = "") -> None:
    """Tell ``events`` what the platform said of ``symbol``, if that sink takes symbol states (older ones do not)."""
    report = getattr(events, "symbol_state", None)
    if report is not None:
        report(symbol, known, reason)


class PlatformDriver(ABC):
    """Base class of platform drivers; see the module docstring for the contract."""

    #: the registry name of the driver kind (``sim``, ``sierra``…)
    kind: str = ""

    def capabilities(self) -> Capabilities:
        return Capabilities()

    @abstractmethod
    def start(self, events: DriverEvents) -> None:
        raise NotImplementedError("start")

    @abstractmethod
    def stop(self) -> None:
        raise NotImplementedError("stop")

    @abstractmethod
    def subscribe(self, subscriptions: list[Subscription]) -> None:
        """Stream these platform symbols (each with its root and tick size); replaces the previous set."""
        raise NotImplementedError("subscribe")

    @abstractmethod
    def submit(self, order: Order) -> None:
        raise NotImplementedError("submit")

    @abstractmethod
    def cancel(self, leg_id: str) -> None:
        raise NotImplementedError("cancel")

    def report(self) -> PlatformReport | None:
        """What the platform says now (working orders by leg id, executions, positions); None if unknown.

        Sent in HELLO after every (re)connect and on request, so the gateway counts fills made while the link
        was down exactly once and learns about legs the platform never received.
        """
        return None

    def resume(self, in_flight: list[InFlightLeg]) -> None:
        """Called once before ``start`` with the legs earlier runs recorded (``finished`` empty: not finished).

        The default does nothing: right for a platform that reports every order under the gateway's leg id (the
        gateway's reconciliation then settles each leg from ``report()``). A driver whose platform may report an
        order without the leg id binds the bound ones again and settles the unbound ones (in doubt).
        """
        return None

    def poll(self, now: float) -> float | None:
        """Run due work; return the seconds until the driver next wants to be polled (None: no wish)."""
        return None
