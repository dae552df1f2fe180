"""The risk engine: runs the rules in a fixed order and keeps the counters they read.

The gateway owns one engine and calls it from its single event loop:

* ``check(intent, now)`` before routing any order → a :class:`Decision` (first rejection wins, else the final,
  possibly smaller, quantity and the platforms it may go to);
* the ``on_*`` methods as things happen (order sent, round trip closed, P&L update, market data, signal-engine
  message, platform up/down, position change);
* ``tick(now)`` on every loop pass: ends pauses, starts new trading days, notices signal-engine silence;
* ``set_state`` / ``activate_kill_switch`` / ``release_kill_switch`` for operators;
* ``snapshot(now)`` for ``nexusgw status``; ``export_state()`` / ``restore_state()`` for the journal.

Alerts come back as :class:`Alert` values; the engine sends nothing and reads no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from nexus_gw.domain.risk.alerts import Alert, AlertCode, Severity
from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import Pause, RiskContext
from nexus_gw.domain.risk.decision import Action, Adjustment, Decision, ReasonCode
from nexus_gw.domain.risk.intent import OrderIntent
from nexus_gw.domain.risk.rules import build_rules
from nexus_gw.domain.risk.rules.base import at, usd
from nexus_gw.domain.risk.snapshot import build_snapshot
from nexus_gw.domain.risk.state import KillSwitch, Scope, StateEntry, TradingState, TradingStates
from nexus_gw.domain.risk.timeutil import TradingCalendar, require_aware

ENGINE_WHO = "risk-engine"
"""The ``who`` recorded when the engine itself activates the kill switch."""

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class PnlResult:
    """Outcome of :meth:`RiskEngine.on_pnl`: alerts to raise and whether this update activated the kill switch
    (the gateway must then cancel working orders, and flatten when ``kill_switch.flatten``)."""

    daily_pnl_usd: float
    alerts: tuple[Alert, ...] = ()
    kill_switch_activated: bool = False
    kill_switch: KillSwitch = field(default_factory=KillSwitch)


class RiskEngine:
    """Pre-trade risk for one gateway. Not thread-safe: call it from the event loop only."""

    def __init__(self, config: RiskConfig) -> None:
        self.config = config
        self.calendar = TradingCalendar(config.trading_day.start, config.trading_day.tz)
        self.ctx = RiskContext()
        self._rules = build_rules(config)
        self._outbox: list[Alert] = []
        self._loss_warned = False
        self._safe_mode_alerted = False
        self._last_now: datetime | None = None

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self._rules)

    @property
    def kill_switch(self) -> KillSwitch:
        return self.ctx.states.kill_switch

    @property
    def auto_execute(self) -> bool:
        """False: accepted orders wait in an :class:`ApprovalQueue` and are checked again when approved."""
        return self.config.auto_execute

    # ---- the decision

    def check(self, intent: OrderIntent, now: datetime) -> Decision:
        """Run every rule in order. Changes nothing; call :meth:`on_order_sent` once the order is sent."""
        require_aware(now)
        current = intent
        adjustments: list[Adjustment] = []
        for rule in self._rules:
            try:
                decision = rule.check(current, self.ctx, now)
            except Exception as exc:  # fail closed: a broken rule must never let an order through
                return Decision.reject(
                    ReasonCode.RISK_ERROR,
                    f"Risk rule {rule.name} failed ({type(exc).__name__}: {exc}); the order is refused. "
                    "This is a gateway bug: report it with this message.",
                    rule=rule.name,
                )
            if decision.action is Action.REJECT:
                return Decision.reject(decision.reason or ReasonCode.RISK_ERROR, decision.message, rule=rule.name)
            qty = min(decision.qty, current.qty)
            platforms = current.platforms
            if decision.platforms is not None:
                platforms = tuple(p for p in current.platforms if p in decision.platforms)
            if qty <= 0:
                return Decision.reject(
                    decision.reason or ReasonCode.RISK_ERROR,
                    f"{decision.message} That rounds down to 0 contracts, so nothing is sent.",
                    rule=rule.name,
                )
            if not platforms:
                return Decision.reject(
                    decision.reason or ReasonCode.RISK_ERROR,
                    f"{decision.message} No platform is left to send to.",
                    rule=rule.name,
                )
            if qty != current.qty or platforms != current.platforms:
                adjustments.append(
                    Adjustment(
                        decision.reason or ReasonCode.RISK_ERROR,
                        decision.message,
                        current.qty,
                        qty,
                        current.platforms,
                        platforms,
                    )
                )
                current = current.with_qty(qty).with_platforms(platforms)
        scaled = current.qty != intent.qty
        return Decision(
            Action.SCALE if scaled else Action.ACCEPT,
            current.qty,
            adjustments[0].reason if adjustments else None,
            " ".join(a.message for a in adjustments),
            platforms=current.platforms,
            adjustments=tuple(adjustments),
        )

    # ---- bookkeeping

    def on_order_sent(self, root: str, now: datetime) -> None:
        """Count one order sent for ``root`` (one per order, however many platform legs it has)."""
        self._outbox.extend(self._advance(now))
        self.ctx.daily_trades += 1
        self.ctx.order_times.append(now)
        horizon = now - timedelta(seconds=self.config.throttle.window_seconds)
        while self.ctx.order_times and self.ctx.order_times[0] <= horizon:
            self.ctx.order_times.popleft()

    def on_round_trip(self, pnl_usd: float, now: datetime) -> list[Alert]:
        """Feed the losing-streak breaker. A round trip with P&L < 0 extends the streak, anything else ends
        it."""
        alerts = self._advance(now)
        self.ctx.consecutive_losses = self.ctx.consecutive_losses + 1 if pnl_usd < 0 else 0
        limit = self.config.circuit_breakers.max_consecutive_losses
        if limit is not None and self.ctx.consecutive_losses >= limit:
            seconds = self.config.circuit_breakers.pause_seconds
            until = now + timedelta(seconds=seconds)
            reason = f"{self.ctx.consecutive_losses} losing round trips in a row (max_consecutive_losses = {limit})"
            self.ctx.pauses[ReasonCode.CIRCUIT_BREAKER] = Pause(ReasonCode.CIRCUIT_BREAKER, reason, now, until)
            self.ctx.consecutive_losses = 0
            alerts.append(
                Alert(
                    Severity.WARNING,
                    AlertCode.CONSECUTIVE_LOSSES,
                    f"Circuit breaker: {reason}; new entries paused for {seconds:g} s, until "
                    f"{at(until, self.calendar.tz)}. Exits still pass. Review the strategy.",
                    now,
                )
            )
        return alerts

    def on_pnl(self, realized_usd: float, unrealized_usd: float, now: datetime) -> PnlResult:
        """Record the current trading day's realized and current unrealized P&L (USD) and apply the daily-loss
        breaker: when their sum reaches -max_daily_loss_usd, entries pause until the next trading day, a
        CRITICAL alert is returned, and with ``kill_on_daily_loss`` the kill switch is activated here."""
        alerts = self._advance(now)
        ctx = self.ctx
        ctx.realized_pnl_usd, ctx.unrealized_pnl_usd = float(realized_usd), float(unrealized_usd)
        pnl, limit = ctx.daily_pnl_usd, self.config.limits.max_daily_loss_usd
        activated = False
        if pnl <= -limit and ctx.active_pause(ReasonCode.DAILY_LOSS, now) is None:
            until = self.calendar.next_boundary(now)
            reason = (
                f"daily P&L {usd(pnl)} (realized {usd(ctx.realized_pnl_usd)}, unrealized "
                f"{usd(ctx.unrealized_pnl_usd)}) reached -{usd(limit)}"
            )
            ctx.pauses[ReasonCode.DAILY_LOSS] = Pause(ReasonCode.DAILY_LOSS, reason, now, until)
            if self.config.kill_on_daily_loss and not self.kill_switch.active:
                self.ctx.states.activate_kill_switch(
                    ENGINE_WHO, f"daily loss limit: {reason}", now, flatten=self.config.flatten_on_daily_loss
                )
                activated = True
            if activated:
                then = "Kill switch activated: every order is refused until released with `nexusgw killswitch release`."
            elif self.kill_switch.active:
                then = "The kill switch was already active."
            else:
                then = "Exits still pass."
            alerts.append(
                Alert(
                    Severity.CRITICAL,
                    AlertCode.DAILY_LOSS_LIMIT,
                    f"DAILY LOSS LIMIT REACHED: {reason}. New entries paused until "
                    f"{at(until, self.calendar.tz)}. {then}",
                    now,
                )
            )
        else:
            fraction = self.config.limits.daily_loss_warning_fraction
            if fraction is not None and not self._loss_warned and pnl <= -limit * fraction and pnl > -limit:
                self._loss_warned = True
                alerts.append(
                    Alert(
                        Severity.WARNING,
                        AlertCode.DAILY_LOSS_WARNING,
                        f"Daily P&L {usd(pnl)} is past {fraction:.0%} of the daily loss limit {usd(limit)}.",
                        now,
                    )
                )
        return PnlResult(pnl, tuple(alerts), activated, self.kill_switch)

    def on_position(self, root: str, qty: int, now: datetime) -> None:
        """Record the projected net position of ``root`` in contracts (for the total position limit)."""
        self._outbox.extend(self._advance(now))
        if qty:
            self.ctx.positions[root] = int(qty)
        else:
            self.ctx.positions.pop(root, None)

    def on_market_data(self, root: str, now: datetime) -> None:
        """Market data for ``root`` arrived at ``now``."""
        self.ctx.market_data_seen[root] = require_aware(now)

    def on_market_data_many(self, roots: Iterable[str], now: datetime) -> None:
        """Market data for each of ``roots`` arrived at ``now`` (one batch: one check of ``now``)."""
        self.ctx.market_data_seen.update(dict.fromkeys(roots, require_aware(now)))

    def on_engine_seen(self, now: datetime) -> list[Alert]:
        """Any message from the signal engine arrived at ``now``; ends safe mode if it was on."""
        self.ctx.engine_seen = require_aware(now)
        if not self._safe_mode_alerted:
            return []
        self._safe_mode_alerted = False
        return [Alert(Severity.INFO, AlertCode.SAFE_MODE_LEFT, "Signal engine is back; safe mode ended.", now)]

    def on_platform_status(self, platform: str, online: bool, now: datetime) -> list[Alert]:
        """A platform instance connected or disconnected. Returns an alert when that changes anything."""
        require_aware(now)
        was = self.ctx.platforms_online.get(platform, False)
        self.ctx.platforms_online[platform] = online
        if online == was:
            return []
        if online:
            return [Alert(Severity.INFO, AlertCode.PLATFORM_ONLINE, f"Platform {platform} connected.", now)]
        pausing = self.config.connection.offline_platform == "pause"
        consequence = (
            "new entries routed to it are paused until it reconnects"
            if pausing
            else "orders are rerouted to the connected platforms"
        )
        return [
            Alert(
                Severity.CRITICAL if pausing else Severity.WARNING,
                AlertCode.PLATFORM_OFFLINE,
                f"Platform {platform} disconnected; {consequence}. Check its adapter (`nexusgw status`).",
                now,
            )
        ]

    # ---- operator controls

    def set_state(
        self, scope: Scope, value: str | None, state: TradingState, who: str, reason: str, now: datetime
    ) -> StateEntry:
        """Set ACTIVE / REDUCING / HALTED on the global scope (value None), a platform or a root."""
        return self.ctx.states.set(scope, value, state, who, reason, now)

    def activate_kill_switch(self, who: str, reason: str, now: datetime, *, flatten: bool = False) -> KillSwitch:
        """Refuse every new order until :meth:`release_kill_switch`. With ``flatten`` the gateway also closes
        all positions; only its ``Origin.FLATTEN`` orders pass, and only as far as flat."""
        return self.ctx.states.activate_kill_switch(who, reason, now, flatten=flatten)

    def release_kill_switch(self, who: str, reason: str, now: datetime) -> KillSwitch:
        """The only way to lift the kill switch. Pauses and trading states stay as they are."""
        return self.ctx.states.release_kill_switch(who, reason, now)

    # ---- time

    def tick(self, now: datetime) -> list[Alert]:
        """Call on every loop pass: starts a new trading day when due, ends expired pauses, enters safe mode
        when the signal engine went silent. Returns the alerts raised since the last tick."""
        alerts = self._advance(now)
        limit = self.config.liveness.safe_mode_after_seconds
        seen = self.ctx.engine_seen
        if limit is not None and seen is not None and not self._safe_mode_alerted:
            silence = (now - seen).total_seconds()
            if silence > limit:
                self._safe_mode_alerted = True
                alerts.append(
                    Alert(
                        Severity.WARNING,
                        AlertCode.SAFE_MODE_ENTERED,
                        f"Signal engine silent for {silence:.1f} s (> {limit:g} s): safe mode, "
                        "no new entries. Check the NEXUS engine and its connection.",
                        now,
                    )
                )
        drained, self._outbox = self._outbox, []
        return drained + alerts

    def _advance(self, now: datetime) -> list[Alert]:
        """Bring day and pauses up to ``now``; alerts raised here go out with the caller's result or tick."""
        require_aware(now)
        self._last_now = now if self._last_now is None else max(self._last_now, now)
        alerts: list[Alert] = []
        day = self.calendar.trading_day(now)
        if self.ctx.trading_day is None:
            self.ctx.trading_day = day
        elif day > self.ctx.trading_day:
            self._start_day(day)
            alerts.append(
                Alert(
                    Severity.INFO,
                    AlertCode.TRADING_DAY_STARTED,
                    f"Trading day {day.isoformat()} started: daily trades, daily P&L, the losing streak and "
                    "the daily-loss pause were reset. A kill switch stays until released.",
                    now,
                )
            )
        for code, pause in list(self.ctx.pauses.items()):
            if now >= pause.until:
                del self.ctx.pauses[code]
                alerts.append(
                    Alert(
                        Severity.INFO,
                        AlertCode.PAUSE_ENDED,
                        f"{code.value} pause ended ({pause.reason}).",
                        now,
                    )
                )
        return alerts

    def _start_day(self, day: date) -> None:
        ctx = self.ctx
        ctx.trading_day = day
        ctx.daily_trades = 0
        ctx.realized_pnl_usd = 0.0
        ctx.unrealized_pnl_usd = 0.0
        ctx.consecutive_losses = 0
        ctx.pauses.pop(ReasonCode.DAILY_LOSS, None)
        self._loss_warned = False

    # ---- reporting and persistence

    def snapshot(self, now: datetime | None = None) -> dict[str, Any]:
        """Plain dict for ``nexusgw status``: limits, usage against them, states, pauses and when they end."""
        when = require_aware(now) if now is not None else self._last_now
        return build_snapshot(self.config, self.ctx, self.calendar, self.rule_names, when)

    def export_state(self) -> dict[str, Any]:
        """What must survive a restart: kill switch, trading states, pauses and the day's counters."""
        ctx = self.ctx
        return {
            "version": STATE_VERSION,
            "trading_states": ctx.states.to_dict(),
            "trading_day": ctx.trading_day.isoformat() if ctx.trading_day else None,
            "daily_trades": ctx.daily_trades,
            "realized_pnl_usd": ctx.realized_pnl_usd,
            "unrealized_pnl_usd": ctx.unrealized_pnl_usd,
            "consecutive_losses": ctx.consecutive_losses,
            "daily_loss_warned": self._loss_warned,
            "pauses": [p.to_dict() for p in ctx.pauses.values()],
        }

    def restore_state(self, data: dict[str, Any]) -> None:
        """Load what :meth:`export_state` wrote. Connectivity, market-data and engine times start unknown, so
        entries wait for fresh data after a restart."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"risk state version {data.get('version')!r} is not {STATE_VERSION}; cannot restore")
        ctx = self.ctx
        ctx.states = TradingStates.from_dict(data["trading_states"])
        ctx.trading_day = date.fromisoformat(data["trading_day"]) if data.get("trading_day") else None
        ctx.daily_trades = int(data["daily_trades"])
        ctx.realized_pnl_usd = float(data["realized_pnl_usd"])
        ctx.unrealized_pnl_usd = float(data["unrealized_pnl_usd"])
        ctx.consecutive_losses = int(data["consecutive_losses"])
        self._loss_warned = bool(data.get("daily_loss_warned", False))
        ctx.pauses = {p.code: p for p in (Pause.from_dict(raw) for raw in data["pauses"])}
