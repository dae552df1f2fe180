"""Between the signal and the route: the risk engine, fed with what the gateway sees.

``RiskGate`` turns a signal into an ``OrderIntent`` (per-platform contracts, the projected position, price,
point value and FX), asks the engine, and keeps the engine informed: orders sent, positions, P&L, market
data, platform and engine liveness. Every alert is logged and journaled, and the engine's state (kill switch,
trading states, pauses, the day's counters) is journaled on every change so a restarted gateway comes back
exactly as restrictive as it was. The one exception is the unrealized P&L, which moves with every price: a change
of it alone is journaled at most every ``UNREALIZED_SAVE_EVERY_S`` (a restarted gateway recomputes it from its
positions at the first prices anyway), so an open position does not cost an fsync per loop pass.

Limits are per platform instance: ``max_position_per_symbol: 1`` means at most one contract on each platform
that trades the signal (every platform trades the same signal), while daily loss and trade counts are totals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from nexus_gw.domain.instruments import InstrumentRegistry
from nexus_gw.domain.orders import Order
from nexus_gw.domain.risk.alerts import Alert
from nexus_gw.domain.risk.decision import Decision
from nexus_gw.domain.risk.engine import RiskEngine
from nexus_gw.domain.risk.intent import OrderIntent, Origin
from nexus_gw.domain.risk.intent import Side as RiskSide
from nexus_gw.monitor.alerts import AlertLog
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import Side
from nexus_gw.server.ledger import Ledger

log = logging.getLogger(__name__)

STATE_EVENT = "risk.state"

#: Seconds between journal writes of the risk state that only the unrealized P&L changed (prices moved).
UNREALIZED_SAVE_EVERY_S = 1.0

#: The fields of the engine's state that follow prices, not decisions.
PRICE_FIELDS = frozenset({"unrealized_pnl_usd"})


def only_prices_moved(state: dict[str, Any], saved: dict[str, Any]) -> bool:
    """True when ``state`` differs from ``saved`` in the price-driven fields alone."""
    return state.keys() == saved.keys() and all(state[k] == saved[k] for k in state if k not in PRICE_FIELDS)


@dataclass(frozen=True)
class Verdict:
    """What the gate decided for one signal: the quantity and platforms to use, or the refusal."""

    qty: float
    platforms: tuple[str, ...]
    refusal: str = ""
    decision: Decision | None = None
    intent: OrderIntent | None = None


class RiskGate:
    def __init__(
        self,
        engine: RiskEngine,
        ledger: Ledger,
        instruments: InstrumentRegistry,
        usd_per_unit: Callable[[str, datetime], float | None],
        alert_log: AlertLog | None = None,
    ) -> None:
        """``usd_per_unit(currency, now)``: USD for one unit of ``currency`` at the usable rate, None if none."""
        self.engine = engine
        self.usd_per_unit = usd_per_unit
        self.ledger = ledger
        self.instruments = instruments
        self.alert_log = alert_log or AlertLog(None, ledger.event, lambda: datetime.now(UTC))
        self.alerts: list[dict[str, Any]] = self.alert_log.recent  # the newest alerts, for status
        self.last_prices: dict[str, float] = {}
        self._day: date | None = None
        self._realized_at_day_start = Decimal(0)
        self._round_trips_seen = 0
        self._saved: dict[str, Any] | None = None
        self._saved_at: datetime | None = None

    # -- persistence ---------------------------------------------------------------------
    def restore(self) -> bool:
        event = self.ledger.journal.latest_event(STATE_EVENT)
        if event is None:
            return False
        self.engine.restore_state(dict(event.data))
        self._saved = self.engine.export_state()
        self._round_trips_seen = self.ledger.positions.trip_count()
        return True

    def save_if_changed(self, now: datetime) -> None:
        """Journal the engine's state when it changed: at once for a decision (kill switch, states, pauses, counts,
        realized P&L), at most every ``UNREALIZED_SAVE_EVERY_S`` when only the unrealized P&L moved."""
        state = self.engine.export_state()
        saved = self._saved
        if state == saved:
            return
        if (
            saved is not None
            and self._saved_at is not None
            and only_prices_moved(state, saved)
            and (now - self._saved_at).total_seconds() < UNREALIZED_SAVE_EVERY_S
        ):
            return
        self.ledger.event(STATE_EVENT, state, now)
        self._saved = state
        self._saved_at = now

    def raise_alerts(self, alerts: list[Alert]) -> None:
        """The engine's alerts, into the gateway's one alert log (the engine deduplicates its own)."""
        for alert in alerts:
            self.alert_log.raise_alert(alert.severity.value, alert.code.value, alert.message, limit=False, at=alert.at)

    # -- the check -----------------------------------------------------------------------
    def check(
        self,
        signal: m.Signal,
        side: Side,
        qty: float,
        platforms: tuple[str, ...],
        now: datetime,
        working: list[Order],
        origin: Origin = Origin.SIGNAL,
    ) -> Verdict:
        root = signal.symbol
        contracts = round(qty)
        if contracts < 1 or abs(contracts - qty) > 1e-9:
            return Verdict(0, (), f"RISK_QTY: qty {qty} is not a whole number of contracts; send 1, 2, …")
        instrument = self.instruments.get(root)
        fx_to_usd = self.usd_per_unit(instrument.currency, now)
        intent = OrderIntent(
            root=root,
            side=RiskSide.BUY if side is Side.BUY else RiskSide.SELL,
            qty=contracts,
            platforms=platforms,
            position=self.projected_position(root, working),
            confidence=signal.confidence,
            mq_composite=signal.mqscore.composite if signal.mqscore else None,
            mq_noise=signal.mqscore.noise if signal.mqscore else None,
            reference_price=self.last_prices.get(root),
            point_value=float(instrument.point_value),
            fx_to_usd=fx_to_usd,
            origin=origin,
        )
        decision = self.engine.check(intent, now)
        if not decision.accepted:
            reason = decision.reason.value if decision.reason else "RISK"
            return Verdict(0, (), f"RISK_{reason}: {decision.message}", decision, intent)
        chosen = decision.platforms if decision.platforms else platforms
        return Verdict(float(decision.qty), tuple(chosen), "", decision, intent)

    def projected_position(self, root: str, working: list[Order]) -> int:
        """Per-platform contracts: the largest filled position on any platform plus working orders' remainder."""
        position = max(self.ledger.positions.root_quantities(root), key=abs, default=0.0)
        for order in working:
            if order.root == root and order.legs:
                per_leg = max((leg.qty - leg.filled_qty for leg in order.legs.values()), default=0.0)
                position += per_leg if order.side is Side.BUY else -per_leg
        return round(position)

    # -- keeping the engine informed ---------------------------------------------------------
    def order_sent(self, root: str, now: datetime) -> None:
        self.engine.on_order_sent(root, now)

    def after_execution(self, root: str, working: list[Order], now: datetime) -> PnlUpdate:
        self.engine.on_position(root, self.projected_position(root, working), now)
        for trip in self.ledger.positions.trips_since(self._round_trips_seen):  # in the order they closed
            self.raise_alerts(self.engine.on_round_trip(float(trip.pnl_usd or 0), now))
        self._round_trips_seen = self.ledger.positions.trip_count()
        return self.pnl(now)

    def pnl(self, now: datetime) -> PnlUpdate:
        realized, unrealized = self._totals()
        day = self.engine.calendar.trading_day(now)
        if day != self._day:
            # From the journal, not from the running total: after a restart the day's earlier executions must
            # still count, and an execution just past the boundary belongs to the new day.
            self._day = day
            self._realized_at_day_start = self.ledger.realized_usd_before(self.engine.calendar.day_start(day))
        result = self.engine.on_pnl(float(realized - self._realized_at_day_start), float(unrealized), now)
        self.raise_alerts(list(result.alerts))
        return PnlUpdate(result.kill_switch_activated, result.kill_switch.flatten)

    def _totals(self) -> tuple[Decimal, Decimal]:
        return self.ledger.positions.totals_usd()


@dataclass(frozen=True)
class PnlUpdate:
    kill_switch_activated: bool
    flatten: bool
