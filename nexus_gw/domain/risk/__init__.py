"""Pre-trade risk: rules, trading states, the kill switch, circuit breakers and the approval queue.

Pure domain code: no sockets, no files, no clock of its own. Every time is passed in as an aware datetime.
"""

from nexus_gw.domain.risk.alerts import Alert, AlertCode, Severity
from nexus_gw.domain.risk.approvals import ApprovalError, ApprovalQueue, ApprovalStatus, PendingApproval
from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import Pause, RiskContext
from nexus_gw.domain.risk.decision import Action, Adjustment, Decision, ReasonCode
from nexus_gw.domain.risk.engine import PnlResult, RiskEngine
from nexus_gw.domain.risk.intent import OrderIntent, Origin
from nexus_gw.domain.risk.rules import RULE_ORDER
from nexus_gw.domain.risk.state import KillSwitch, Scope, StateEntry, TradingState, TradingStates
from nexus_gw.domain.types import Side

__all__ = [
    "RULE_ORDER",
    "Action",
    "Adjustment",
    "Alert",
    "AlertCode",
    "ApprovalError",
    "ApprovalQueue",
    "ApprovalStatus",
    "Decision",
    "KillSwitch",
    "OrderIntent",
    "Origin",
    "Pause",
    "PendingApproval",
    "PnlResult",
    "ReasonCode",
    "RiskConfig",
    "RiskContext",
    "RiskEngine",
    "Scope",
    "Severity",
    "Side",
    "StateEntry",
    "TradingState",
    "TradingStates",
]
