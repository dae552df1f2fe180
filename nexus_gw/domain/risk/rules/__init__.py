"""The pre-trade rules, one per module, and the fixed order the engine runs them in.

Order matters and is part of the contract (docs/risk.md):

1. Hard stops that refuse any order: kill switch, trading states, throttle, platform connectivity.
2. Entry gates that refuse the opening part and never scale: daily loss, circuit breaker, safe mode, stale
   market data, trading hours, daily trades, market quality.
3. Sizers: confidence (skips weak signals, reduces medium ones), then the limits that cut the order to fit:
   position limit, total position limit, position value, risk budget. Each sees the quantity the previous
   left.
"""

from __future__ import annotations

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.rules.base import Rule
from nexus_gw.domain.risk.rules.circuit_breaker import CircuitBreakerRule
from nexus_gw.domain.risk.rules.confidence import ConfidenceRule
from nexus_gw.domain.risk.rules.connectivity import ConnectivityRule
from nexus_gw.domain.risk.rules.daily_loss import DailyLossRule
from nexus_gw.domain.risk.rules.daily_trades import DailyTradesRule
from nexus_gw.domain.risk.rules.kill_switch import KillSwitchRule
from nexus_gw.domain.risk.rules.market_quality import MarketQualityRule
from nexus_gw.domain.risk.rules.position_limit import PositionLimitRule
from nexus_gw.domain.risk.rules.position_value import PositionValueRule
from nexus_gw.domain.risk.rules.risk_budget import RiskBudgetRule
from nexus_gw.domain.risk.rules.safe_mode import SafeModeRule
from nexus_gw.domain.risk.rules.stale_data import StaleMarketDataRule
from nexus_gw.domain.risk.rules.throttle import ThrottleRule
from nexus_gw.domain.risk.rules.total_position_limit import TotalPositionLimitRule
from nexus_gw.domain.risk.rules.trading_hours import TradingHoursRule
from nexus_gw.domain.risk.rules.trading_state import TradingStateRule

RULE_ORDER: tuple[type[Rule], ...] = (
    KillSwitchRule,
    TradingStateRule,
    ThrottleRule,
    ConnectivityRule,
    DailyLossRule,
    CircuitBreakerRule,
    SafeModeRule,
    StaleMarketDataRule,
    TradingHoursRule,
    DailyTradesRule,
    MarketQualityRule,
    ConfidenceRule,
    PositionLimitRule,
    TotalPositionLimitRule,
    PositionValueRule,
    RiskBudgetRule,
)


def build_rules(config: RiskConfig) -> tuple[Rule, ...]:
    """Instantiate every rule, in :data:`RULE_ORDER`, from one config."""
    return tuple(rule(config) for rule in RULE_ORDER)


__all__ = ["RULE_ORDER", "Rule", "build_rules"]
