"""The alert rules: pure evaluation of one published figures dict (no I/O, no clock of its own).

``Evaluator.evaluate(figures, now)`` returns the rules that fire now. A rule with ``for_s`` fires only once its
condition has held that long (``platform_offline_s``: its threshold, in seconds). A condition fires once when it
starts, again every ``repeat_s`` while it lasts, and when it clears its key is listed in ``resolved`` (so the next
episode is new, not a repeat). The evaluator remembers since when (and the error history for the hourly rate).
Thresholds and severities come from the profile's ``alerts.rules`` (any object with ``enabled, severity,
threshold, for_s``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

HOUR_S = 3600.0
#: Rules whose threshold is a duration: the condition must hold that long (or for_s, whichever is longer).
THRESHOLD_IS_DURATION = frozenset({"platform_offline_s"})


class RuleSettings(Protocol):
    @property
    def enabled(self) -> bool: ...
    @property
    def severity(self) -> str: ...
    @property
    def threshold(self) -> float: ...
    @property
    def for_s(self) -> float: ...


@dataclass(frozen=True)
class Firing:
    rule: str
    subject: str
    severity: str
    message: str

    @property
    def code(self) -> str:
        return self.rule.upper()

    @property
    def key(self) -> str:
        return f"rule:{self.rule}:{self.subject}"


def gateway_offline(rule: RuleSettings, silent_s: float, endpoint: str) -> Firing | None:
    """The rule only a watcher outside the gateway can evaluate (``nexusgw alerts watch``)."""
    if not rule.enabled or silent_s < rule.threshold:
        return None
    message = f"gateway at {endpoint} has not answered status for {silent_s:.0f}s (limit {rule.threshold:g}s)"
    return Firing("gateway_offline_s", endpoint, rule.severity, message)


class Evaluator:
    def __init__(self, rules: Mapping[str, RuleSettings], min_orders: int = 10, repeat_s: float = 900.0) -> None:
        self.rules = rules
        self.min_orders = min_orders
        self.repeat_s = repeat_s
        self.since: dict[tuple[str, str], float] = {}
        self.fired: dict[tuple[str, str], float] = {}
        self.resolved: list[str] = []  # keys of firings whose condition cleared in the last evaluation
        self.errors: deque[tuple[float, int]] = deque(maxlen=4096)
        self.reconcile_seen: int | None = None

    def evaluate(self, fig: dict[str, Any], now: float) -> list[Firing]:
        """The rules whose condition holds (long enough) for these figures."""
        if not fig:
            return []
        conditions: list[tuple[str, str, str | None]] = []  # (rule, subject, message when the condition holds)
        conditions += self._latency(fig)
        conditions += self._platforms(fig)
        conditions += self._daily_loss(fig)
        conditions += self._fill_rate(fig)
        conditions += self._error_rate(fig, now)
        conditions += self._memory(fig)
        conditions += self._fx(fig)
        conditions += self._reconciliation(fig)
        firings = []
        self.resolved = []
        for name, subject, message in conditions:
            rule = self.rules.get(name)
            if rule is None or not rule.enabled:
                continue
            key = (name, subject)
            if message is None:
                self.since.pop(key, None)
                if self.fired.pop(key, None) is not None:
                    self.resolved.append(Firing(name, subject, rule.severity, "").key)
                continue
            start = self.since.setdefault(key, now)
            hold = max(rule.for_s, rule.threshold) if name in THRESHOLD_IS_DURATION else rule.for_s
            last = self.fired.get(key)
            if now - start >= hold and (last is None or now - last >= self.repeat_s):
                self.fired[key] = now
                firings.append(Firing(name, subject, rule.severity, message))
        return firings

    def _threshold(self, name: str) -> float:
        rule = self.rules.get(name)
        return rule.threshold if rule is not None else 0.0

    def _latency(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        p95 = fig["latency"].get("signal_to_fill_p95_1m_seconds")
        limit = self._threshold("high_latency_ms")
        hot = p95 is not None and p95 * 1000 > limit
        message = None
        if hot:
            message = f"signal→fill latency p95 {p95 * 1000:.1f} ms over the last minute (limit {limit:g} ms)"
        return [("high_latency_ms", "signal_to_fill", message)]

    def _platforms(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        out: list[tuple[str, str, str | None]] = []
        for name, p in fig["platforms"].items():
            message = None if p["online"] else f"platform {name} is offline"
            out.append(("platform_offline_s", name, message))
        return out

    def _daily_loss(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        trading = fig["trading"]
        limit = self._threshold("daily_loss_usd") or trading.get("daily_loss_limit_usd") or 0.0
        pnl = trading["daily_pnl_usd"]
        hot = limit > 0 and pnl <= -limit
        switch = "; the kill switch is active" if trading["kill_switch"] else "; the kill switch is NOT active"
        message = f"day P&L {pnl:,.2f} USD is past the daily loss limit -{limit:,.2f} USD{switch}" if hot else None
        return [("daily_loss_usd", "day", message)]

    def _fill_rate(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        orders = fig["counts"]["orders"]
        rate = fig.get("fill_rate")
        limit = self._threshold("low_fill_rate_pct")
        hot = orders >= self.min_orders and rate is not None and rate * 100 < limit
        message = f"fill rate {rate * 100:.1f}% of {orders} orders (limit {limit:g}%)" if hot else None
        return [("low_fill_rate_pct", "all", message)]

    def _error_rate(self, fig: dict[str, Any], now: float) -> list[tuple[str, str, str | None]]:
        total = int(fig["counts"]["errors"]) + int(fig["counts"].get("housekeeping_errors", 0))
        self.errors.append((now, total))
        while self.errors and now - self.errors[0][0] > HOUR_S:
            self.errors.popleft()
        recent = total - self.errors[0][1] if self.errors else 0
        limit = self._threshold("error_rate_per_h")
        message = f"{recent} errors in the last hour (limit {limit:g})" if recent > limit else None
        return [("error_rate_per_h", "all", message)]

    def _memory(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        rss = fig["process"].get("resident_memory_bytes")
        limit = self._threshold("memory_mb")
        hot = rss is not None and rss / 2**20 > limit
        message = f"gateway memory {rss / 2**20:,.0f} MiB (limit {limit:,.0f} MiB)" if hot else None
        return [("memory_mb", "gateway", message)]

    def _fx(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        fx = fig["fx"]
        hot = fx.get("required", True) and not fx["usable"]
        return [("stale_fx", "USD/BRL", "no usable USD/BRL rate: BRL P&L cannot be counted in USD" if hot else None)]

    def _reconciliation(self, fig: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        count = int(fig["counts"].get("reconcile_alerts", 0))
        seen, self.reconcile_seen = self.reconcile_seen, count
        new = count - seen if seen is not None else count
        limit = self._threshold("reconciliation_mismatch")
        hot = new > limit
        message = f"{new} reconciliation mismatch(es) between the journal and the platforms" if hot else None
        return [("reconciliation_mismatch", "all", message)]
